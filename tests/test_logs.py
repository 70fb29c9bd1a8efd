"""Operational logging: console and JSON lines that name the incident and the stage they were
written for, also from threads the stage starts; levels checked."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from nightowl import telemetry
from nightowl.logs import LEVELS, configure, handler, incident_context
from nightowl.settings import TracingSettings


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger writing to a JSON stream and a console stream."""
    as_json, as_text = io.StringIO(), io.StringIO()
    logger = logging.getLogger("nightowl.test_logs")
    logger.propagate, logger.level = False, logging.DEBUG
    handlers = [handler("json", as_json), handler("console", as_text)]
    for h in handlers:
        logger.addHandler(h)
    yield logger, as_json, as_text
    for h in handlers:
        logger.removeHandler(h)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_incident_and_the_stage(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, as_text = captured
    logger.info("before")
    with incident_context("inc-42", "gather"):
        logger.warning("querying %s", "prometheus")
    logger.info("after")

    before, during, after = lines(as_json)
    assert set(during) == {
        "ts", "level", "logger", "message", "incident_id", "stage", "trace_id"
    }  # fmt: skip
    assert during["trace_id"] is None  # no span: nightowl's tracing is off
    assert during["level"] == "WARNING"
    assert during["logger"] == "nightowl.test_logs"
    assert (during["message"], during["incident_id"], during["stage"]) == (
        "querying prometheus",
        "inc-42",
        "gather",
    )
    assert str(during["ts"]).endswith("+00:00")
    assert before["incident_id"] is None
    assert after["incident_id"] is None
    text = as_text.getvalue().splitlines()
    assert text[1].endswith("WARNING nightowl.test_logs [inc-42 gather]: querying prometheus")
    assert text[0].endswith("INFO nightowl.test_logs: before")


def test_a_thread_the_stage_starts_logs_for_the_same_incident(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, _ = captured

    async def stage() -> None:
        with incident_context("inc-7", "analyze"):
            await asyncio.to_thread(logger.info, "in a worker thread")

    asyncio.run(stage())
    (line,) = lines(as_json)
    assert (line["incident_id"], line["stage"]) == ("inc-7", "analyze")


def test_exceptions_are_kept_in_json(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, as_json, _ = captured
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("stage failed")
    (line,) = lines(as_json)
    assert "RuntimeError: boom" in str(line["exception"])


def test_configure_replaces_only_its_own_handler_and_refuses_unknown_levels(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    try:
        configure("info", "console")
        configure("info", "json")  # replaces the first; a test runner's handlers stay
        assert root.level == logging.INFO
        theirs = [
            h for h in saved[1] if type(h).__name__ != "_Stderr"
        ]  # an earlier test's own goes
        assert len(root.handlers) == len(theirs) + 1
        logging.getLogger("nightowl.configured").info("to stderr")
        (line,) = capsys.readouterr().err.splitlines()  # the stderr of now, captured
        assert json.loads(line)["message"] == "to stderr"
        with pytest.raises(ValueError, match="not one of " + ", ".join(LEVELS)):
            configure("LOUD")
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def test_a_line_written_inside_a_span_names_its_trace(
    captured: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    logger, as_json, as_text = captured
    exporter = InMemorySpanExporter()
    telemetry.install(TracingSettings(), exporter=exporter)
    try:
        with incident_context("inc-7", "gather"), telemetry.span("read prometheus") as traced:
            logger.warning("slow answer")
        logger.info("outside")
    finally:
        telemetry.shutdown()

    inside, outside = lines(as_json)
    [finished] = exporter.get_finished_spans()
    assert finished.context is not None
    expected = format(finished.context.trace_id, "032x")
    assert traced.trace_id == expected
    assert (inside["trace_id"], outside["trace_id"]) == (expected, None)
    assert (
        as_text.getvalue().splitlines()[0].endswith(f"[inc-7 gather trace={expected}]: slow answer")
    )
