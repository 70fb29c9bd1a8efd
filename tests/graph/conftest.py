"""The graph's tests run on both backends (SQLite and a real PostgreSQL, as the store's do) and
read Kubernetes through the kmock emulator (as the connectors' do)."""

from __future__ import annotations

from tests.connectors.conftest import kube
from tests.store.conftest import database_url

__all__ = ["database_url", "kube"]
