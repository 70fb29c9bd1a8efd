"""The report stage: the postmortem written from the incident record, as Markdown, HTML and JSON."""
