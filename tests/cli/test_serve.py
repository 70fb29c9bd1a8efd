"""``nightowl serve``: "listening" only once the socket is bound; a port in use is one line and
exit code 2; logs in JSON with the access log on demand. Real servers: a real socket holds the port,
and ``serve`` runs as a subprocess.

And the startup summary it prints, with the loud warnings when it has nothing to read, no one to
tell and no webhook token (it serves all the same)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.test_cli import run


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process (this one) is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_in_use_is_one_line_and_exit_code_2(taken_port: int, tmp_path: Path) -> None:
    result = run(
        "serve", "--port", str(taken_port), "--data-dir", tmp_path, NIGHTOWL_WEBHOOK_TOKEN="t"
    )

    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"error: port {taken_port} is in use: stop the other process or pass --port"
    )
    assert "listening" not in result.stdout
    assert "Traceback" not in result.output


def test_an_address_not_on_this_machine_is_one_line(tmp_path: Path) -> None:
    result = run("serve", "--host", "192.0.2.1", "--port", "1", "--data-dir", tmp_path)

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: cannot listen on 192.0.2.1:1: ")
    assert "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_listening_is_printed_once_bound_and_the_access_log_is_json(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "NIGHTOWL_WEBHOOK_TOKEN": "t", "NIGHTOWL_CONFIG": ""}
    argv = [sys.executable, "-m", "nightowl.cli", "serve", "--port", str(port)]
    argv += ["--data-dir", str(tmp_path), "--log-format", "json", "--access-log"]
    server = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        said = [server.stdout.readline() for _ in range(2)]  # after the startup summary
        while "nightowl listening on" not in said[-1] and said[-1]:
            said.append(server.stdout.readline())
        assert f"listening on http://127.0.0.1:{port}" in said[-1], said
        # Bound and listening: the connection is taken now and answered once uvicorn runs.
        answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert answer.status_code == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=60)
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    access = [entry for entry in logged if entry["logger"] == "uvicorn.access"]
    assert access, stderr
    assert "GET /healthz" in str(access[0]["message"])
    assert {"ts", "level", "message", "incident_id", "stage"} <= set(access[0])


def serve_output(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Start ``nightowl serve`` on a free port, wait until it answers, stop it; its output."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTOWL_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "nightowl.cli", "serve", "--port", str(port), *args],
        env=env | {"XDG_DATA_HOME": str(tmp_path), "COLUMNS": "400"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:  # the port is bound before the app is built: wait for it to answer
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "nightowl serve did not listen within 60 s"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    return out, err


def test_serve_with_nothing_configured_says_so_loudly(tmp_path: Path) -> None:
    out, err = serve_output(tmp_path)

    assert "connectors: metrics: none; logs: none; deploys: recorded; cluster: none" in out
    assert "autonomy: suggest; dry-run: on" in out
    assert f"store: sqlite:///{tmp_path}/nightowl/nightowl.sqlite" in out
    assert "WARNING: no metrics source configured" in err
    assert "no data sources configured" in err
    assert "WARNING: no notifier configured" in err
    assert "WARNING: no webhook token configured" in err


def test_a_role_it_does_not_know_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = run("serve", "--role", "boss", "--data-dir", tmp_path)

    assert result.exit_code == 2, result.output
    assert "'boss' is not one of 'api', 'worker', 'all'" in result.stderr
    assert "Traceback" not in result.output


def test_the_role_flag_wins_over_the_settings() -> None:
    from nightowl.cli.serve import with_role
    from nightowl.settings import Settings

    settings = Settings.model_validate({"cluster": {"role": "worker"}})
    assert with_role(settings, None).cluster.role == "worker"
    assert with_role(settings, "api").cluster.role == "api"


def test_a_connector_that_does_not_answer_is_warned_of_before_serving(tmp_path: Path) -> None:
    """Configured is not reachable: a metrics source on a dead port gets a loud warning, by name
    and reason, before the server answers (every incident would otherwise just gather nothing)."""
    config = tmp_path / "nightowl.yaml"
    dead = f"http://127.0.0.1:{free_port()}"
    config.write_text(f"connectors: [{{name: prom, kind: prometheus, url: '{dead}'}}]\n")

    out, err = serve_output(tmp_path, "--config", str(config))

    assert "connectors: metrics: prom" in out
    said = " ".join(err.split())
    assert "WARNING: connector prom (prometheus) does not answer: connector 'prom':" in said
    assert f"cannot reach {dead}/api/v1/query" in said
    assert "no metrics source configured" not in said


def test_accepted_connections_send_without_nagles_delay() -> None:
    """The listening socket says it is TCP, so asyncio sets TCP_NODELAY on every connection it
    accepts: a response written in two parts (head, then body) goes out at once instead of
    waiting for the client's delayed ACK (40 ms on Linux; docs/benchmarks.md, "Nagle")."""
    import asyncio

    from nightowl.cli.serve import listen

    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=sock)
        async with server:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(seen, 10)
            writer.close()
            return value

    assert asyncio.run(accepted_nodelay()) != 0


def test_a_started_server_freezes_its_start_up_objects_out_of_the_collector() -> None:
    """Once uvicorn's start-up (the lifespan: the app launched) is done, what exists is frozen, so
    full collections while serving scan only new objects (docs/benchmarks.md, "collector"). Run in
    a subprocess of its own: freezing this test process would change what its collector sees."""
    script = """
import asyncio, gc, socket
import uvicorn
from nightowl.cli.serve import _frozen_start_server, listen

seen = {}

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            seen["frozen before the lifespan started"] = gc.get_freeze_count()
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

sock = listen("127.0.0.1", 0)
server = _frozen_start_server()(uvicorn.Config(app, log_config=None))

async def main():
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    seen["frozen once started"] = gc.get_freeze_count()
    server.should_exit = True
    await task

asyncio.run(main())
print(seen["frozen before the lifespan started"], seen["frozen once started"])
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after > 10_000  # the modules and classes of uvicorn and nightowl's CLI at least
