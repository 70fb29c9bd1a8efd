"""Intake: fingerprints, dedup and the grouping of alerts into incidents (the triage input)."""
