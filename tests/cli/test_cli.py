"""The ``nightowl`` command through Typer's runner: help, config check, demo and incidents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.core import TyperGroup
from typer.testing import CliRunner, Result

from nightowl.cli.main import app
from nightowl.store import IncidentStore

# No settings from the developer's environment; a wide console so messages are not wrapped.
CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_WEBHOOK_TOKEN": None,
    "COLUMNS": "400",
}


def run(*args: str | Path, **env: str) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={**CLEAN_ENV, **env})


def leaf_commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every runnable command under ``command`` (a Click command or group), by its path; lazy
    commands (nightowl.cli.lazy) are loaded to be listed."""
    if not isinstance(command, TyperGroup):
        yield path
        return
    context = typer.Context(command)
    for name in sorted(command.list_commands(context)):
        yield from leaf_commands(command.get_command(context, name), (*path, name))


OWN_CONFIGURATION = (("bench",), ("sandbox",), ("scenarios",))
"""The lab's commands that bring their own configuration (a sandbox, a benchmark's temporary
server, generated files): a --config there would be ignored, so they take none."""
NIGHTOWL_SERVE = ("sandbox", "nightowl-serve")
"""How the sandbox starts ``nightowl serve`` with the configuration it wrote."""
NO_CONFIGURATION = {("db", "heads"), ("model", "drift")}
"""Commands that read neither the configuration nor the store: the revisions this version ships;
two data files compared."""
STATE_IN_DATA_DIR = {("bench", "e2e"), ("sandbox", "down"), ("sandbox", "inject"),
                     ("sandbox", "run"), ("sandbox", "status"), ("sandbox", "up")}  # fmt: skip


def test_the_help_of_every_command() -> None:
    """--config and --data-dir wherever they are used (and only there), and no flag shown with
    a value type (Typer's Rich help printed ``<bool>`` after every flag, --help included)."""
    commands = list(leaf_commands(typer.main.get_command(app)))
    assert {("demo",), ("serve",), ("config", "check"), ("incidents", "show")} <= set(commands)
    assert STATE_IN_DATA_DIR | {NIGHTOWL_SERVE} <= set(commands)

    for path in commands:
        result = run(*path, "--help")

        assert result.exit_code == 0, (path, result.output)
        own = path[:1] in OWN_CONFIGURATION and path != NIGHTOWL_SERVE
        if path in NO_CONFIGURATION:
            assert "--config" not in result.stdout, path
            assert "--data-dir" not in result.stdout, path
            continue
        assert ("--config" in result.stdout) is not own, path
        assert ("--data-dir" in result.stdout) is (not own or path in STATE_IN_DATA_DIR), path
        assert "<bool>" not in result.stdout, path  # a flag takes no value: no type to show
        assert "--install-completion" not in result.stdout, path  # the root's option only


def test_config_check_passes_on_the_embedded_defaults(tmp_path: Path) -> None:
    result = run("config", "check", XDG_DATA_HOME=str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.stdout
    assert str(tmp_path / "nightowl") in result.stdout


def test_the_data_dir_flag_overrides_the_environment(tmp_path: Path) -> None:
    result = run(
        "config",
        "check",
        "--json",
        "--data-dir",
        tmp_path / "flag",
        NIGHTOWL_DATA_DIR=str(tmp_path / "env"),
    )

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body == {"ok": True, "data_dir": str(tmp_path / "flag"), "store_exists": False}


def test_config_check_names_the_file_and_key_of_a_bad_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("server:\n  port: eighty\n")

    result = run("config", "check", "--config", bad, "--data-dir", tmp_path)

    assert result.exit_code == 2
    assert "configuration error" in result.stderr
    assert str(bad) in result.stderr
    assert "server.port" in result.stderr
    assert "'eighty'" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_config_check_names_a_bad_integration_option(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"notify": {"notifiers": [{"name": "ops", "kind": "webhook"}]}}))

    result = run("config", "check", "--config", bad, "--data-dir", tmp_path)

    assert result.exit_code == 2
    assert "notify.notifiers.ops" in result.stderr
    assert "url" in result.stderr


