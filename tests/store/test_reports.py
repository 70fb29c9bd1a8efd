"""Report documents: stored per incident and name, replaced when written again (a re-run report
step), read back whole; an unknown name is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nightowl.store import IncidentStore
from nightowl.store.reports import CHARTS, HTML, MODEL, ReportDocuments

T = datetime(2030, 1, 1, tzinfo=UTC)


def test_documents_are_kept_replaced_and_read_per_incident(store: IncidentStore) -> None:
    one, other = ReportDocuments(store.engine), ReportDocuments(store.engine)
    assert one.get("inc-1") == {}
    one.put("inc-1", {HTML: "<p>first</p>", MODEL: "{}", CHARTS: "[]"}, T)
    one.put("inc-2", {HTML: "<p>two</p>"}, T)
    other.put("inc-1", {HTML: "<p>again</p>"}, T)  # the step re-ran

    assert other.get("inc-1") == {HTML: "<p>again</p>", MODEL: "{}", CHARTS: "[]"}
    assert one.get("inc-2") == {HTML: "<p>two</p>"}


def test_an_unknown_document_is_refused(store: IncidentStore) -> None:
    with pytest.raises(ValueError, match="unknown report documents"):
        ReportDocuments(store.engine).put("inc-1", {"notes.txt": "x"}, T)
