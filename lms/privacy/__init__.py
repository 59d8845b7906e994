"""A person's own data, for them to read and take away (GDPR Art. 15 and 20): „Meine Daten“ in the profile."""
