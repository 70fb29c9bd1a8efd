"""The gather stage: budgets against real sockets (a slow HTTP server on loopback that answers after
seconds, and a dead port: slow or dead backends become 'unavailable' evidence with the reason, the
rest still arrives, and the stage ends within its per-call timeout and total deadline); and the
history of normal operation it reads before the window (``gather.history_minutes``)."""

from __future__ import annotations

import json
import threading
import time
from asyncio import run
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from nightowl_lab.harness.ports import free_port

from nightowl.clock import ScenarioClock, SystemClock
from nightowl.connectors.files import FilesConfig, LogFiles
from nightowl.connectors.gather import Gather
from nightowl.connectors.loki import Loki, LokiConfig
from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.connectors.sources import Sources
from nightowl.connectors.static import StaticConfig, StaticTopology
from nightowl.domain import Deploy, LogLevel, LogRecord, Series, SignalKind
from nightowl.graph.facts import config_facts, dependency_facts, deploy_facts
from nightowl.graph.knowledge import Knowledge
from nightowl.settings import GatherSettings, Settings
from nightowl.settings.people import GraphSettings
from nightowl.store import create_engine_for, migrate
from nightowl.store.graph import GraphStore
from nightowl.testing.sources import FakeLogs, FakeMetrics, FakeTopology

SLOW_SECONDS = 6.0


@pytest.fixture
def slow_url() -> Iterator[str]:
    """A Prometheus-shaped HTTP server that answers only after SLOW_SECONDS."""
    released = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            released.wait(SLOW_SECONDS)
            body = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": []}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        released.set()
        server.shutdown()
        server.server_close()


def stage(tmp_path: Path, slow_url: str, **gather: float) -> Gather:
    settings = Settings.model_validate({"data_dir": str(tmp_path), "gather": gather})
    now = datetime.now(UTC).isoformat()
    (tmp_path / "checkout.log").write_text(f"{now} ERROR payment failed\n")
    sources = Sources.of(
        [
            Prometheus("slow-prom", PrometheusConfig(url=slow_url, timeout_seconds=30)),
            Loki("dead-loki", LokiConfig(url=f"http://127.0.0.1:{free_port()}")),
            LogFiles("files", FilesConfig(path=str(tmp_path / "*.log"))),
            StaticTopology("graph", StaticConfig(services={"checkout": ["payments"]})),
        ]
    )
    return Gather(sources, settings.gather, SystemClock())


def test_slow_and_dead_backends_degrade_the_evidence(tmp_path: Path, slow_url: str) -> None:
    gather = stage(tmp_path, slow_url, call_timeout_seconds=0.5, deadline_seconds=10)
    started = time.monotonic()
    obs = run(gather.gather("checkout"))
    elapsed = time.monotonic() - started
    assert elapsed < 3.0  # the slow server answers only after 6s
    reasons = {(u.source, u.what): u.reason for u in obs.unavailable}
    assert reasons[("slow-prom", "signals of checkout")] == "no answer within 0.5s"
    assert reasons[("slow-prom", "signals of payments")] == "no answer within 0.5s"
    assert reasons[("dead-loki", "logs")].startswith(
        "connector 'dead-loki': cannot reach http://127.0.0.1:"
    )
    assert [r.message for r in obs.logs] == ["ERROR payment failed"]
    assert obs.services == ("checkout", "payments")


def test_the_total_deadline_cuts_off_what_is_still_running(tmp_path: Path, slow_url: str) -> None:
    gather = stage(tmp_path, slow_url, call_timeout_seconds=20, deadline_seconds=1)
    started = time.monotonic()
    obs = run(gather.gather("checkout"))
    elapsed = time.monotonic() - started
    assert elapsed < 3.0  # the deadline, not the 20s call timeout, ended it
    cut = [u for u in obs.unavailable if u.source == "slow-prom"]
    assert sorted(u.what for u in cut) == [  # the window's reads and the history's
        "history of checkout",
        "history of payments",
        "signals of checkout",
        "signals of payments",
    ]
    assert all(u.reason == "cut off by the gather deadline of 1s" for u in cut)
    assert len(obs.logs) == 1


NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def _series(signal: SignalKind, hours: int) -> Series:
    start = NOW - timedelta(hours=hours)
    stamps = tuple((start + timedelta(minutes=i)).timestamp() for i in range(hours * 60 + 1))
    return Series(metric=signal.value, timestamps=stamps, values=tuple(1.0 for _ in stamps))


