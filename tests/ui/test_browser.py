"""The UI in a real browser: Debian's Chromium driven by Playwright against ``nightowl serve``
in-process. Live updates (the list gains an incident, the incident page reloads itself when the
workflow moves on), Approve, the report, the kill switch, and what a viewer may not do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.live import CHROMIUM_ARGS, chromium_path

from tests.ui.world import PASSWORDS, TOKEN, World

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="Debian's chromium is not installed (apt-get install chromium, or scripts/install-services.sh)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


def logged_in(browser: Any, world: World, user: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{world.url}/ui/incidents")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"{world.url}/ui/incidents")
    return page


def another_incident(world: World) -> None:
    body = {
        "version": "4",
        "groupKey": '{}:{alertname="DiskAlmostFull"}',
        "status": "firing",
        "receiver": "nightowl",
        "groupLabels": {"alertname": "DiskAlmostFull"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "DiskAlmostFull",
                    "service": "batch",
                    "severity": "warning",
                },
                "annotations": {"summary": "batch disk 93% full"},
                "startsAt": "2026-11-20T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": "b47c4d1e",
            }
        ],
    }
    answer = httpx.post(
        f"{world.url}/api/v1/webhooks/alertmanager",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 202, answer.text


def test_an_approver_watches_the_list_approves_and_reads_the_report(
    browser: Any, world: World
) -> None:
    from playwright.sync_api import expect

    page = logged_in(browser, world, "alice")
    rows = page.locator("#incident-rows tr[data-id]")
    expect(rows).to_have_count(1)
    page.evaluate("window.stillHere = true")

    another_incident(world)

    expect(rows).to_have_count(2, timeout=15_000)  # polled in, no reload
    assert page.evaluate("window.stillHere") is True
    page.click(f"a[href='/ui/incidents/{world.incident_id}']")
    expect(page.locator(".badges .status-awaiting_approval")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.fill("form[action$='/approve'] input[name=reason]", "rollback looks safe")
    page.click(f"#approve-{world.request_id}")
    expect(page.locator(".flash.ok")).to_have_text(f"{world.request_id} approved by alice")
    expect(page.locator(".badges .status-resolved")).to_be_visible(timeout=60_000)  # reloads itself
    expect(page.locator("p.ok strong")).to_have_text("Recovered")
    page.click("a.button:has-text('Post-incident report')")
    expect(page.locator("h1")).to_have_text("Postmortem: HighLatency on checkout")
    assert page.locator("svg.chart").count() >= 2
    for heading in (
        "Status",
        "Summary",
        "Impact",
        "Key metrics",
        "Detection",
        "Trigger and root cause",
        "Resolution",
        "Responders",
        "Lessons learned",
        "Action items",
        "Timeline",
        "Links",
    ):
        expect(page.locator(f"h2:text-is('{heading}')")).to_be_visible()


def test_the_kill_switch_is_pulled_and_released_in_the_browser(browser: Any, world: World) -> None:
    from playwright.sync_api import expect

    page = logged_in(browser, world, "alice")
    page.goto(f"{world.url}/ui/killswitch")
    page.fill("input[name=reason]", "something is off")
    page.click("#killswitch-on")

    expect(page.locator("#killswitch-banner")).to_contain_text("Kill switch ON")
    assert world.app.control.killswitch().on is True
    page.click("#killswitch-off")
    expect(page.locator("#killswitch-banner")).to_have_count(0)
    assert world.app.control.killswitch().on is False


def test_a_viewer_reads_but_gets_no_buttons(browser: Any, world: World) -> None:
    from playwright.sync_api import expect

    page = logged_in(browser, world, "victor")
    page.goto(f"{world.url}/ui/incidents/{world.incident_id}")
    expect(page.locator(".heading h1")).to_have_text("HighLatency on checkout")
    assert page.locator("form[action*='/approvals/']").count() == 0
    page.goto(f"{world.url}/ui/killswitch")
    expect(page.locator("text=Turning it on takes the responder role.")).to_be_visible()
    page.goto(f"{world.url}/ui/kpis")
    expect(page.locator(".kpi .name", has_text="MTTR")).to_be_visible()
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{world.url}/ui/login")
    page.goto(f"{world.url}/ui/kpis")
    expect(page.locator("h1")).to_have_text("Log in")
