"""What every alert source shares: reading JSON bodies with clear errors, pydantic errors named by
field, stable fingerprints and content hashes, normalised alerts and their group's status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from nightowl.domain import Alert, AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.base import (
    MAX_JSON_DEPTH,
    content_hash,
    group_of,
    label_fingerprint,
    load_json,
    make_alert,
    raise_validation,
    str_labels,
)

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def test_load_json_reads_utf8_json() -> None:
    assert load_json('{"a": "ü"}'.encode(), "grafana") == {"a": "ü"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe{}", r"grafana payload: body is not valid UTF-8 \(byte 0\)"),
        (b'{"a": 1,\n "b": }', r"not valid JSON \(line 2, column 7: "),
    ],
)
def test_an_unreadable_body_says_where_it_broke(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message) as caught:
        load_json(body, "grafana")
    assert caught.value.status_code == 422


def nested(depth: int, *, wide: bool = False) -> bytes:
    """JSON nested ``depth`` levels deep (``wide``: objects with scalar siblings on every level)."""
    text = "1"
    for level in range(depth):
        text = f'{{"s": "x", "n": {text}, "t": true, "i": {level}}}' if wide else f"[{text}]"
    return text.encode()


@pytest.mark.parametrize("wide", [False, True])
def test_a_body_may_nest_max_json_depth_levels_and_no_more(wide: bool) -> None:
    load_json(nested(MAX_JSON_DEPTH, wide=wide), "generic")  # at the limit: read
    with pytest.raises(PayloadError, match=f"nested more than {MAX_JSON_DEPTH} levels") as caught:
        load_json(nested(MAX_JSON_DEPTH + 1, wide=wide), "generic")
    assert caught.value.status_code == 422


def test_scalars_and_wide_bodies_are_not_too_deep() -> None:
    assert load_json(b"7", "generic") == 7
    flat = load_json(b"[" + b",".join([b'{"a": [1, 2]}'] * 1000) + b"]", "generic")
    assert isinstance(flat, list)
    assert len(flat) == 1000


class Payload(BaseModel):
    title: str
    alerts: list[int]


def test_a_validation_error_names_the_first_bad_field_and_counts_the_rest() -> None:
    with pytest.raises(ValidationError) as caught:
        Payload.model_validate({"title": 7, "alerts": [1, "x", "y"]})
    error = raise_validation(caught.value, "datadog")
    assert error.field == "title"
    assert str(error) == (
        "datadog payload at 'title': Input should be a valid string (got 7); 2 more problem(s)"
    )


def test_fingerprints_and_hashes_do_not_depend_on_key_order() -> None:
    assert label_fingerprint({"a": "1", "b": "2"}) == label_fingerprint({"b": "2", "a": "1"})
    assert label_fingerprint({"a": "1"}) != label_fingerprint({"a": "2"})
    assert len(label_fingerprint({})) == 16
    assert content_hash({"x": 1, "y": 2}) == content_hash({"y": 2, "x": 1})
    assert content_hash("f", AT) != content_hash("f", AT + timedelta(seconds=1))


def alert(**overrides: object) -> Alert:
    fields: dict[str, object] = {
        "source": "grafana",
        "status": AlertStatus.FIRING,
        "name": "HighLatency",
        "labels": {"service": "checkout"},
        "annotations": {"summary": "p99 over 2s"},
        "starts_at": datetime(2026, 11, 20, 4, 0, tzinfo=timezone(timedelta(hours=1))),
    }
    return make_alert(**{**fields, **overrides})  # type: ignore[arg-type]


def test_make_alert_normalises_the_name_the_times_and_the_fingerprint() -> None:
    made = alert()
    assert made.labels == {"alertname": "HighLatency", "service": "checkout"}
    assert made.starts_at == AT
    assert made.starts_at.tzinfo is UTC
    assert made.fingerprint == label_fingerprint(made.labels)
    assert alert(fingerprint="given").fingerprint == "given"


def test_the_content_hash_changes_with_the_times_unless_they_are_left_out() -> None:
    later = AT + timedelta(minutes=5)
    assert alert().content_hash != alert(starts_at=later).content_hash
    assert (
        alert(times_in_hash=False).content_hash
        == alert(times_in_hash=False, starts_at=later).content_hash
    )
    assert alert().content_hash != alert(status=AlertStatus.RESOLVED).content_hash


def test_a_group_fires_while_any_alert_fires() -> None:
    firing, resolved = alert(), alert(status=AlertStatus.RESOLVED)
    assert group_of("grafana", "g", [resolved, firing]).status is AlertStatus.FIRING
    assert group_of("grafana", "g", [resolved]).status is AlertStatus.RESOLVED


def test_str_labels_turns_values_into_strings_and_drops_nulls() -> None:
    assert str_labels({"a": "x", "n": 3, "ok": True, "gone": None, "l": [1]}) == {
        "a": "x",
        "n": "3",
        "ok": "true",
        "l": "[1]",
    }
