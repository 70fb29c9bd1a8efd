"""Inbound alert formats: one module per source, each with its own signature or token check."""
