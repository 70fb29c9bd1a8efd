"""The plan stage: the runbook model, loader, linter, matcher, interpreter and built-in runbooks.

One built-in runbook (``builtin/*.yaml``) per fault kind nightowl diagnoses; users add their own
directories with ``runbooks.paths`` (a user runbook with a built-in's name replaces it).
"""
