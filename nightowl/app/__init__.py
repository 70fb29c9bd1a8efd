"""The application: the one composition root, and the use cases every adapter calls.

``compose.py`` builds nightowl from its settings (connectors, drivers, notifiers, runbooks and the
stages of the pipeline, each with the narrow dependencies it needs); ``nightowl.py`` is the
``Nightowl`` object CLI, API and UI hold: its lifecycle and the use cases they call;
``access.py`` is who may do what (the one table of acts and roles, and ``require``).
"""

from nightowl.app.nightowl import Nightowl

__all__ = ["Nightowl"]
