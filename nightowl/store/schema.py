"""Every table nightowl stores. Importing this module registers them all on ``Base.metadata``.

The spine's tables are in ``tables.py``; each later concept keeps its tables in a module of its own
and is listed here, one line each, so that migrations and the drift check see the whole schema.
"""

from __future__ import annotations

from nightowl.store.tables import Base

__all__ = ["Base"]
