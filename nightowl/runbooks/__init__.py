"""The plan stage: runbook model, loader, matcher and the built-in runbooks as YAML."""
