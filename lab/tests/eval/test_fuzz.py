"""``nightowl bench fuzz``: a small run against a real ``nightowl serve`` reports the figure's shape.

The bench measures whatever the tree does (other fixes bring the 5xx to zero); this checks that
every request is accounted for, that the server's memory and the dead letters are measured, and
that the generated payloads keep each source's shape and are reproducible.
"""

from __future__ import annotations

import json

from nightowl_lab.eval.fuzz import cases_for
from nightowl_lab.eval.fuzz_cases import hostile
from nightowl_lab.eval.fuzz_payloads import SOURCES, STRATEGIES, generate
from typer.testing import CliRunner

from nightowl.cli.main import app

FIGURE = {"requests", "answered_4xx", "answered_5xx", "dead_lettered", "crashes", "max_rss_mib"}


def test_a_small_fuzz_accounts_for_every_request() -> None:
    result = CliRunner().invoke(app, ["bench", "fuzz", "--per-target", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert set(report) == FIGURE | {"details"}
    details = report["details"]
    assert report["requests"] == len(cases_for(2, 18))
    answered = report["answered_4xx"] + report["answered_5xx"] + details["answered_2xx"]
    closed = details["statuses"].get("0", 0)
    assert answered + closed + details["timeouts"] + report["crashes"] == report["requests"]
    assert report["answered_4xx"] > 0  # the hostile cases are refused, at least mostly
    assert report["crashes"] == 0
    assert 50 < report["max_rss_mib"] < 4096
    assert 0 <= report["dead_lettered"] <= report["requests"]
    assert len(details["five_xx"]) == min(report["answered_5xx"], 50)


def test_the_hostile_cases_cover_every_source_and_the_issues_probes() -> None:
    labels = [c.label for c in hostile()]
    for source in SOURCES:
        assert f"{source}: 1000-deep JSON objects" in labels
    for probe in ("lone surrogates", "startsAt nan", "createdAt 100000000000000000000", "NUL"):
        assert any(probe in label for label in labels), probe
    assert any(len(c.body) > 5 * 1024 * 1024 for c in hostile())


def test_generated_payloads_keep_the_schema_and_are_reproducible() -> None:
    drawn = generate(STRATEGIES["alertmanager"](), 15, 7)
    assert drawn == generate(STRATEGIES["alertmanager"](), 15, 7)
    assert len(drawn) == 15
    assert all(isinstance(d["alerts"], list) and "groupKey" in d for d in drawn)
    opsgenie = generate(STRATEGIES["opsgenie"](), 10, 7)
    assert all("alertId" in d["alert"] for d in opsgenie)
