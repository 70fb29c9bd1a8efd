"""The dashboard and alert rules shipped for nightowl itself (``deploy/observability/``).

promtool checks the rules and evaluates every alert on failing and healthy series; then a real
Prometheus loads them while it scrapes a real ``nightowl serve``, and failures of nightowl are
staged for real — a stage that cannot write (the report), an altered audit record, webhooks with
a wrong token, the process killed — and the alerts they should raise go pending or fire. The
dashboard's every metric exists on /metrics and its every query runs on that Prometheus.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from nightowl_lab.harness.prometheus import PrometheusServer
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.kpis import GAUGES as KPI_GAUGES
from tests.conftest import READ
from tests.workflow.test_crash import SCENARIO, TOKEN, stage_status, write_config

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "observability" / "nightowl-rules.yml"
DASHBOARD = ROOT / "deploy" / "observability" / "grafana-dashboard.json"
ALERTS = {
    "NightowlDown",
    "NightowlWebhooksRejected",
    "NightowlQueueBackingUp",
    "NightowlStageFailing",
    "NightowlLlmBudgetNearLimit",
    "NightowlAuditVerificationFailed",
}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool not found: apt-get install prometheus (scripts/install-services.sh)")
    return found


def test_promtool_accepts_the_rules() -> None:
    checked = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = {r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]}
    assert names == ALERTS


FAILING = {  # series (without job/instance) → 30 one-minute samples showing the failure
    'up{job="nightowl",instance="a"}': "1 1 0x28",
    'nightowl_webhooks_total{job="nightowl",instance="a",source="alertmanager",outcome="unauthenticated"}': "0+3x29",
    'nightowl_queue_oldest_seconds{job="nightowl",instance="a"}': "0+60x29",
    'nightowl_stage_runs_total{job="nightowl",instance="a",stage="report",outcome="failed"}': "0 0 1+1x28",
    'nightowl_llm_budget_used_ratio{job="nightowl",instance="a"}': "0.2 0.5 0.85x28",
    'nightowl_audit_chain_ok{job="nightowl",instance="a"}': "1 1 0x28",
}
HEALTHY = {
    'up{job="nightowl",instance="a"}': "1x29",
    'nightowl_webhooks_total{job="nightowl",instance="a",source="alertmanager",outcome="accepted"}': "0+3x29",
    'nightowl_queue_oldest_seconds{job="nightowl",instance="a"}': "30x29",
    'nightowl_stage_runs_total{job="nightowl",instance="a",stage="report",outcome="done"}': "0+1x29",
    'nightowl_llm_budget_used_ratio{job="nightowl",instance="a"}': "0.3x29",
    'nightowl_audit_chain_ok{job="nightowl",instance="a"}': "1x29",
}


def test_every_alert_fires_on_its_failure_and_none_on_health(tmp_path: Path) -> None:
    """promtool's rule unit tests on the shipped expressions; the annotations are left out of
    the copy evaluated (promtool compares them verbatim; their templates were checked above)."""
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    bare = tmp_path / "rules.yml"
    bare.write_text(yaml.safe_dump(rules))
    expected = {
        r["alert"]: {"severity": r["labels"]["severity"], "job": "nightowl", "instance": "a"}
        for g in rules["groups"]
        for r in g["rules"]
    }
    expected["NightowlWebhooksRejected"] |= {"source": "alertmanager", "outcome": "unauthenticated"}
    expected["NightowlStageFailing"]["stage"] = "report"

    def case(series: dict[str, str], firing: bool) -> dict[str, Any]:
        return {
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in series.items()],
            "alert_rule_test": [
                {
                    "eval_time": "25m",
                    "alertname": name,
                    "exp_alerts": [{"exp_labels": labels}] if firing else [],
                }
                for name, labels in expected.items()
            ],
        }

    tests = tmp_path / "tests.yml"
    tests.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(bare)],
                "evaluation_interval": "1m",
                "tests": [case(FAILING, True), case(HEALTHY, False)],
            }
        )
    )
    ran = subprocess.run(
        [promtool(), "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def dashboard_queries() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def metric_names(query: str) -> set[str]:
    names = set(re.findall(r"\b(nightowl_[a-z_]+)\b", query))
    return {re.sub(r"_(bucket|total)$", "", n) for n in names}


def test_the_dashboard_is_grafana_json_over_one_prometheus_datasource() -> None:
    board = json.loads(DASHBOARD.read_text())
    assert board["uid"]
    assert board["title"]
    assert [v["type"] for v in board["templating"]["list"]] == ["datasource"]
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]


def alerts(prometheus: str) -> dict[str, str]:
    """Alert name → its state (pending, firing) as the real Prometheus has it now."""
    answer = httpx.get(f"{prometheus}/api/v1/alerts", timeout=30.0).json()
    states: dict[str, str] = {}
    for alert in answer["data"]["alerts"]:
        name = alert["labels"]["alertname"]
        if states.get(name) != "firing":
            states[name] = alert["state"]
    return states


def wait_for_alert(prometheus: str, name: str, states: tuple[str, ...]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if alerts(prometheus).get(name) in states:
            return
        time.sleep(0.25)
    raise AssertionError(f"{name} not {states} within 60s; alerts: {alerts(prometheus)}")


def finished(server: str) -> dict[str, Any]:
    """The one incident once its last stage ran (the group may be flushed by the dispatcher
    after the webhook's answer; a loaded machine answers slowly: long timeouts)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TimeoutException):
            listed = httpx.get(f"{server}/api/v1/incidents", headers=READ, timeout=30.0).json()
            for summary in listed:
                url = f"{server}/api/v1/incidents/{summary['id']}"
                body: dict[str, Any] = httpx.get(url, headers=READ, timeout=30.0).json()
                if stage_status(body, "notify") in ("completed", "failed"):
                    return body
        time.sleep(0.25)
    raise AssertionError(f"no incident of {server} finished within 120s")


@pytest.fixture
def broken_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, Path]]:
    """``nightowl serve`` whose report stage cannot write (its directory is a file) and which
    verifies its audit trail every 2 seconds; /metrics open to the scraper."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "reports").write_text("not a directory: the report stage fails\n")
    config: dict[str, Any] = yaml.safe_load(
        write_config(tmp_path / "c.yaml", data_dir, None).read_text()
    )
    config["api"] |= {"metrics_public": True}
    config["audit"] = {"verify_seconds": 2}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(config))
    server = ServerProcess(path).start(timeout=180)
    try:
        yield server, data_dir
    finally:
        server.kill()


def assert_the_dashboard_renders(server: str, prometheus: PrometheusServer) -> None:
    """Every metric the dashboard names is on /metrics, every query runs, and the stage and
    webhook panels show the run."""
    metrics = httpx.get(f"{server}/metrics", timeout=30.0).text
    served = set(re.findall(r"^# TYPE (\S+) ", metrics, flags=re.MULTILINE))
    served |= {re.sub(r"_total$", "", n) for n in served}
    served |= {name for _, name, _ in KPI_GAUGES}  # a rate with nothing to divide is absent
    named = set().union(*(metric_names(q) for q in dashboard_queries()))
    assert named - served == set(), "the dashboard names metrics nightowl does not serve"
    for query in dashboard_queries():
        ran = httpx.get(
            f"{prometheus.url}/api/v1/query", params={"query": query}, timeout=30.0
        ).json()
        assert ran["status"] == "success", (query, ran)
    for query in [q for q in dashboard_queries() if "stage_seconds" in q or "webhooks" in q]:
        prometheus.wait_for(query)  # the run shows on the dashboard


@pytest.mark.slow
def test_the_rules_raise_nightowls_own_failures_in_a_real_prometheus(
    broken_server: tuple[ServerProcess, Path],
) -> None:
    server, data_dir = broken_server
    target = server.url.removeprefix("http://")
    with PrometheusServer(scrape=[target], rules=[RULES]) as prometheus:
        prometheus.wait_for('up{job="nightowl-test"} == 1')
        loaded = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=5.0).json()
        rules = [r for g in loaded["data"]["groups"] for r in g["rules"]]
        assert {r["name"] for r in rules} == ALERTS
        assert {r["health"] for r in rules} == {"ok"}
        assert alerts(prometheus.url) == {}  # a healthy nightowl raises nothing

        payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
        answer = httpx.post(
            f"{server.url}/api/v1/webhooks/alertmanager",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30.0,
        )
        assert answer.status_code == 202, answer.text
        done = finished(server.url)
        assert stage_status(done, "report") == "failed"
        wait_for_alert(prometheus.url, "NightowlStageFailing", ("firing",))

        with sqlite3.connect(data_dir / "nightowl.sqlite") as db:  # tamper with the trail
            db.execute("UPDATE audit_records SET actor = 'mallory' WHERE seq = 1")
        wait_for_alert(prometheus.url, "NightowlAuditVerificationFailed", ("firing",))

        for _ in range(3):
            refused = httpx.post(
                f"{server.url}/api/v1/webhooks/alertmanager",
                json=payload,
                headers={"Authorization": "Bearer wrong-token"},
                timeout=30.0,
            )
            assert refused.status_code == 401
        wait_for_alert(prometheus.url, "NightowlWebhooksRejected", ("pending", "firing"))

        assert_the_dashboard_renders(server.url, prometheus)

        server.kill()  # nightowl itself down
        wait_for_alert(prometheus.url, "NightowlDown", ("pending", "firing"))
