"""nightowl: an open-source AI SRE that takes the 3 AM page."""

__version__ = "0.1.0"
