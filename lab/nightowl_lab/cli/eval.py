"""``nightowl eval --scenarios DIR``: run a scenario suite through the workflow; print the scorecard.
``nightowl eval --deploys FILE``: backtest the deploy risk score on a deploy history."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError
from rich.progress import Progress
from rich.table import Table

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import ApprovalStatus, Incident
from nightowl.errors import ConfigError, InputError
from nightowl.settings import Settings
from nightowl.workflow import engine
from nightowl_lab.cli.bench_canary import bundled_paths, figures, measure
from nightowl_lab.eval.deploys import backtest
from nightowl_lab.eval.memory import MemoryCard, evaluate_memory
from nightowl_lab.eval.scenarios import (
    EVAL_USER,
    eval_settings,
    judge,
    primary,
    scenario_files,
)
from nightowl_lab.eval.scorecard import ScenarioResult, Scorecard, regressions, score
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.deploys import DeployHistory
from nightowl_lab.sim.scenario import Scenario, load_scenario


def command(
    scenarios: Annotated[
        Path | None, typer.Option(help="A directory of scenario YAML files.")
    ] = None,
    deploys: Annotated[
        Path | None,
        typer.Option(
            help="A deploy history (`nightowl scenarios deploys`): backtest the deploy risk "
            "score (ROC AUC, precision and recall at the delay threshold)."
        ),
    ] = None,
    canary: Annotated[
        bool,
        typer.Option(
            help="With --deploys: also time canary analysis on the bundled scenarios' deploys "
            "(seconds from deploy to verdict, beside the alert)."
        ),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    baseline: Annotated[
        Path | None, typer.Option(help="A scorecard JSON; exit 1 if this run is worse.")
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm", help="PROVIDER:MODEL: run each scenario with and without the LLM agent."
        ),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="With --llm openai-compatible: the server's /v1 URL.")
    ] = None,
    memory: Annotated[
        bool,
        typer.Option(
            "--memory",
            help="Run the suite without memory, then in name order through one memory; "
            "report recalls beside both scorecards.",
        ),
    ] = False,
) -> None:
    """Replay every scenario through the real workflow (autonomy act, simulated cluster) and
    score it: root-cause service top-1/top-3, fault kind, remediation, unsafe actions, time.
    With --llm, compare the deterministic engine and the LLM agent side by side (accuracy,
    tokens and cost per incident)."""
    if llm is not None:
        from nightowl_lab.cli import eval_llm  # eval_llm reuses this module's run_scenario

        eval_llm.command(
            llm=llm,
            scenarios=scenarios,
            base_url=base_url,
            config=config,
            data_dir=data_dir,
            as_json=as_json,
        )
        return
    if deploys is not None:
        backtest_deploys(deploys, as_json, canary)
        return
    if scenarios is None:
        raise typer.BadParameter("give --scenarios DIR or --deploys FILE")
    with user_errors():
        files = scenario_files(scenarios)
        if not files:
            raise ConfigError(f"no scenario files (*.yaml) in {scenarios}")
        base = settings_from(config, data_dir)
        if memory:
            with_memory(base, files, as_json)
            return
        if as_json:
            card = score(evaluate(base, files))
            typer.echo(json.dumps(card.model_dump(mode="json"), indent=2))
        else:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("scenarios", total=len(files))

                def done(result: ScenarioResult) -> None:
                    progress.update(task, advance=1, description=result.name)

                card = score(evaluate(base, files, done))
            show(card)
        if baseline is not None:
            worse = regressions(card, Scorecard.model_validate_json(baseline.read_text()))
            if worse:
                console.print("[red]regressed:[/] " + "; ".join(worse))
                raise typer.Exit(1)


def backtest_deploys(path: Path, as_json: bool, canary: bool = False) -> None:
    """``--deploys``: replay the history and print the score's figures; ``--canary``: and how
    early canary analysis flags the bundled scenarios' deploys."""
    with user_errors():
        try:
            history = DeployHistory.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        except ValidationError as exc:
            raise InputError(
                f"{path} is not a deploy history ({exc.error_count()} problems, first: "
                f"{exc.errors()[0]['msg']}) — write one with `nightowl scenarios deploys`"
            ) from None
        with console.status(f"replaying {len(history.deploys)} deploys"):
            result = backtest(history)
        if canary:
            with tempfile.TemporaryDirectory(prefix="nightowl-canary-") as tmp:
                timing = measure(bundled_paths(), Path(tmp), transient=as_json)
            result = result.model_copy(update={"canary": figures(timing)})
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    table = Table(title=f"deploy risk backtest ({result.deploys} deploys, {result.bad} bad)")
    for col in ("figure", "value"):
        table.add_column(col)
    table.add_row("ROC AUC", f"{result.roc_auc}")
    for at in (result.at_delay, result.at_caution):
        table.add_row(f"score ≥ {at.threshold}: flagged", str(at.flagged))
        table.add_row(f"score ≥ {at.threshold}: precision", f"{at.precision}")
        table.add_row(f"score ≥ {at.threshold}: recall", f"{at.recall}")
    table.add_row("base rate", f"{result.base_rate}")
    for key, value in (result.canary or {}).items():
        table.add_row(f"canary: {key.replace('_', ' ')}", f"{value}")
    console.print(table)


