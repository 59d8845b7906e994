"""The programme around the courses: funding and measures per municipality and year, and migrant organisations."""