def _gather(minutes: int, *, metrics_error: str | None = None) -> Gather:
    signals = {s: {SignalKind.ERROR_RATE: _series(SignalKind.ERROR_RATE, 12)} for s in ("a", "b")}
    logs = [
        LogRecord(timestamp=NOW - timedelta(hours=h), service="b", level=LogLevel.ERROR, message=m)
        for h, m in ((3, "old error"), (0.5, "new error"))
    ]
    sources = Sources.of(
        [
            FakeMetrics(signals, error=metrics_error),
            FakeLogs(logs),
            FakeTopology({"a": ["b"]}),
        ]
    )
    settings = GatherSettings(lookback_minutes=60, history_minutes=minutes)
    return Gather(sources, settings, ScenarioClock(NOW))


def test_history_is_the_stretch_before_the_window_and_apart_from_it() -> None:
    obs = run(_gather(240).gather("a"))
    window = obs.signals["b"]["error_rate"]
    history = obs.history.signals["b"]["error_rate"]
    assert min(window.timestamps) >= obs.start.timestamp()
    assert max(history.timestamps) <= obs.start.timestamp()
    assert min(history.timestamps) >= (obs.start - timedelta(minutes=240)).timestamp()
    assert len(history.values) >= 239
    assert [r.message for r in obs.history.logs] == ["old error"]
    assert [r.message for r in obs.logs] == ["new error"]


def test_no_history_when_switched_off() -> None:
    obs = run(_gather(0).gather("a"))
    assert obs.history.signals == {}
    assert obs.history.logs == ()
    assert obs.signals["a"]["error_rate"].values


def test_a_failing_history_read_is_recorded_not_fatal() -> None:
    obs = run(_gather(240, metrics_error="backend down").gather("a"))
    assert obs.history.signals == {}
    assert {u.what for u in obs.unavailable} >= {"history of a", "history of b"}
    assert [r.message for r in obs.history.logs] == ["old error"]


def _knowledge(tmp_path: Path) -> Knowledge:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'graph.sqlite'}")
    migrate(engine)
    graph = GraphStore(engine)
    settings = GraphSettings(owners={"a": ["team:team-a"]})
    graph.record(config_facts(settings, NOW))
    graph.record(dependency_facts({"a": ["b"], "b": ["c"]}, "k8s", "k8s topology", NOW))
    deploy = Deploy(service="b", version="v2", at=NOW - timedelta(minutes=10), author="bo")
    graph.record(deploy_facts(deploy, "push", "pushed", NOW))
    return Knowledge(graph, settings)


def test_gather_reads_owners_changes_and_dependencies_from_the_graph(tmp_path: Path) -> None:
    sources = Sources.of([FakeMetrics({}), FakeTopology({"a": ["b"]})])
    gather = Gather(
        sources, GatherSettings(history_minutes=0), ScenarioClock(NOW), _knowledge(tmp_path)
    )
    obs = run(gather.gather("a"))
    (card,) = obs.knowledge
    assert [o.name for o in card.owners] == ["team-a"]
    assert [(d.service, d.hops) for d in card.dependencies] == [("b", 1)]  # one call away
    assert obs.topology == {"a": ["b"]}  # the live topology wins


def test_without_a_live_topology_gather_walks_the_graphs_last_known_one(tmp_path: Path) -> None:
    sources = Sources.of([FakeMetrics({})])
    gather = Gather(
        sources, GatherSettings(history_minutes=0), ScenarioClock(NOW), _knowledge(tmp_path)
    )
    obs = run(gather.gather("a"))
    assert obs.topology == {"a": ["b"], "b": ["c"], "c": []}
    assert set(obs.services) == {"a", "b", "c"}


def test_an_unreadable_graph_is_unavailable_evidence_not_a_failed_gather(tmp_path: Path) -> None:
    knowledge = _knowledge(tmp_path)
    knowledge.store.sessions.engine.dispose()
    (tmp_path / "graph.sqlite").unlink()
    (tmp_path / "graph.sqlite").mkdir()  # the database is gone: every read fails
    gather = Gather(Sources.of([FakeMetrics({})]), GatherSettings(history_minutes=0),
                    ScenarioClock(NOW), knowledge)  # fmt: skip
    obs = run(gather.gather("a"))
    assert obs.knowledge == ()
    assert [u.what for u in obs.unavailable] == ["knowledge graph"]
