"""Content services that concern modules alone (retiring and restoring); authoring of every document type is in
lms/authoring."""
