"""``nightowl sandbox up|down|status|inject|run``: a live shop, real alerts, real recoveries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt

sandbox_app = typer.Typer(
    help="A live sandbox: demo services, Prometheus, Alertmanager and nightowl on loopback.",
    no_args_is_help=True,
)
StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state", help="The sandbox state file (default: <tmp>/nightowl-sandbox/state.json)."
    ),
]


StateDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Keep the state file at <path>/sandbox/state.json (unless --state). The sandbox's "
        "own nightowl keeps its database in the sandbox directory, not here.",
        show_default=False,
    ),
]
"""--data-dir of the sandbox commands: where the state file goes. The generic option's help
("where nightowl keeps its database and reports", $NIGHTOWL_DATA_DIR) promised what they do not
do."""


def _state_file(state: Path | None, data_dir: Path | None = None) -> Path:
    """--state, else ``<data-dir>/sandbox/state.json``, else the default under the temp dir.

    The sandbox commands take no --config: the sandbox writes its own nightowl configuration
    (docs/sandbox.md), so one given would be ignored.
    """
    from nightowl_lab.sandbox.lifecycle import default_state_file

    if state is not None:
        return state
    return data_dir / "sandbox" / "state.json" if data_dir else default_state_file()


@sandbox_app.command("up")
def up(state: StateOpt = None, data_dir: StateDirOpt = None) -> None:
    """Start the shop, its load, Prometheus, Alertmanager and nightowl (autonomy: act)."""
    from nightowl_lab.sandbox import lifecycle

    with user_errors(), console.status("starting the sandbox…"):
        started = lifecycle.up(_state_file(state, data_dir))
        lifecycle.wait_healthy(started)
    console.print(f"[green]sandbox up[/] in {started.directory}")
    for what in ("frontend", "prometheus", "alertmanager", "nightowl"):
        console.print(f"  {what:13} {started.url(what)}")


@sandbox_app.command("down")
def down(
    state: StateOpt = None,
    data_dir: StateDirOpt = None,
    keep: Annotated[bool, typer.Option(help="Keep the sandbox's directory (logs).")] = False,
) -> None:
    """Stop every sandbox process by PID and delete its directory."""
    from nightowl_lab.sandbox import lifecycle

    with user_errors():
        stopped = lifecycle.down(_state_file(state, data_dir), keep=keep)
    console.print(f"[green]sandbox down[/] ({stopped.directory}{' kept' if keep else ' deleted'})")


@sandbox_app.command("status")
def status(
    state: StateOpt = None,
    data_dir: StateDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Processes, replicas and versions, load, and the alerts firing now."""
    from nightowl_lab.sandbox import lifecycle

    with user_errors():
        now = lifecycle.status(lifecycle.SandboxState.load(_state_file(state, data_dir)))
    if as_json:
        typer.echo(now.model_dump_json(indent=1))
        return
    for what, ok in now.processes.items():
        console.print(f"  {what:13} {'[green]running[/]' if ok else '[red]stopped[/]'}")
    for name, service in now.services.items():
        console.print(
            f"  {name:13} {service.version}, {len(service.replicas)} replica(s) on :{service.port}"
        )
    console.print(f"  load          {now.load_rate:g} req/s")
    console.print(f"  firing        {', '.join(now.firing) or 'nothing'}")


@sandbox_app.command("inject")
def inject(
    fault: Annotated[
        str, typer.Argument(help="bad-deploy, memory-leak, traffic-spike, dependency-latency")
    ],
    state: StateOpt = None,
    data_dir: StateDirOpt = None,
) -> None:
    """Inject a real fault into the running sandbox (nightowl then takes the page)."""
    from nightowl_lab.sandbox import faults, lifecycle

    with user_errors():
        console.print(
            faults.inject(lifecycle.SandboxState.load(_state_file(state, data_dir)), fault)
        )


@sandbox_app.command("run")
def run(
    fault: Annotated[str, typer.Option("--fault", help="The fault to inject.")],
    state: StateOpt = None,
    data_dir: StateDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Inject a fault and wait for nightowl to detect, diagnose, act and verify; print the times."""
    from nightowl_lab.sandbox import lifecycle
    from nightowl_lab.sandbox.run import run as run_fault

    with user_errors():
        sandbox = lifecycle.SandboxState.load(_state_file(state, data_dir))
        with console.status(f"running {fault}…") as spinner:

            def progress(line: str) -> None:
                spinner.update(line)
                console.log(line)

            result = run_fault(sandbox, fault, progress=progress)
    report = {
        "fault": result.fault,
        "diagnosis": result.diagnosis.model_dump(),
        "actions": [{"kind": a.kind, "status": a.status} for a in result.actions],
        "recovered": result.recovered,
        "seconds_to_detect": result.seconds_to_detect,
        "seconds_to_diagnose": result.seconds_to_diagnose,
        "seconds_to_recover": result.seconds_to_recover,
        "seconds_to_canary": result.seconds_to_canary,
    }
    if as_json:
        typer.echo(json.dumps(report))
    else:
        console.print_json(json.dumps(report))
    if not result.recovered:
        raise typer.Exit(1)


@sandbox_app.command("nightowl-serve", hidden=True)
def nightowl_serve(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    port: Annotated[int, typer.Option()] = 8080,
) -> None:
    """``nightowl serve`` on loopback, as the sandbox starts it (the driver is in the registry)."""
    from nightowl.cli.main import serve

    serve(config=config, data_dir=data_dir, host="127.0.0.1", port=port)
