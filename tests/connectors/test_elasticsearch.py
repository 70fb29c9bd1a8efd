"""The Elasticsearch/OpenSearch connector against responses in the documented ``_search`` format
(``{"took": .., "hits": {"total": {"value": n}, "hits": [{"_index", "_id", "_source": {...}}]}}``
and error bodies ``{"error": {"root_cause": [...], "type", "reason"}, "status"}``), served by
httpx.MockTransport: no Elasticsearch or OpenSearch server can run here."""

from __future__ import annotations

import json
from asyncio import run
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from nightowl.connectors.elasticsearch import Elasticsearch, ElasticsearchConfig
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel
from nightowl.errors import ConnectorError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HITS = {
    "took": 5,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 2, "relation": "eq"},
        "max_score": None,
        "hits": [
            {
                "_index": ".ds-logs-app-2026.11.20-000001",
                "_id": "a1",
                "_score": None,
                "_source": {
                    "@timestamp": "2026-11-20T02:59:00.123Z",
                    "service": {"name": "checkout"},
                    "log": {"level": "error"},
                    "message": "payment timed out",
                },
                "sort": [1795143540123],
            },
            {
                "_index": ".ds-logs-app-2026.11.20-000001",
                "_id": "a2",
                "_score": None,
                "_source": {
                    "@timestamp": "2026-11-20T02:58:00Z",
                    "service.name": "checkout",
                    "log.level": "WARN",
                    "message": "retrying",
                },
                "sort": [1795143480000],
            },
        ],
    },
}


def es(handler: object, **options: object) -> Elasticsearch:
    config = ElasticsearchConfig.model_validate(
        {"url": "https://es:9200", "index": "logs-app-*", **options}
    )
    return Elasticsearch("es", config, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_search_sends_a_bool_query_and_reads_hits() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=HITS)

    query = LogQuery(
        service="checkout",
        levels=(LogLevel.ERROR, LogLevel.WARN),
        text="time",
        start=T0 - timedelta(hours=1),
        end=T0,
        limit=20,
    )
    found = run(es(handler, api_key="c2VjcmV0").search(query))
    assert [(r.level, r.message, r.service) for r in found] == [
        (LogLevel.ERROR, "payment timed out", "checkout"),
        (LogLevel.WARN, "retrying", "checkout"),
    ]
    request = sent[0]
    assert (request.method, request.url.path) == ("POST", "/logs-app-*/_search")
    assert request.headers["Authorization"] == "ApiKey c2VjcmV0"
    body = json.loads(request.content)
    assert body["size"] == 20
    assert body["sort"] == [{"@timestamp": {"order": "desc"}}]
    filters = body["query"]["bool"]["filter"]
    assert filters[0]["range"]["@timestamp"]["gte"] == "2026-11-20T02:00:00+00:00"
    assert filters[1] == {"term": {"service.name": "checkout"}}
    assert set(filters[2]["terms"]["log.level"]) == {
        "error",
        "ERROR",
        "warn",
        "WARN",
        "warning",
        "WARNING",
    }
    assert body["query"]["bool"]["must"] == [{"match_phrase": {"message": "time"}}]


def test_an_error_answer_is_one_line_with_the_reason() -> None:
    error = {
        "error": {
            "root_cause": [
                {"type": "index_not_found_exception", "reason": "no such index [logs-app-*]"}
            ],
            "type": "index_not_found_exception",
            "reason": "no such index [logs-app-*]",
        },
        "status": 404,
    }
    with pytest.raises(ConnectorError) as caught:
        run(es(lambda r: httpx.Response(404, json=error)).search(LogQuery(start=T0, end=T0)))
    assert str(caught.value) == (
        "connector 'es': https://es:9200/logs-app-*/_search answered 404 Not Found: "
        "no such index [logs-app-*]"
    )


def test_basic_auth_and_clock_skew() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=HITS)

    found = run(
        es(handler, username="elastic", password="pw", clock_skew_seconds=-60).search(
            LogQuery(start=T0 - timedelta(hours=1), end=T0)
        )
    )
    assert sent[0].headers["Authorization"].startswith("Basic ")
    assert found[0].timestamp == datetime(2026, 11, 20, 3, 0, 0, 123000, tzinfo=UTC)
