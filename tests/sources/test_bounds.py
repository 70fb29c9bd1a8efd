"""Per-field bounds and normalisation: NUL stripped, lengths cut, names NFKC-normalised and read
through the confusables table; and, end to end, a homoglyph service name joins the incident of the
name it imitates."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import AlertGroup
from nightowl.errors import PayloadError
from nightowl.settings import FieldLimits
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.sources.bounds import FLAG, bound_group, normalised_name, parse_bounded
from nightowl.workflow import engine
from tests.conftest import TOKEN

LIMITS = FieldLimits()
SOURCE = AlertmanagerSource()


def payload(*alerts: dict[str, Any]) -> bytes:
    body = {"version": "4", "status": "firing", "groupKey": "{}:{}", "alerts": list(alerts)}
    return json.dumps(body).encode()


def alert(name: str = "HighLatency", service: str = "checkout", **extra: Any) -> dict[str, Any]:
    labels = {"alertname": name, "service": service, **extra.pop("labels", {})}
    return {"status": "firing", "labels": labels, "startsAt": "2026-11-20T03:00:00Z", **extra}


def read(*alerts: dict[str, Any]) -> AlertGroup:
    return parse_bounded(SOURCE, payload(*alerts), {}, LIMITS)


def test_nul_bytes_are_stripped_everywhere() -> None:
    [got] = read(
        alert(
            "High\x00Latency",
            labels={"pod\x00": "web\x00-1"},
            annotations={"summary": "a\x00b"},
            fingerprint="fp\x00-1",
        )
    ).alerts

    assert got.name == "HighLatency"
    assert got.labels == {"alertname": "HighLatency", "service": "checkout", "pod": "web-1"}
    assert got.annotations == {"summary": "ab"}
    assert got.fingerprint == "fp-1"


def test_every_field_is_cut_to_its_limit() -> None:
    long = "x" * 5000
    [got] = read(
        alert(
            labels={"alertname": long, "k" * 300: long},
            annotations={"description": "d" * 100_000},
            generatorURL="http://g/" + long,
        )
    ).alerts

    assert len(got.name) == LIMITS.alert_name_chars
    assert got.name.endswith("…")
    assert all(len(k) <= LIMITS.label_key_chars for k in got.labels)
    assert all(len(v) <= LIMITS.label_value_chars for v in got.labels.values())
    assert len(got.annotations["description"]) == LIMITS.annotation_chars
    assert got.generator_url is not None
    assert len(got.generator_url) == LIMITS.url_chars


def test_a_fingerprint_too_long_is_replaced_by_its_hash_so_two_stay_apart() -> None:
    first, second = read(
        alert(fingerprint="f" * 300 + "1"), alert("Other", fingerprint="f" * 300 + "2")
    ).alerts

    assert first.fingerprint.startswith("sha256:")
    assert len(first.fingerprint) <= LIMITS.fingerprint_chars
    assert first.fingerprint != second.fingerprint


def test_a_clean_alert_is_returned_unchanged() -> None:
    group = SOURCE.parse(payload(alert()), {})

    assert bound_group(group, LIMITS).alerts[0] is group.alerts[0]


def test_too_many_labels_is_a_payload_error_naming_the_field() -> None:
    labels = {f"l{n}": "v" for n in range(LIMITS.labels_per_alert + 1)}

    with pytest.raises(PayloadError, match=r"alerts\.0\.labels"):
        read(alert(labels=labels))


@pytest.mark.parametrize(
    ("given", "read_as"),
    [
        ("сheckout", "checkout"),  # Cyrillic с
        ("pаyments", "payments"),  # Cyrillic а
        ("ｃｈｅｃｋｏｕｔ", "checkout"),  # full width, NFKC
        ("checkout", "checkout"),
        ("платежи", "платежи"),  # a name in its own script keeps its letters
        ("café", "café"),
    ],
)
def test_names_are_normalised_and_read_through_the_confusables_table(
    given: str, read_as: str
) -> None:
    name, why = normalised_name(given)

    assert name == read_as
    assert (why is None) == (given == read_as)


def test_a_homoglyph_service_is_read_as_the_name_it_imitates_and_flagged() -> None:
    plain, homoglyph = read(alert(), alert(service="сheckout")).alerts

    assert homoglyph.labels["service"] == "checkout"
    assert homoglyph.fingerprint == plain.fingerprint  # the same alert, deduplicated
    assert "U+0441" in homoglyph.annotations[FLAG]
    assert FLAG not in plain.annotations


def test_a_homoglyph_service_joins_the_incident_it_imitates(running_app: Nightowl) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    async def main() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=create_api(running_app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            answers = []
            for service in ("checkout", "сheckout"):
                response = await client.post(
                    "/api/v1/webhooks/alertmanager",
                    content=payload(alert("HighLatency", service)),
                    headers=headers,
                )
                assert response.status_code == 202, response.text
                answers.append(response.json())
            await engine.wait_for(answers[0]["incident_id"], timeout=120)
            return answers

    first, second = asyncio.run(main())

    assert second["incident_id"] == first["incident_id"]
    assert [i.id for i in running_app.store.list()] == [first["incident_id"]]
