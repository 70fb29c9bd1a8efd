"""The Loki connector against responses in Loki's documented format (``GET /loki/api/v1/query_range``
answering ``{"status": "success", "data": {"resultType": "streams", "result": [{"stream": {...},
"values": [["<unix ns>", "<line>"], ...]}]}}``), served by httpx.MockTransport: no Loki server can
run here."""

from __future__ import annotations

from asyncio import run
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from nightowl.connectors.loki import Loki, LokiConfig
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel
from nightowl.errors import ConnectorError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def ns(ts: datetime) -> str:
    return str(int(ts.timestamp()) * 10**9)


def streams(*items: tuple[dict[str, str], list[tuple[datetime, str]]]) -> dict[str, object]:
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": labels, "values": [[ns(t), line] for t, line in lines]}
                for labels, lines in items
            ],
            "stats": {"summary": {"bytesProcessedPerSecond": 1, "execTime": 0.01}},
        },
    }


class Recorder:
    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def loki(handler: Recorder, **options: object) -> Loki:
    config = LokiConfig.model_validate({"url": "http://loki:3100", **options})
    return Loki("logs", config, transport=httpx.MockTransport(handler))


def test_search_builds_logql_and_reads_streams_newest_first() -> None:
    answer = streams(
        (
            {"service": "checkout", "level": "error"},
            [(T0 - timedelta(minutes=1), "payment timed out")],
        ),
        ({"service": "checkout", "level": "warn"}, [(T0 - timedelta(seconds=10), "slow upstream")]),
    )
    handler = Recorder(httpx.Response(200, json=answer))
    query = LogQuery(
        service="checkout",
        levels=(LogLevel.ERROR, LogLevel.WARN),
        text="time",
        start=T0 - timedelta(hours=1),
        end=T0,
        limit=50,
    )
    found = run(loki(handler, tenant="team-a").search(query))
    assert [(r.level, r.message) for r in found] == [
        (LogLevel.WARN, "slow upstream"),
        (LogLevel.ERROR, "payment timed out"),
    ]
    sent = handler.requests[0]
    assert sent.url.path == "/loki/api/v1/query_range"
    assert sent.headers["X-Scope-OrgID"] == "team-a"
    params = sent.url.params
    assert params["query"] == (
        '{service="checkout"} |~ "(?i)time" | level=~"(?i)^(error|err|warn|warning)$"'
    )
    assert (params["start"], params["end"]) == (ns(T0 - timedelta(hours=1)), ns(T0))
    assert (params["limit"], params["direction"]) == ("50", "backward")


def test_without_a_level_label_the_level_comes_from_the_line() -> None:
    answer = streams(({"service": "api"}, [(T0, "2026-11-20 ERROR db down")]))
    found = run(loki(Recorder(httpx.Response(200, json=answer))).search(LogQuery(start=T0, end=T0)))
    assert found[0].level is LogLevel.ERROR
    assert found[0].service == "api"


def test_time_zones_and_clock_skew() -> None:
    handler = Recorder(httpx.Response(200, json=streams(({"service": "a"}, [(T0, "x")]))))
    tokyo = timezone(timedelta(hours=9))
    found = run(
        loki(handler, clock_skew_seconds=30).search(
            LogQuery(start=T0.astimezone(tokyo), end=T0.astimezone(tokyo))
        )
    )
    assert handler.requests[0].url.params["start"] == ns(T0 + timedelta(seconds=30))
    assert found[0].timestamp == T0 - timedelta(seconds=30)


def test_a_refused_query_is_one_line_naming_url_and_answer() -> None:
    handler = Recorder(
        httpx.Response(
            400, text="parse error at line 1, col 12: syntax error: unexpected IDENTIFIER\n"
        )
    )
    with pytest.raises(ConnectorError) as caught:
        run(loki(handler).search(LogQuery(start=T0, end=T0)))
    assert str(caught.value) == (
        "connector 'logs': http://loki:3100/loki/api/v1/query_range answered 400 Bad Request: "
        "parse error at line 1, col 12: syntax error: unexpected IDENTIFIER"
    )
    assert not caught.value.retryable


def test_tail_polls_and_yields_new_lines_once_oldest_first() -> None:
    now = datetime.now(UTC)
    first = streams(
        (
            {"service": "a"},
            [(now - timedelta(seconds=2), "one"), (now - timedelta(seconds=1), "two")],
        )
    )
    second = streams(({"service": "a"}, [(now - timedelta(seconds=1), "two"), (now, "three")]))
    handler = Recorder(httpx.Response(200, json=first), httpx.Response(200, json=second))

    async def take(n: int) -> list[str]:
        out = []
        async for record in loki(handler, poll_seconds=0.01).tail(
            LogQuery(start=now - timedelta(minutes=1), end=now)
        ):
            out.append(record.message)
            if len(out) == n:
                break
        return out

    assert run(take(3)) == ["one", "two", "three"]
