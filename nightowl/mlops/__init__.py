"""Model and data drift: reference vs current windows of a served model's features, predictions and
delayed labels — per-feature two-sample tests chosen by type, multiple-testing control across
features, the likely cause of each shift, and performance decay.

Pure computation on numpy arrays (no I/O but the batch-file reader in ``frames.py``); the drift
watcher, the CLI (``nightowl model drift``) and the lab's ``bench drift`` all call ``detect.compare``.
"""
