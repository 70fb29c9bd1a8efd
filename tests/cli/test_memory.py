"""``nightowl memory similar|feedback|forget`` through Typer's runner over a real data dir, acting
as the operating-system user ``dana`` (an admin by ``cli.users``) or ``vic`` (a viewer)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from nightowl.cli.main import app as cli
from nightowl.domain.memory import memory_of
from nightowl.store import IncidentStore
from nightowl.store.memory import MemoryStore
from tests.store.samples import T0, make_alert

ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_TOKEN": None,
    "LOGNAME": "dana",
    "USER": "dana",
    "COLUMNS": "300",
}


def run(*args: str | Path, user: str = "dana") -> Result:
    env = ENV | {"LOGNAME": user, "USER": user}
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def setup(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    path = tmp_path / "nightowl.yaml"
    users = {"dana": "admin", "vic": "viewer"}
    path.write_text(yaml.safe_dump({"data_dir": str(data), "cli": {"users": users}}))
    url = f"sqlite:///{data / 'nightowl.sqlite'}"
    data.mkdir()
    store, memory = IncidentStore.open(url), MemoryStore.open(url)
    try:
        for n in (1, 2, 3):
            store.create_incident(
                incident_id=f"inc-{n}",
                correlation_key=f"k{n}",
                title="HighErrorRate on checkout",
                service="checkout",
                severity=None,
                opened_at=T0,
            )
            store.add_alerts(f"inc-{n}", [make_alert(f"h{n}", f"f{n}")], T0)
        for n in (1, 2):
            memory.remember(memory_of(store.get(f"inc-{n}")), T0)
    finally:
        store.close()
        memory.close()
    return path


def test_similar_feedback_and_forget(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    shown = run("memory", "similar", "inc-3", "--config", cfg, "--json")
    assert shown.exit_code == 0, shown.output
    assert sorted(m["memory"]["incident_id"] for m in json.loads(shown.stdout)) == [
        "inc-1",
        "inc-2",
    ]
    fed = run(
        "memory", "feedback", "inc-1", "correct", "--kind", "memory_leak", "--service",
        "checkout", "-m", "heap grew", "--config", cfg,
    )  # fmt: skip
    assert fed.exit_code == 0, fed.output
    assert "correct on inc-1 by dana" in fed.output
    table = run("memory", "similar", "inc-3", "--config", cfg)
    assert "memory_leak on checkout" in table.output
    assert "dana: correct" in table.output
    gone = run("memory", "forget", "--person", "dana", "--config", cfg, "--json")
    assert json.loads(gone.stdout) == {"deleted": 1}
    gone = run("memory", "forget", "--incident", "inc-2", "--config", cfg)
    assert "forgot 1 row(s)" in gone.output


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    viewer = run("memory", "feedback", "inc-1", "confirm", "--config", cfg, user="vic")
    incomplete = run("memory", "feedback", "inc-1", "correct", "--config", cfg)
    nothing = run("memory", "forget", "--config", cfg)
    unknown = run("memory", "similar", "nope", "--config", cfg)
    for result in (viewer, incomplete, nothing, unknown):
        assert result.exit_code != 0
        assert "Traceback" not in result.output
    assert "may not confirm or correct a diagnosis" in viewer.output
    assert "true cause" in incomplete.output
    assert "exactly one" in nothing.output
    assert "nope" in unknown.output
