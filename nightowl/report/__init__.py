"""The report stage: the post-incident report written from the incident record."""