def test_an_unknown_demo_scenario_lists_the_bundled_ones(tmp_path: Path) -> None:
    result = run("demo", "--scenario", "nope", "--data-dir", tmp_path)

    assert result.exit_code == 2
    assert "checkout-bad-deploy" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One ``nightowl demo --json`` run for the module: its data dir and the incident it printed."""
    data_dir = tmp_path_factory.mktemp("cli")
    result = run("demo", "--json", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    incident: dict[str, Any] = json.loads(result.stdout)
    return data_dir, incident


def test_the_demo_takes_the_3am_page_end_to_end(demo: tuple[Path, dict[str, Any]]) -> None:
    data_dir, incident = demo

    cause = incident["diagnosis"]["root_cause"]
    assert (cause["kind"], cause["service"], cause["deploy"]) == (
        "bad_deploy",
        "checkout",
        "v2.4.1",
    )
    assert incident["actions"][0]["kind"] == "rollback"
    assert incident["actions"][0]["status"] == "succeeded"
    assert incident["verification"]["recovered"] is True
    assert incident["status"] == "resolved"
    report = Path(incident["report_path"])
    assert report.is_file()
    assert report.is_relative_to(data_dir / "demo")
    assert "- **Root cause:** bad_deploy on checkout (deploy v2.4.1)" in report.read_text(
        encoding="utf-8"
    )


def test_incidents_list_shows_the_demos_incident(demo: tuple[Path, dict[str, Any]]) -> None:
    data_dir, incident = demo

    result = run("incidents", "list", "--json", "--data-dir", data_dir / "demo")

    assert result.exit_code == 0, result.output
    [listed] = json.loads(result.stdout)
    assert listed["id"] == incident["id"]
    assert (listed["service"], listed["status"], listed["alert_count"]) == (
        "checkout",
        "resolved",
        1,
    )


def test_incidents_list_filters_by_status(demo: tuple[Path, dict[str, Any]]) -> None:
    data_dir, _ = demo

    result = run(
        "incidents", "list", "--json", "--status", "escalated", "--data-dir", data_dir / "demo"
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_incidents_show_tells_the_story(demo: tuple[Path, dict[str, Any]]) -> None:
    data_dir, incident = demo

    shown = run("incidents", "show", incident["id"], "--data-dir", data_dir / "demo")
    as_json = run("incidents", "show", incident["id"], "--json", "--data-dir", data_dir / "demo")

    assert shown.exit_code == 0, shown.output
    for stage in ("triage", "gather", "diagnose", "act", "verify", "report", "notify"):
        assert stage in shown.stdout
    assert "Recovered: recovered" not in shown.stdout  # said once, by the status line
    assert "Status: resolved — recovered: checkout" in shown.stdout
    assert incident["report_path"] in shown.stdout
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == incident


def test_incidents_report_exports_markdown_html_and_json(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data_dir, incident = demo
    where = ("--data-dir", data_dir / "demo")

    markdown = run("incidents", "report", incident["id"], *where)
    as_json = run("incidents", "report", incident["id"], "--format", "json", *where)
    out = tmp_path / "postmortem.html"
    as_html = run("incidents", "report", incident["id"], "--format", "html", "-o", out, *where)

    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout == Path(incident["report_path"]).read_text(encoding="utf-8")
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert (report["incident_id"], report["outcome"]["status"]) == (incident["id"], "resolved")
    assert report["cause"]["commit"] == "9f3c2ab"
    assert as_html.exit_code == 0, as_html.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_incidents_report_refuses_an_unknown_format_and_an_unwritable_output(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data_dir, incident = demo
    where = ("--data-dir", data_dir / "demo")

    bad_format = run("incidents", "report", incident["id"], "--format", "pdf", *where)
    unwritable = run("incidents", "report", incident["id"], "-o", tmp_path / "no" / "x.md", *where)

    assert bad_format.exit_code == 2
    assert "markdown" in bad_format.output
    assert unwritable.exit_code == 1
    assert "choose another --output" in unwritable.stderr
    assert "Traceback" not in unwritable.output


def test_incidents_show_of_an_unknown_id_says_so(tmp_path: Path) -> None:
    IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}").close()

    result = run("incidents", "show", "nope", "--data-dir", tmp_path)

    assert result.exit_code == 1
    assert "no incident 'nope'" in result.stderr
    assert "nightowl incidents list" in result.stderr
    assert "Traceback" not in result.output


def test_the_sandbox_data_dir_says_it_holds_the_state_file_only() -> None:
    """The sandbox's nightowl keeps its store in the sandbox directory: --data-dir of the sandbox
    commands places their state file, and their help says so rather than the generic "where
    nightowl keeps its database and reports"."""
    for path in sorted(STATE_IN_DATA_DIR):
        shown = " ".join(run(*path, "--help").stdout.split())

        assert "/sandbox/" in shown, path
        assert "state.json" in shown, path
        assert "keeps its database and reports" not in shown, path
        assert "NIGHTOWL_DATA_DIR" not in shown, path
