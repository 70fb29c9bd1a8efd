"""Alembic revisions, oldest first: ``NNNN_<what>.py``; never edit a released one."""
