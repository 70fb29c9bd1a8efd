"""The Findings page: what the watchers found, escaped (a resource's title is untrusted text
from a plan or a scanner report), with each proposed change — its kind, file, undo, the diff
coloured line by line — and its monthly cost in the settings' currency, with what priced it."""

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

    from nightowl.domain import ActionSpec
    from nightowl.domain.findings import Finding, ProposedChange

    pr = ActionSpec(
        kind="pull_request", service="web", runbook="watcher:drift", reason="adopt",
        params={"path": "infra/lb.tf"}, rollback="close the pull request", risk="low",
        idempotency_key="drift-web-8443",
    )  # fmt: skip
    diff = "--- a/infra/lb.tf\n+++ b/infra/lb.tf\n@@ -1 +1 @@\n-  port = 443\n+  port = 8443 <b>"
    found = Finding(
        watcher="drift",
        kind="drift",
        resource="aws_lb_listener_rule.web",
        title="rule changed <script>x</script>",
        monthly_cost_delta=-35.5,
        evidence={"priced_by": "opencost"},
        proposed=ProposedChange(summary="adopt port 8443", diff=diff, action=pr),
    )
    revert = Finding(
        watcher="drift", kind="drift", resource="aws_instance.db", title="resized by hand",
        monthly_cost_delta=412.0, proposed=ProposedChange(
            summary="revert", plan="terraform apply -target=aws_instance.db"),
    )  # fmt: skip
    world.app.stores.findings.sweep("drift", [found, revert], datetime(2030, 1, 1, tzinfo=UTC))
    auth = {"Authorization": f"Bearer {API_TOKENS['victor']}"}
    page = anonymous.get("/ui/findings", headers=auth)
    assert page.status_code == 200
    assert "aws_lb_listener_rule.web" in page.text
    assert '<span class="cost-down">-$35.50/month</span>' in page.text
    assert "priced by opencost" in page.text
    assert '<span class="cost-up">+$412/month</span>' in page.text
    assert '<span class="badge">pull request</span> adopt port 8443' in page.text
    assert "infra/lb.tf" in page.text
    assert "undo: close the pull request" in page.text
    assert '<span class="diff-del">-  port = 443</span>' in page.text
    assert '<span class="diff-add">+  port = 8443 &lt;b&gt;</span>' in page.text
    assert '<span class="diff-hunk">@@ -1 +1 @@</span>\n<span class="diff-del">' in page.text
    assert "run: <code>terraform apply -target=aws_instance.db</code>" in page.text
    assert "<script>x" not in page.text
    assert "&lt;script&gt;x" in page.text
