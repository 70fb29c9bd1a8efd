"""``nightowl demo``: the classic 3 AM page, replayed through the real pipeline.

The bundled scenario's Alertmanager webhook is POSTed to the real endpoint (in-process), lands in
the real store, and runs through the real durable workflow with autonomy ``act`` against the
simulated cluster: nightowl diagnoses the bad deploy, rolls it back, verifies recovery and writes
the report.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shlex
import shutil
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.spinner import Spinner

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.incidents import show
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import Incident, StageStatus
from nightowl.errors import ConfigError
from nightowl.settings import Settings
from nightowl.workflow import engine
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_names, bundled_scenario, load_scenario

SCENARIO = "checkout-bad-deploy"
DEMO_USER = "demo"
"""The person the demo reads the incident back as (an api.users token: every read takes one)."""


OVERRIDDEN = (
    "data_dir (<data dir>/demo, emptied first)",
    "store",
    "connectors (the scenario's recording)",
    "policy.autonomy (act) and policy.service_autonomy",
    "actions (the simulated cluster, not dry-run)",
    "webhooks",
)
"""What the demo sets whatever ``--config`` says; every other setting is the config's."""


def demo_settings(base: Settings, scenario: str = SCENARIO) -> tuple[Settings, str]:
    """The demo's settings: its own data dir, the bundled scenario, autonomy act, real (simulated)
    writes; the webhook token for alertmanager (returned) and a reader's token in api.users.

    The data dir is ``<data dir>/demo``, apart from the real store: the demo empties it first
    and writes simulated incidents with autonomy act, which must never mix with (or wipe) a
    team's record. Everything not in ``OVERRIDDEN`` comes from ``base``."""
    data_dir = base.data_dir / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    token = secrets.token_urlsafe(16)
    raw: dict[str, Any] = base.model_dump(mode="python")
    raw.update(
        data_dir=data_dir,
        store={"url": None},
        connectors=[
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(scenario))}
        ],
        # the demo acts unattended; the rest of a --config's policy (freezes, guardrails, cedar)
        # still applies, as it would in production
        policy={**raw["policy"], "autonomy": "act", "service_autonomy": {}},
        actions={"dry_run": False, "driver": "simulated"},
        webhooks={"tokens": {"alertmanager": [token]}},
        intake={**raw["intake"], "group_wait_seconds": 0},
        api={**raw["api"], "users": {DEMO_USER: secrets.token_urlsafe(16)}},
    )
    return Settings.model_validate(raw), token


async def run_demo(
    settings: Settings, token: str, on_progress: Any = None, scenario_name: str = SCENARIO
) -> Incident:
    scenario = load_scenario(bundled_scenario(scenario_name))
    app = Nightowl(settings)
    app.launch()
    try:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            response = await client.post(
                "/api/v1/webhooks/alertmanager",
                json=alertmanager_payload(scenario),
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            incident_id = response.json()["incident_id"]
            waiting = asyncio.create_task(engine.wait_for(incident_id, timeout=300))
            while not waiting.done():
                if on_progress:
                    on_progress(app.store.get(incident_id))
                await asyncio.sleep(0.1)
            await waiting
            reader = settings.api.users[DEMO_USER].get_secret_value()
            got = await client.get(
                f"/api/v1/incidents/{incident_id}", headers={"Authorization": f"Bearer {reader}"}
            )
            got.raise_for_status()
            return Incident.model_validate(got.json())
    finally:
        app.shutdown()


def command(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    scenario: Annotated[
        str, typer.Option(help="A bundled scenario (see nightowl_lab/sim/scenarios).")
    ] = SCENARIO,
) -> None:
    """Replay the classic 3 AM page (checkout v2.4.1 leaks memory) through the whole pipeline.

    No services and no LLM needed: the webhook, store and durable workflow are the real ones; the
    cluster is simulated. Ends with the path of the post-incident report.
    """
    with user_errors():
        if scenario not in bundled_names():
            raise ConfigError(
                f"no bundled scenario {scenario!r}; choose one of {', '.join(bundled_names())}"
            )
        settings, token = demo_settings(settings_from(config, data_dir), scenario)
        if as_json:
            incident = asyncio.run(run_demo(settings, token, scenario_name=scenario))
            typer.echo(json.dumps(incident.model_dump(mode="json"), indent=2))
            return
        story = load_scenario(bundled_scenario(scenario))
        alert = story.alerts[-1]
        console.print(
            Panel.fit(
                f"[bold]{alert.at:%H:%M} UTC[/] — Alertmanager pages: "
                f"[red]{alert.labels.get('alertname')}[/] on [bold]{alert.labels.get('service')}[/]\n"
                f"{story.title}\nnightowl takes the page (autonomy: act, cluster: simulated)"
                + _from_config(config),
                title="nightowl demo",
            )
        )
        spinner = Spinner("dots", text="receiving the webhook")
        with Live(spinner, console=console, transient=True):

            def progress(incident: Incident) -> None:
                running = [s for s in incident.stages if s.status is StageStatus.RUNNING]
                spinner.update(text=f"{running[-1].stage.value} …" if running else "working …")

            incident = asyncio.run(run_demo(settings, token, progress, scenario))
        show(incident)
        console.print(where_it_wrote(settings.data_dir))


def _from_config(config: Path | None) -> str:
    if config is None:
        return ""
    return (
        f"\nfrom {escape(str(config))}: every setting but "
        + escape(", ".join(OVERRIDDEN))
        + ", which the demo sets"
    )


def where_it_wrote(data_dir: Path) -> str:
    """The closing lines: where the demo's store is and the command that lists its incidents."""
    where = escape(str(data_dir))
    command = escape(f"nightowl incidents list --data-dir {shlex.quote(str(data_dir))}")
    return (
        f"The demo wrote to its own data dir, [bold]{where}[/] (apart from your real store; "
        f"the next demo empties it).\nSee its incidents with: [bold]{command}[/]"
    )
