"""``python -m nightowl_lab.harness.screenshots [--out docs/screenshots]``: a screenshot of every page.

Builds a small world in a temporary data dir — one incident resolved on its own (payments leaks
memory; autonomy act) and one waiting for approval (checkout's bad deploy; autonomy suggest) — serves
the UI on a loopback port, and drives Debian's Chromium through it as an approver would: log in,
look at the list and the incident, press Approve, watch it resolve, read the report, the KPIs,
add a silence and pull the kill switch. Needs ``chromium`` (``scripts/install-services.sh``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from nightowl.app import Nightowl
from nightowl.settings import Settings
from nightowl.ui.passwords import hash_password
from nightowl.workflow import engine
from nightowl_lab.harness.live import CHROMIUM_ARGS, LiveServer, chromium_path, standalone
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

TOKEN = "screenshots-webhook-token"
PASSWORDS = {"alice": "alice-approves-things", "victor": "victor-only-looks"}
VIEWPORT = {"width": 1280, "height": 900}


def settings_for(data_dir: Path, scenario: str, autonomy: str, **sections: Any) -> Settings:
    """A replayed scenario; alice approves everything, victor only views."""
    raw: dict[str, Any] = {
        "data_dir": str(data_dir),
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(scenario))}
        ],
        "policy": {"autonomy": autonomy},
        "actions": {"dry_run": False},
        "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
        "intake": {"group_wait_seconds": 0},
        "approvals": {"approvers": {"*": ["alice"]}},
        "api": {"users": {"alice": "alice-api-token-0f3c", "victor": "victor-api-token-77a1"}},
        "ui": {
            "users": {
                "alice": {"password_hash": hash_password(PASSWORDS["alice"]), "role": "approver"},
                "victor": {"password_hash": hash_password(PASSWORDS["victor"]), "role": "viewer"},
            },
            "session_secret": "screenshots-session-secret",
        },
        **sections,
    }
    return Settings.model_validate(raw)


async def page_with(app: Nightowl, scenario: str) -> str:
    """Send the scenario's Alertmanager webhook; return the incident it opened."""
    body = json.dumps(alertmanager_payload(load_scenario(bundled_scenario(scenario)))).encode()
    result = await app.receive("alertmanager", body, {"authorization": f"Bearer {TOKEN}"})
    assert result.incident_id is not None, result.detail
    return result.incident_id


def seed_resolved(data_dir: Path, scenario: str = "payments-memory-leak") -> str:
    """Run one incident to its end in ``data_dir`` (autonomy act): history for the list and KPIs."""

    async def run() -> str:
        app = Nightowl(settings_for(data_dir, scenario, "act"))
        app.launch()
        try:
            incident_id = await page_with(app, scenario)
            await engine.wait_for(incident_id, timeout=120)
            await app.intake.stop()
            return incident_id
        finally:
            app.shutdown()

    return asyncio.run(run())


def take(out: Path, data_dir: Path) -> list[Path]:
    """Take every screenshot into ``out``; return the files written."""
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed: apt-get install chromium")
    seed_resolved(data_dir)
    app = Nightowl(settings_for(data_dir, "checkout-bad-deploy", "suggest"))
    shots: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    with LiveServer(standalone(app)) as server, sync_playwright() as pw:
        incident_id = server.call(page_with(app, "checkout-bad-deploy"))
        browser = pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]

        def shot(name: str, full: bool = False) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full)
            shots.append(path)

        page.goto(f"{server.url}/ui/incidents")
        shot("login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORDS["alice"])
        page.click("button[type=submit]")
        expect(page.locator(".status-awaiting_approval").first).to_be_visible(timeout=60_000)
        shot("incidents")
        page.click(f"a[href='/ui/incidents/{incident_id}']")
        expect(page.locator("button.primary", has_text="Approve")).to_be_visible(timeout=60_000)
        shot("incident-awaiting-approval", full=True)
        page.fill("form[action$='/approve'] input[name=reason]", "rollback is safe, go")
        page.click("form[action$='/approve'] button")
        expect(page.locator(".badges .status-resolved")).to_be_visible(timeout=90_000)
        shot("incident-resolved", full=True)
        page.goto(f"{server.url}/ui/incidents/{incident_id}/report")
        shot("report", full=True)
        page.goto(f"{server.url}/ui/kpis")
        shot("kpis")
        page.goto(f"{server.url}/ui/silences")
        page.fill("textarea[name=matchers]", 'alertname="DiskAlmostFull"\nservice="batch"')
        page.fill("input[name=comment]", "disk resize scheduled tonight")
        page.click("form[action='/ui/silences'] button")
        expect(page.locator(".flash.ok")).to_be_visible()
        shot("silences")
        page.goto(f"{server.url}/ui/killswitch")
        page.fill("input[name=reason]", "investigating an unexpected rollout")
        page.click("#killswitch-on")
        expect(page.locator("#killswitch-banner")).to_be_visible()
        shot("killswitch")
        page.fill("input[name=reason]", "all clear")
        page.click("#killswitch-off")
        browser.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nightowl-screenshots-") as tmp:
        for path in take(args.out, Path(tmp)):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
