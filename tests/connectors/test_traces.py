"""Topology from trace files written by the tests in OTLP JSON (``ExportTraceServiceRequest``,
one document or JSON lines) and Jaeger JSON formats; unreadable files are clear errors."""

from __future__ import annotations

import json
from asyncio import run
from pathlib import Path

import pytest

from nightowl.connectors.traces import TracesConfig, TraceTopology
from nightowl.errors import ConnectorError


def otlp(service: str, spans: list[tuple[str, str, str]]) -> dict[str, object]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "opentelemetry.instrumentation.flask"},
                        "spans": [
                            {
                                "traceId": trace,
                                "spanId": span,
                                "parentSpanId": parent,
                                "name": "GET /pay",
                                "kind": 2,
                                "startTimeUnixNano": "1795143000000000000",
                                "endTimeUnixNano": "1795143000100000000",
                            }
                            for trace, span, parent in spans
                        ],
                    }
                ],
            }
        ]
    }


def test_otlp_json_parent_child_spans_across_services(tmp_path: Path) -> None:
    trace = "5b8efff798038103d269b633813fc60c"
    (tmp_path / "a.json").write_text(
        json.dumps(otlp("frontend", [(trace, "eee19b7ec3c1b174", "")]))
    )
    lines = [
        otlp("checkout", [(trace, "0102040800000000", "eee19b7ec3c1b174")]),
        otlp(
            "payments",
            [
                (trace, "1111111111111111", "0102040800000000"),
                (trace, "2222222222222222", "1111111111111111"),
            ],
        ),
    ]
    (tmp_path / "b.json").write_text("\n".join(json.dumps(x) for x in lines))
    topo = TraceTopology("traces", TracesConfig(path=str(tmp_path / "*.json")))
    assert run(topo.dependencies()) == {
        "checkout": ["payments"],
        "frontend": ["checkout"],
        "payments": [],
    }


def test_jaeger_json_references(tmp_path: Path) -> None:
    jaeger = {
        "data": [
            {
                "traceID": "abc",
                "spans": [
                    {"traceID": "abc", "spanID": "s1", "operationName": "GET /", "references": [], "processID": "p1", "startTime": 1, "duration": 5},
                    {"traceID": "abc", "spanID": "s2", "operationName": "search", "references": [{"refType": "CHILD_OF", "traceID": "abc", "spanID": "s1"}], "processID": "p2", "startTime": 2, "duration": 2},
                    {"traceID": "abc", "spanID": "s3", "operationName": "query", "references": [{"refType": "CHILD_OF", "traceID": "abc", "spanID": "s2"}], "processID": "p3", "startTime": 2, "duration": 1},
                ],
                "processes": {
                    "p1": {"serviceName": "frontend", "tags": []},
                    "p2": {"serviceName": "search", "tags": []},
                    "p3": {"serviceName": "elasticsearch", "tags": []},
                },
                "warnings": None,
            }
        ],
        "total": 0, "limit": 0, "offset": 0, "errors": None,
    }  # fmt: skip
    (tmp_path / "trace.json").write_text(json.dumps(jaeger))
    topo = TraceTopology("jaeger", TracesConfig(path=str(tmp_path / "trace.json")))
    assert run(topo.dependencies()) == {
        "elasticsearch": [],
        "frontend": ["search"],
        "search": ["elasticsearch"],
    }


def test_unreadable_trace_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="no file matches"):
        run(TraceTopology("t", TracesConfig(path=str(tmp_path / "*.json"))).dependencies())
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConnectorError, match="neither JSON nor JSON lines"):
        run(TraceTopology("t", TracesConfig(path=str(tmp_path / "*.json"))).dependencies())