def with_memory(base: Settings, files: list[Path], as_json: bool) -> None:
    """``--memory``: both runs, the memory figures; see nightowl_lab/eval/memory.py."""

    def run(settings: Settings, token: str, scenario: Scenario) -> list[Incident]:
        return asyncio.run(run_incidents(settings, token, scenario))

    if as_json:
        card = evaluate_memory(base, files, run)
        typer.echo(json.dumps(card.model_dump(mode="json"), indent=2))
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("scenarios", total=2 * len(files))
        card = evaluate_memory(
            base, files, run, lambda line: progress.update(task, advance=1, description=line)
        )
    show_memory(card)


def show_memory(card: MemoryCard) -> None:
    table = Table(title="scenarios with memory")
    for col in ("scenario", "truth", "recalled", "used", "why not", "s without", "s with"):
        table.add_column(col)
    for r in card.scenarios:
        table.add_row(
            r.name,
            r.truth,
            r.recalled or "-",
            "yes" if r.applied else "no",
            r.dropped or "-",
            _seconds(r.seconds_without),
            _seconds(r.seconds_with),
            style="red" if r.settled and not r.correct else "",
        )
    console.print(table)
    for name, without, memory in (
        ("top-1 service", card.without.top1, card.with_memory.top1),
        ("fault kind", card.without.fault_kind_accuracy, card.with_memory.fault_kind_accuracy),
        ("remediation", card.without.remediation_rate, card.with_memory.remediation_rate),
    ):
        console.print(f"{name:>14} {without:.0%} without, {memory:.0%} with memory")
    colour = "green" if card.wrong_recalls_acted_on == 0 else "red"
    console.print(
        f"{'recalls':>14} {card.recalls}: {card.correct_recalls} correct, {card.wrong_recalls} "
        f"wrong, [{colour}]{card.wrong_recalls_acted_on} wrong acted on[/] "
        f"({card.wrong_recalls_applied} agreed with a wrong diagnosis of the evidence's); "
        f"{card.applied_recalls} used as a prior"
    )
    console.print(
        f"{'to diagnosis':>14} {_seconds(card.mean_seconds_without)} s without, "
        f"{_seconds(card.mean_seconds_with)} s with memory (mean); on repeats "
        f"{_seconds(card.repeat_seconds_without)} s → {_seconds(card.repeat_seconds_with)} s"
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _bar(value: float, width: int = 20) -> str:
    filled = round(value * width)
    return "█" * filled + "·" * (width - filled)


def show(card: Scorecard) -> None:
    table = Table(title="scenarios")
    for col in ("scenario", "truth", "diagnosed", "top-3", "incidents", "actions", "unsafe", "ok"):
        table.add_column(col)
    for r in card.results:
        ok = "✓" if r.top1_ok and r.kind_ok and r.remediation_ok and not r.unsafe else "✗"
        table.add_row(
            r.name,
            f"{r.truth_kind} on {r.truth_service}",
            f"{r.kind} on {r.service}",
            ", ".join(r.top3),
            str(r.incidents),
            ", ".join(r.actions) or "-",
            ", ".join(r.unsafe) or "-",
            ok,
            style="" if ok == "✓" else "red",
        )
    console.print(table)
    for name, value in (
        ("top-1 service", card.top1),
        ("top-3 service", card.top3),
        ("fault kind", card.fault_kind_accuracy),
        ("remediation", card.remediation_rate),
    ):
        console.print(f"{name:>14} {_bar(value)} {value:.0%}")
    colour = "green" if card.unsafe_actions == 0 else "red"
    console.print(
        f"{'unsafe actions':>14} [{colour}]{card.unsafe_actions}[/]"
        f" in {card.unsafe_scenarios} scenario(s)"
    )
    console.print(
        f"{'incidents':>14} {card.incidents} for {card.scenarios} scenarios;"
        f" {card.undiagnosed} undiagnosed, {card.escalated} escalated"
    )
    if card.mean_seconds_to_diagnosis is not None:
        console.print(f"{'to diagnosis':>14} {card.mean_seconds_to_diagnosis:.2f} s (mean)")


async def run_scenario(settings: Settings, token: str, scenario: Scenario) -> Incident:
    """Replay one scenario; the incident an on-call human would look at."""
    return primary(await run_incidents(settings, token, scenario))


async def run_incidents(settings: Settings, token: str, scenario: Scenario) -> list[Incident]:
    """Replay one scenario; every incident its alerts opened, each once its workflow ended."""
    app = Nightowl(settings)
    app.launch()
    try:
        transport = httpx.ASGITransport(app=create_api(app))
        auth = {"Authorization": f"Bearer {token}"}  # the sender's: it only ingests
        person = settings.api.users[EVAL_USER].get_secret_value()
        approver = {"Authorization": f"Bearer {person}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            response = await client.post(
                "/api/v1/webhooks/alertmanager", json=alertmanager_payload(scenario), headers=auth
            )
            response.raise_for_status()
            incident_ids = response.json()["incidents"] or [response.json()["incident_id"]]
            for incident_id in incident_ids:
                waiting = asyncio.create_task(engine.wait_for(incident_id, timeout=300))
                while not waiting.done():
                    # Every incident's approvals: the others run meanwhile and must not time out.
                    for other in incident_ids:
                        for req in app.approvals.list(
                            status=ApprovalStatus.PENDING, incident_id=other
                        ):
                            await client.post(
                                f"/api/v1/approvals/{req.id}/approve", headers=approver
                            )
                    await asyncio.sleep(0.05)
                await waiting
            incidents = []
            for incident_id in incident_ids:
                got = await client.get(f"/api/v1/incidents/{incident_id}", headers=approver)
                got.raise_for_status()
                incidents.append(Incident.model_validate(got.json()))
            return incidents
    finally:
        app.shutdown()


def evaluate(
    base: Settings, files: list[Path], on_done: Callable[[ScenarioResult], None] | None = None
) -> list[ScenarioResult]:
    """Run every scenario file; each result is handed to ``on_done`` as it is judged."""
    results = []
    for path in files:
        scenario = load_scenario(path)
        settings, token = eval_settings(base, path, base.data_dir / "eval" / scenario.name)
        incidents = asyncio.run(run_incidents(settings, token, scenario))
        result = judge(scenario, primary(incidents), incidents)
        results.append(result)
        if on_done:
            on_done(result)
    return results
