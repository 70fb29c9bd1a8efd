"""The UI's forms beyond the approval flow (tests/ui/test_pages.py): closing an escalated incident
by hand — shown to responders only, CSRF and role checked, the reason required, audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from nightowl.domain import IncidentStatus
from tests.ui.test_pages import csrf_of, login
from tests.ui.world import World


@pytest.fixture
def anonymous(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        yield client


def test_a_responder_closes_an_escalated_incident_from_its_page(
    anonymous: httpx.Client, world: World
) -> None:
    store = world.app.stores.incidents
    store.create_incident(
        incident_id="inc-escalated-ui", correlation_key="inc-escalated-ui",
        title="HighErrorRate on payments", service="payments", severity=None,
        opened_at=datetime.now(UTC),
    )  # fmt: skip
    store.set_status("inc-escalated-ui", IncidentStatus.ESCALATED)
    page = "/ui/incidents/inc-escalated-ui"
    url = f"{page}/resolve"

    login(anonymous, "victor")
    viewer_page = anonymous.get(page).text
    refused = anonymous.post(url, data={"csrf": csrf_of(anonymous, page), "reason": "done"})
    anonymous.cookies.clear()
    login(anonymous, "bob")
    responder_page = anonymous.get(page).text
    csrf = csrf_of(anonymous, page)
    forged = anonymous.post(url, data={"csrf": "not-the-token", "reason": "done"})
    empty = anonymous.post(url, data={"csrf": csrf, "reason": "  "})
    closed = anonymous.post(url, data={"csrf": csrf, "reason": "restarted payments by hand"})
    busy = anonymous.post(
        f"/ui/incidents/{world.incident_id}/resolve", data={"csrf": csrf, "reason": "done"}
    )

    assert "Close as resolved" not in viewer_page
    assert refused.status_code == 403
    assert "Close as resolved" in responder_page
    assert forged.status_code == 403
    assert "say%20why" in empty.headers["location"]
    assert closed.status_code == 303
    assert "resolved%20by%20bob" in closed.headers["location"]
    assert store.get("inc-escalated-ui").status is IncidentStatus.RESOLVED
    assert "awaiting%20approval" in busy.headers["location"]  # its workflow still holds it
    [record] = world.app.audit.records(incident_id="inc-escalated-ui")
    assert (record.kind, record.actor, record.data["reason"]) == (
        "incident.resolved",
        "bob",
        "restarted payments by hand",
    )
