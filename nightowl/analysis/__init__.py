"""The deterministic brain (triage, analyze, diagnose): signals, change detection, hypotheses."""
