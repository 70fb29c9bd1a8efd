"""docs/getting-started.md, followed literally: every block marked ``<!-- step: ... -->`` runs in
order, in an empty directory, with the guide's ports moved to free ones.

Real processes throughout: the lab's demo service and load generator, Prometheus and Alertmanager
(Debian packages), ``nightowl init`` and ``nightowl serve``, and the guide's Slack-shaped
receiver. The page must end with an incident diagnosed as the bad deploy it stages, and a Block
Kit message in the receiver's file.

Steps: ``file NAME`` writes the block; ``run`` runs it with bash and must succeed; ``background
NAME [PORT]`` starts it and waits for the port; ``stop NAME`` stops it; ``wait-incident`` waits
for a diagnosed incident, then runs the block; ``wait-slack`` waits for the receiver's file, then
runs the block; ``wait-seconds N`` waits (the guide asks the reader to let time pass).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.ports import free_port

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "getting-started.md"
PORTS = ("9090", "9093", "8080", "8081", "9099")
STEP = re.compile(r"^<!-- step: ([\w-]+)(?: (.*?))? -->$")
FENCE = re.compile(r"^```")
INCIDENT_SECONDS = 420.0
BLOCKLESS = ("stop", "wait-seconds")

pytestmark = [pytest.mark.slow, pytest.mark.serial]


@dataclass
class Step:
    kind: str
    args: list[str]
    body: str = ""


def steps(text: str) -> list[Step]:
    """The marked steps of the guide, each with the fenced block after it (if it takes one)."""
    found: list[Step] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = STEP.match(lines[i].strip())
        i += 1
        if not match:
            continue
        step = Step(match.group(1), (match.group(2) or "").split())
        found.append(step)
        if step.kind in BLOCKLESS:
            continue
        while not FENCE.match(lines[i]):
            i += 1
        end = next(j for j in range(i + 1, len(lines)) if FENCE.match(lines[j]))
        step.body = "\n".join(lines[i + 1 : end]) + "\n"
        i = end + 1
    return found


def remap(text: str, ports: dict[str, str]) -> str:
    return re.sub(r"\b(" + "|".join(PORTS) + r")\b", lambda m: ports[m.group(1)], text)


class Guide:
    """Runs the steps in ``directory``; stops what it started."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports = {p: str(free_port()) for p in PORTS}
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.incident: dict[str, Any] | None = None
        bin_dir = str(Path(sys.executable).parent)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTOWL_")}
        self.env = clean | {"PATH": f"{bin_dir}:{clean.get('PATH', '')}", "COLUMNS": "200"}

    def port(self, guide_port: str) -> int:
        return int(self.ports[guide_port])

    def follow(self, step: Step) -> str:
        body = remap(step.body, self.ports)
        if step.kind == "file":
            (self.directory / step.args[0]).write_text(body)
        elif step.kind == "background":
            self.start(step.args[0], body, [remap(a, self.ports) for a in step.args[1:]])
        elif step.kind == "stop":
            self.stop(step.args[0])
        elif step.kind == "wait-seconds":
            time.sleep(float(step.args[0]))
        elif step.kind == "wait-incident":
            wait_for_incident(self)
            return self.run(body)
        elif step.kind == "wait-slack":
            wait_for(lambda: (self.directory / "slack.jsonl").exists(), 120, "a Slack message")
            return self.run(body)
        else:
            assert step.kind == "run", step.kind
            return self.run(body)
        return ""

    def run(self, script: str) -> str:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, name: str, script: str, ports: list[str]) -> None:
        log = (self.directory / f"{name}.out").open("wb")
        self.running[name] = subprocess.Popen(
            ["bash", "-c", script],
            cwd=self.directory,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port in ports:
            wait_for(lambda p=int(port): listening(p, self.running[name]), 60, f"{name} on {port}")

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def secrets(self) -> dict[str, str]:
        text = (self.directory / "nightowl.env").read_text()
        pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
        return {k: v.strip("'") for k, v in pairs}

    def output_of(self, name: str) -> str:
        return (self.directory / f"{name}.out").read_text(errors="replace")


def listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"exited with {process.returncode} before port {port}"
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(ready: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"no {what} within {seconds:g}s"
        time.sleep(0.5)


def wait_for_incident(guide: Guide) -> None:
    """Until nightowl holds an incident with a diagnosis (read with the admin's token)."""
    url = f"http://127.0.0.1:{guide.port('8080')}/api/v1/incidents"
    headers = {"Authorization": f"Bearer {guide.secrets()['NIGHTOWL_ADMIN_TOKEN']}"}

    def diagnosed() -> bool:
        listed = httpx.get(url, headers=headers, timeout=10).json()
        for summary in listed:
            incident = httpx.get(f"{url}/{summary['id']}", headers=headers, timeout=10).json()
            if incident.get("diagnosis"):
                guide.incident = incident
                return True
        return False

    wait_for(diagnosed, INCIDENT_SECONDS, "diagnosed incident")


@pytest.fixture
def guide(tmp_path: Path) -> Iterator[Guide]:
    for binary in ("prometheus", "prometheus-alertmanager"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} is not installed (scripts/install-services.sh installs it)")
    followed = Guide(tmp_path)
    try:
        yield followed
    finally:
        followed.stop_all()


def test_the_guide_gets_a_real_alert_diagnosed_and_a_slack_message_out(guide: Guide) -> None:
    outputs = [(step.kind, guide.follow(step)) for step in steps(GUIDE.read_text())]
    init = next(out for kind, out in outputs if kind == "run")
    assert "connector metrics (prometheus): ok" in init, init

    serve = guide.output_of("nightowl")
    assert "connectors: metrics: metrics" in serve, serve
    assert "WARNING" not in serve, serve
    incident = guide.incident
    assert incident is not None
    cause = incident["diagnosis"]["root_cause"]
    found = [e["summary"] for e in incident["evidence"]] + [
        s.get("summary") for s in incident["stages"]
    ]
    assert cause is not None, "\n".join(map(str, [incident["diagnosis"]["explanation"], *found]))
    assert (cause["kind"], cause["service"]) == ("bad_deploy", "checkout"), cause
    shown = dict(outputs)
    assert "checkout" in shown["wait-incident"]
    posts = [json.loads(line) for line in shown["wait-slack"].splitlines()]
    assert posts[0]["path"] == "/slack"
    body = posts[0]["body"]
    assert body["blocks"], body
    assert "checkout" in json.dumps(body), body


def test_the_guide_marks_every_step_it_relies_on() -> None:
    found = steps(GUIDE.read_text())
    kinds = [s.kind for s in found]

    started = {s.args[0] for s in found if s.kind == "background"}
    assert started == {
        "checkout-v1",
        "load",
        "prometheus",
        "slack",
        "alertmanager",
        "nightowl",
        "checkout-v2",
    }
    assert kinds[-2:] == ["wait-incident", "wait-slack"]
    assert "run" in kinds
    assert "stop" in kinds
