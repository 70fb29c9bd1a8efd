"""The UI over HTTP: login, roles, CSRF, bearer tokens, every page, and the forms that act
(approve, kill switch, silences) — against a running nightowl, no browser needed."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from nightowl.api.openapi import document
from nightowl.domain import ApprovalStatus
from tests.ui.world import API_TOKENS, PASSWORDS, World

HTML = {"Accept": "text/html"}


@pytest.fixture
def anonymous(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        yield client


def login(
    client: httpx.Client, user: str, password: str | None = None, next_path: str = "/ui/incidents"
) -> str:
    """Log in through the form; return where the answer redirects."""
    form = client.get(f"/ui/login?next={next_path}", headers=HTML)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    answer = client.post(
        "/ui/login",
        data={
            "username": user,
            "password": password or PASSWORDS[user],
            "csrf": csrf.group(1),
            "next": next_path,
        },
    )
    assert answer.status_code == 303
    return answer.headers["location"]


def csrf_of(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path, headers=HTML).text)
    assert found
    return found.group(1)


def test_pages_send_strangers_to_the_login_form(anonymous: httpx.Client, world: World) -> None:
    page = anonymous.get(f"/ui/incidents/{world.incident_id}", headers=HTML)
    fragment = anonymous.get("/ui/incidents/rows")

    assert page.status_code == 303
    assert page.headers["location"] == f"/ui/login?next=/ui/incidents/{world.incident_id}"
    assert fragment.status_code == 401
    assert fragment.json() == {"error": "log in at /ui/login or send a bearer token"}
    assert anonymous.get("/", headers=HTML).headers["location"] == "/ui/incidents"


def test_logging_in_sets_a_signed_http_only_session(anonymous: httpx.Client, world: World) -> None:
    where = login(anonymous, "alice", next_path=f"/ui/incidents/{world.incident_id}")

    cookie = anonymous.cookies.get("nightowl_session")
    assert where == f"/ui/incidents/{world.incident_id}"
    assert cookie
    page = anonymous.get(where)
    assert page.status_code == 200
    assert "alice" in page.text
    assert "approver" in page.text


def test_the_session_cookie_flags(world: World) -> None:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        form = client.get("/ui/login", headers=HTML)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        answer = client.post(
            "/ui/login",
            data={"username": "alice", "password": PASSWORDS["alice"], "csrf": csrf.group(1)},
        )

    header = answer.headers["set-cookie"].lower()
    assert "nightowl_session=" in header
    assert "httponly" in header
    assert "samesite=lax" in header


@pytest.mark.parametrize(
    ("user", "password", "error"),
    [
        ("alice", "wrong", "wrong user name or password"),
        ("nobody", "x", "wrong user name or password"),
    ],
)
def test_wrong_credentials_are_refused_in_one_line(
    anonymous: httpx.Client, user: str, password: str, error: str
) -> None:
    where = login(anonymous, user, password)

    assert "error=" in where
    assert error.replace(" ", "%20") in where
    assert anonymous.cookies.get("nightowl_session") is None


def test_a_login_without_the_forms_token_is_refused(anonymous: httpx.Client) -> None:
    answer = anonymous.post("/ui/login", data={"username": "alice", "password": PASSWORDS["alice"]})

    assert "the%20login%20form%20expired" in answer.headers["location"]


def test_after_login_only_local_pages_are_reached(anonymous: httpx.Client) -> None:
    assert login(anonymous, "alice", next_path="//evil.example.org/x") == "/ui/incidents"
    assert login(anonymous, "alice", next_path="https://evil.example.org") == "/ui/incidents"


def test_repeated_failures_lock_the_user_out_for_a_while(world: World) -> None:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        for _ in range(5):
            login(client, "bob", "not-bobs-password")
        locked = login(client, "bob")
    world.api.state.ui.logins.clear()

    assert "too%20many%20failed%20logins" in locked


def test_a_concurrent_burst_of_wrong_passwords_keeps_the_right_one_out(world: World) -> None:
    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=world.url, follow_redirects=False) as client:
            form = await client.get("/ui/login", headers=HTML)
            found = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert found
            passwords = [f"guess-{i}" for i in range(29)] + [PASSWORDS["bob"]]
            return await asyncio.gather(
                *(
                    client.post(
                        "/ui/login",
                        data={"username": "bob", "password": p, "csrf": found.group(1)},
                    )
                    for p in passwords
                )
            )

    try:
        answers = asyncio.run(burst())
    finally:
        world.api.state.ui.logins.clear()

    assert all(a.status_code == 303 for a in answers)
    assert not any("nightowl_session" in a.headers.get("set-cookie", "") for a in answers)
    assert "too%20many%20failed%20logins" in answers[-1].headers["location"]


def test_an_unknown_name_is_locked_out_like_a_known_one(world: World) -> None:
    def locations(user: str) -> list[str]:
        with httpx.Client(base_url=world.url, follow_redirects=False) as client:
            return [login(client, user, "wrong-password") for _ in range(6)]

    try:
        known, unknown = locations("victor"), locations("mallory-does-not-exist")
    finally:
        world.api.state.ui.logins.clear()

    assert known == unknown
    assert "too%20many%20failed%20logins" in unknown[-1]


def test_logout_revokes_the_session_on_the_server(world: World) -> None:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        login(client, "alice")
        stolen = client.cookies["nightowl_session"]
        assert client.get("/ui/incidents", headers=HTML).status_code == 200
        out = client.post("/ui/logout", data={"csrf": csrf_of(client, "/ui/incidents")})
        assert out.status_code == 303
    with httpx.Client(
        base_url=world.url, follow_redirects=False, cookies={"nightowl_session": stolen}
    ) as replay:
        again = replay.get("/ui/incidents", headers=HTML)

    assert again.status_code == 303
    assert again.headers["location"].startswith("/ui/login")


@pytest.mark.parametrize(
    "path", ["/ui/login", "/ui/incidents", "/ui/static/app.js", "/healthz", "/api/v1/nothing"]
)
def test_every_answer_carries_the_security_headers(anonymous: httpx.Client, path: str) -> None:
    answer = anonymous.get(path, headers=HTML)

    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy
    assert "img-src 'self' data:;" in policy


def test_the_incident_page_shows_everything_and_escapes_alert_text(
    anonymous: httpx.Client, world: World
) -> None:
    login(anonymous, "alice")

    page = anonymous.get(f"/ui/incidents/{world.incident_id}").text

    for part in (
        "Root cause: bad deploy on checkout",
        "Proposed actions",
        "Rollback plan",
        "Blast radius",
        "Key metrics",
        "Hypotheses",
        "Timeline",
        "Alert group",
        "Audit trail",
        "approval.requested",
    ):
        assert part in page, part
    assert page.count("<svg") >= 2
    assert f'action="/ui/approvals/{world.request_id}/approve"' in page
    assert "<strong>awaiting approval</strong>: an action is waiting for an approver" in page
    assert (
        '<a href="http://prometheus.scenario:9090/graph?scenario=checkout-bad-deploy" '
        'rel="noopener noreferrer" target="_blank">Alert source</a>' in page
    )
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_a_viewer_sees_no_buttons_and_may_not_answer(anonymous: httpx.Client, world: World) -> None:
    login(anonymous, "victor")
    page = anonymous.get(f"/ui/incidents/{world.incident_id}").text
    csrf = csrf_of(anonymous, "/ui/incidents")

    refused = anonymous.post(
        f"/ui/approvals/{world.request_id}/approve",
        data={"csrf": csrf, "incident": world.incident_id},
    )

    assert "/approve" not in page
    assert "Answering takes the approver role." in page
    assert refused.status_code == 403
    assert (
        "victor (viewer) may not answer approval requests: it takes the approver role"
        in refused.text
    )
    assert world.app.approvals.get(world.request_id).status is ApprovalStatus.PENDING


def test_a_form_without_its_csrf_token_is_refused(anonymous: httpx.Client, world: World) -> None:
    login(anonymous, "alice")

    refused = anonymous.post(
        f"/ui/approvals/{world.request_id}/approve", data={"incident": world.incident_id}
    )
    stale = anonymous.post("/ui/killswitch", data={"on": "true", "csrf": "0" * 32})

    assert refused.status_code == stale.status_code == 403
    assert "CSRF token is missing or stale" in refused.text
    assert world.app.control.killswitch().on is False


def test_bearer_tokens_open_the_pages_without_a_session(
    anonymous: httpx.Client, world: World
) -> None:
    auth = {"Authorization": f"Bearer {API_TOKENS['victor']}"}

    rows = anonymous.get("/ui/incidents/rows", headers=auth)
    wrong = anonymous.get("/ui/incidents/rows", headers={"Authorization": "Bearer nope"})

    assert rows.status_code == 200
    assert world.incident_id in rows.text
    assert wrong.status_code == 401


def test_the_kill_switch_responders_on_global_approvers_off(
    anonymous: httpx.Client, world: World
) -> None:
    bob = {"Authorization": f"Bearer {API_TOKENS['bob']}"}
    alice = {"Authorization": f"Bearer {API_TOKENS['alice']}"}
    victor = {"Authorization": f"Bearer {API_TOKENS['victor']}"}

    viewer = anonymous.post("/ui/killswitch", data={"on": "true"}, headers=victor)
    on = anonymous.post("/ui/killswitch", data={"on": "true", "reason": "odd rollout"}, headers=bob)
    banner = anonymous.get("/ui/incidents", headers=bob).text
    bob_off = anonymous.post("/ui/killswitch", data={"on": "false"}, headers=bob)
    alice_off = anonymous.post(
        "/ui/killswitch", data={"on": "false", "reason": "clear"}, headers=alice
    )

    assert viewer.status_code == 403
    assert on.headers["location"] == "/ui/killswitch?msg=kill%20switch%20ON%20%28by%20bob%29"
    assert "Kill switch ON" in banner
    assert "odd rollout" in banner
    assert bob_off.status_code == 403
    assert (
        "bob (responder) may not turn the kill switch off: it takes the approver role"
        in bob_off.text
    )
    assert alice_off.status_code == 303
    assert world.app.control.killswitch().on is False
    kinds = [r.kind for r in world.app.audit.records() if r.kind == "killswitch"]
    assert len(kinds) == 2


def test_silences_are_created_listed_and_expired(anonymous: httpx.Client, world: World) -> None:
    bob = {"Authorization": f"Bearer {API_TOKENS['bob']}"}

    made = anonymous.post(
        "/ui/silences",
        data={
            "matchers": 'alertname="DiskFull"\nservice=~"batch.*"',
            "comment": "resize",
            "hours": "1",
        },
        headers=bob,
    )
    bad = anonymous.post(
        "/ui/silences", data={"matchers": "not a matcher", "comment": "x"}, headers=bob
    )
    page = anonymous.get("/ui/silences", headers=bob).text
    [silence] = world.app.intake.silence_store.list()
    expired = anonymous.post(f"/ui/silences/{silence.id}/expire", headers=bob)

    assert "msg=silence" in made.headers["location"]
    assert "error=" in bad.headers["location"]
    assert "alertname=&#34;DiskFull&#34;" in page or 'alertname="DiskFull"' in page
    assert expired.headers["location"].endswith("expired")
    assert world.app.intake.silence_store.list()[0].ends_at <= world.app.clock.now()


def test_kpis_page_json_and_prometheus(anonymous: httpx.Client, world: World) -> None:
    victor = {"Authorization": f"Bearer {API_TOKENS['victor']}"}

    page = anonymous.get("/ui/kpis", headers=victor)
    data = anonymous.get("/api/v1/kpis", headers=victor).json()
    metrics = anonymous.get("/metrics", headers=victor).text

    assert page.status_code == 200
    for name in (
        "MTTR",
        "Time to diagnose",
        "Auto-remediation rate",
        "Suggestion acceptance",
        "False-positive rate",
        "Rollbacks",
        "Escalations",
        "LLM tokens",
        "Time to fix critical vulnerabilities",
        "Open critical",
    ):
        assert name in page.text
    assert data["incidents"] >= 1
    assert data["llm_tokens"] == 0
    assert "nightowl_incidents " in metrics
    assert "nightowl_escalations " in metrics
    assert 'nightowl_vulnerabilities_open{severity="critical"} 0.0' in metrics


def test_the_ui_is_not_part_of_the_api_document() -> None:
    doc = document()

    assert '"/ui' not in doc
    assert "/api/v1/integrations/slack/interactions" in doc
    assert "/api/v1/kpis" in doc


def test_approving_in_the_ui_lets_the_incident_proceed_to_its_report(
    anonymous: httpx.Client, world: World
) -> None:
    login(anonymous, "alice")
    csrf = csrf_of(anonymous, f"/ui/incidents/{world.incident_id}")
    stamp = anonymous.get(f"/ui/incidents/{world.incident_id}/stamp").text

    denied_without_reason = anonymous.post(
        f"/ui/approvals/{world.request_id}/deny", data={"csrf": csrf, "incident": world.incident_id}
    )
    approved = anonymous.post(
        f"/ui/approvals/{world.request_id}/approve",
        data={"csrf": csrf, "incident": world.incident_id, "reason": "go"},
    )
    deadline = time.monotonic() + 60
    while world.app.store.get(world.incident_id).report is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)

    assert "a%20denial%20needs%20a%20reason" in denied_without_reason.headers["location"]
    assert (
        approved.headers["location"]
        == f"/ui/incidents/{world.incident_id}?msg={world.request_id}%20approved%20by%20alice"
    )
    assert anonymous.get(f"/ui/incidents/{world.incident_id}/stamp").text != stamp
    report = anonymous.get(f"/ui/incidents/{world.incident_id}/report")
    markdown = anonymous.get(f"/ui/incidents/{world.incident_id}/report.md")
    assert report.status_code == 200
    assert "<svg" in report.text
    assert "Postmortem" in report.text
    assert markdown.text.startswith("# Postmortem")
    assert "- alice (approver): approved rollback on checkout" in markdown.text
    as_json = anonymous.get(f"/ui/incidents/{world.incident_id}/report.json")
    assert as_json.json()["outcome"]["status"] == "resolved"
    assert "<strong>resolved</strong>" in anonymous.get(f"/ui/incidents/{world.incident_id}").text
    assert [r.kind for r in world.app.audit.records(incident_id=world.incident_id)].count(
        "approval.approved"
    ) == 1


def test_the_incident_page_names_the_owners_and_recent_changes(
    anonymous: httpx.Client, world: World
) -> None:
    login(anonymous, "victor")
    deadline = time.monotonic() + 30  # the server refreshes the graph as it starts
    while "checkout-team" not in (page := anonymous.get(f"/ui/incidents/{world.incident_id}")).text:
        assert time.monotonic() < deadline, "the graph's owners never reached the page"
        time.sleep(0.2)
    assert 'id="owners"' in page.text
    assert "Owners and recent changes" in page.text
    assert "<strong>bob</strong>" in page.text  # on call, from graph.on_call
    deploy = asyncio.run(world.app.reads.deploys[0].deploys("checkout", *_window(world)))
    assert deploy, "the scenario has a deploy of checkout"
    assert deploy[-1].version in page.text


def _window(world: World) -> tuple[datetime, datetime]:
    now = world.app.clock.now()
    return now - timedelta(hours=world.app.settings.graph.changes_hours), now


def test_the_incident_page_shows_memory_and_takes_feedback_by_role(
    anonymous: httpx.Client, world: World
) -> None:
    login(anonymous, "victor")
    viewer_page = anonymous.get(f"/ui/incidents/{world.incident_id}").text
    url = f"/ui/incidents/{world.incident_id}/feedback"
    refused = anonymous.post(
        url, data={"csrf": csrf_of(anonymous, "/ui/incidents"), "verdict": "confirm"}
    )
    anonymous.cookies.clear()
    login(anonymous, "bob")
    csrf = csrf_of(anonymous, f"/ui/incidents/{world.incident_id}")
    incomplete = anonymous.post(url, data={"csrf": csrf, "verdict": "correct"})
    unknown = anonymous.post(url, data={"csrf": csrf, "verdict": "maybe"})
    fixed = anonymous.post(
        url,
        data={"csrf": csrf, "verdict": "correct", "kind": "memory_leak", "service": "checkout",
              "note": "heap, not the deploy"},
    )  # fmt: skip
    shown = anonymous.get(f"/ui/incidents/{world.incident_id}").text

    assert "Similar incidents" in viewer_page
    assert "Send feedback" not in viewer_page
    assert refused.status_code == 403
    assert "error=" in incomplete.headers["location"]
    assert "true%20cause" in incomplete.headers["location"]
    assert "unknown%20verdict" in unknown.headers["location"]
    assert fixed.status_code == 303
    assert "msg=" in fixed.headers["location"]
    assert "Send feedback" in shown
    assert "bob correct: memory_leak on checkout — heap, not the deploy" in shown
    said = world.app.records.memory.said(world.incident_id)
    assert [(f.author, f.kind) for f in said] == [("bob", "memory_leak")]


def test_the_incident_page_names_the_incidents_trace(anonymous: httpx.Client, world: World) -> None:
    login(anonymous, "alice")
    assert 'id="trace"' not in anonymous.get(f"/ui/incidents/{world.incident_id}").text

    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"  # as if the webhook had been traced
    at = world.app.clock.now()
    world.app.stores.traces.claim(world.incident_id, f"00-{trace_id}-00f067aa0ba902b7-01", at)

    page = anonymous.get(f"/ui/incidents/{world.incident_id}").text
    assert f'<span class="mono" id="trace">{trace_id}</span>' in page  # no tracing.ui_url: no link
