"""One router per resource: import sessions, templates and options, downloadable files."""
