"""The act stage: write-side drivers with plan, dry-run, apply, pre-state and rollback.

``protocol.py`` is the contract; ``guard.py`` wraps every driver so the kill switch is read
immediately before each write; one module per driver: ``kubernetes``, ``process`` (local processes
and systemd units), ``ssh`` (allowlisted command templates), ``webhook`` (the user's own
automation), ``github`` (pull requests for configuration and infrastructure as code).
"""
