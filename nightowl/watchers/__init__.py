"""Watchers: scheduled, durable checks of the estate between incidents (IaC drift, cost, and the
kinds plugins add), each turning what it finds into tracked ``Finding`` values.

``protocol.py`` is the contract (``Watcher``, ``WatchContext``), ``build.py`` makes the configured
ones from the settings through ``registry.WATCHERS``, ``run.py`` runs one and tracks its findings
in the store. What a finding becomes (a notification, an incident, a pull request through the
gate) is the application's (``app/findings.py``); the schedule is the workflow's
(``workflow/watch.py``).
"""
