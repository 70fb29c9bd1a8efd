"""The Findings page: what the watchers found, escaped (a resource's title is untrusted text
from a plan or a scanner report)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.ui.world import API_TOKENS, World


@pytest.fixture
def anonymous(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        yield client


def test_the_findings_page_lists_what_the_watchers_found_escaped(
    anonymous: httpx.Client, world: World
) -> None:
    from datetime import UTC

    from nightowl.domain.findings import Finding, ProposedChange

    found = Finding(
        watcher="drift",
        kind="drift",
        resource="aws_lb_listener_rule.web",
        title="rule changed <script>x</script>",
        monthly_cost_delta=-35.5,
        proposed=ProposedChange(summary="adopt port 8443", diff="-  port = 443\n+  port = 8443"),
    )
    world.app.stores.findings.sweep("drift", [found], datetime(2030, 1, 1, tzinfo=UTC))
    auth = {"Authorization": f"Bearer {API_TOKENS['victor']}"}
    page = anonymous.get("/ui/findings", headers=auth)
    assert page.status_code == 200
    assert "aws_lb_listener_rule.web" in page.text
    assert "-35.50" in page.text
    assert "adopt port 8443" in page.text
    assert "<script>x" not in page.text
    assert "&lt;script&gt;x" in page.text
