"""The UI's refusals: a 403 for a role that may not act, and the refusal on the audit trail."""

from __future__ import annotations

import httpx

from tests.ui.world import API_TOKENS, World


def test_a_role_refusal_is_audited_with_who_and_what(world: World) -> None:
    victor = {"Authorization": f"Bearer {API_TOKENS['victor']}"}
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        refused = client.post("/ui/killswitch", data={"on": "true"}, headers=victor)
    assert refused.status_code == 403
    [record] = [
        r
        for r in world.app.audit.records()
        if r.kind == "access.refused" and r.data["action"] == "turn the kill switch on"
    ]
    assert record.actor == "victor"
    assert "takes the responder role" in record.data["reason"]
    assert world.app.audit.verify().ok
