"""The configuration files of a sandbox: Prometheus (scrape + alert rules), Alertmanager, nightowl.

Intervals are short so a demo takes a minute: scrapes and rule evaluation every second, rates over
``RATE_WINDOW``, alerts firing after ``FOR`` seconds, Alertmanager's ``group_wait`` one second.
"""

from __future__ import annotations

import json
from pathlib import Path

from nightowl_lab.sandbox.shop import SHOP, TOPOLOGY

RATE_WINDOW = "15s"
FOR = 10
"""Seconds an alert holds before it fires: longer than the canary's few intervals, as a
production alert's ``for:`` (minutes) is longer than a canary's interval (a minute). At 5 s the
canary's verdict (4–10 s after a bad deploy) and the error-rate alert (10–14 s) raced, and the
canary lost 4 of 9 runs by up to a second (2026-12-04)."""
MEMORY_FOR = 10
_ERRORS = 'sum(rate(http_requests_total{service="{service}",code=~"5.."}[{window}]))'
_ALL = 'sum(rate(http_requests_total{service="{service}"}[{window}]))'
_REFUSED = 'sum(rate(router_requests_total{service="{service}",code="502"}[{window}]))'
ERROR_RATE = (
    f"(({_ERRORS} or vector(0)) + ({_REFUSED} or vector(0)))"
    f" / (({_ALL} or vector(0)) + ({_REFUSED} or vector(0)))"
)
"""A service's error rate as nightowl reads it: its own 5xx plus the connections the router could
not hand to any of its replicas (a service whose processes never listen has no metrics of its own,
but an ingress still sees its callers fail), over all its requests."""
RULES = {
    "HighErrorRate": (
        f'sum by (service) (rate(http_requests_total{{code=~"5.."}}[{RATE_WINDOW}])) '
        f"/ sum by (service) (rate(http_requests_total[{RATE_WINDOW}])) > 0.05",
        FOR,
        "{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with 5xx",
    ),
    "HighLatency": (
        "histogram_quantile(0.99, sum by (service, le) "
        f"(rate(http_request_duration_seconds_bucket[{RATE_WINDOW}]))) > 0.5",
        FOR,
        "{{ $labels.service }} p99 latency is {{ $value | humanizeDuration }}",
    ),
    "MemoryGrowth": (
        "max by (service) (deriv(process_resident_memory_bytes[20s])) > 300000",
        MEMORY_FOR,
        "{{ $labels.service }} memory grows by {{ $value | humanize1024 }}B/s",
    ),
    "ServiceDown": ('max by (service) (up{job="shop"}) == 0', FOR, "{{ $labels.service }} is down"),
    "CrashLooping": (
        "max by (service) (resets(process_cpu_seconds_total[1m])) >= 2",
        0,
        "{{ $labels.service }} restarted {{ $value }} times in a minute",
    ),
    "CPUHigh": (
        f"max by (service) (rate(process_cpu_seconds_total[{RATE_WINDOW}])) > 0.5",
        FOR,
        "{{ $labels.service }} uses {{ $value }} cores",
    ),
    "DiskAlmostFull": (
        "max by (service) (disk_used_bytes / disk_size_bytes) > 0.9",
        FOR,
        "{{ $labels.service }} volume is {{ $value | humanizePercentage }} full",
    ),
    "ConnectionPoolExhausted": (
        "max by (service) (connection_pool_in_use / connection_pool_max) >= 1",
        FOR,
        "{{ $labels.service }} has no free connection in a pool",
    ),
}


def prometheus(directory: Path, alertmanager_port: int, router_port: int | None = None) -> str:
    """``prometheus.yml``: scrape the shop's services (and the router), send alerts to
    Alertmanager.
    """
    router = (
        f"""\
  - job_name: router
    static_configs: [{{targets: ["127.0.0.1:{router_port}"]}}]
"""
        if router_port
        else ""
    )
    return f"""\
global: {{scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}}
rule_files: [{directory / "rules.yml"}]
alerting:
  alertmanagers: [{{static_configs: [{{targets: ["127.0.0.1:{alertmanager_port}"]}}]}}]
scrape_configs:
  - job_name: shop
    honor_labels: true
    file_sd_configs: [{{files: ["{directory / "targets.json"}"], refresh_interval: 1s}}]
{router}"""


def rules() -> str:
    """``rules.yml``: the sandbox's alert rules, every one critical."""
    lines = ["groups:", "  - name: sandbox", "    rules:"]
    for name, (expr, for_seconds, summary) in RULES.items():
        lines += [
            f"      - alert: {name}",
            f"        expr: {json.dumps(expr)}",
            f"        for: {for_seconds}s",
            "        labels: {severity: critical}",
            f"        annotations: {{summary: {json.dumps(summary)}}}",
        ]
    return "\n".join(lines) + "\n"


def alertmanager(nightowl_port: int, token: str) -> str:
    """``alertmanager.yml``: one route to nightowl's webhook with its token, grouped by alert and
    service.
    """
    return f"""\
route:
  receiver: nightowl
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: nightowl
    webhook_configs:
      - url: http://127.0.0.1:{nightowl_port}/api/v1/webhooks/alertmanager
        send_resolved: true
        http_config: {{authorization: {{credentials: "{token}"}}}}
"""


def nightowl(directory: Path, prometheus_port: int, token: str, reader_token: str) -> str:
    """The sandbox's nightowl: act autonomously on the shop, within the sandbox's policy; the
    harness reads incidents as the responder ``sandbox`` (the on-call, who closes an escalated
    incident by hand before the next fault)."""
    config = {
        "data_dir": str(directory / "nightowl"),
        "webhooks": {"tokens": {"*": [token]}},
        "api": {"users": {"sandbox": reader_token}},
        "ui": {"users": {"sandbox": {"role": "responder"}}},
        "intake": {"group_wait_seconds": 1, "topology": TOPOLOGY},
        "gather": {"lookback_minutes": 1, "step_seconds": 1, "deadline_seconds": 20},
        # An alert can fire before its cause shows (a rate window still filling): look again.
        "analysis": {"deploy_window_minutes": 5, "look_again": 3, "look_again_seconds": 5},
        "verify": {"settle_seconds": 10, "window_seconds": 20, "max_cycles": 1},
        # The shop lives in seconds (1 s scrapes, a 45 s baseline): so does its canary analysis.
        # Every 2 s for 60 s: its verdict lands on the first interval after the new version's
        # points suffice, so with 5 s intervals it came at 5, 10 or 15 s — as coarse as the
        # alert's whole `for:` — and lost the race to the alert in 3 of 6 runs (2026-12-04).
        "canary": {"interval_seconds": 2, "step_seconds": 1, "baseline_minutes": 1, "count": 30},
        "policy": {
            "autonomy": "act",
            # The shop runs one replica per service: any restart takes all of it away at once,
            # which the default 10 % limit sends to a human. The sandbox lets nightowl act.
            "blast_radius": {"max_capacity_fraction": 1.0},
            "breakers": {"per_service_per_hour": 100, "per_incident": 5},
        },
        "actions": {
            "dry_run": False,
            "drivers": [{"name": "shop", "kind": "sandbox", "directory": str(directory)}],
        },
        "runbooks": {"paths": [str(directory / "runbooks")]},
        "connectors": [
            {
                "name": "prom",
                "kind": "prometheus",
                "url": f"http://127.0.0.1:{prometheus_port}",
                "rate_window": RATE_WINDOW,
                "signals": {"error_rate": ERROR_RATE},
            },
            {"name": "shop-logs", "kind": "files", "path": str(directory / "logs" / "*.log")},
            {"name": "shop-graph", "kind": "static", "services": TOPOLOGY},
            {"name": "shop-cluster", "kind": "sandbox", "directory": str(directory)},
        ],
    }
    return json.dumps(config, indent=1)  # JSON is YAML


RUNBOOKS = {
    # The built-ins' names, so these replace them: the same actions, a short verification window.
    "rollback-bad-deploy": """\
name: rollback-bad-deploy
description: Roll the service back to the version it ran before the deploy that broke it.
trigger: {fault_kinds: [bad_deploy]}
steps:
  - {action: rollback, params: {to_version: $previous_version}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Re-deploy the version that was rolled back ($deploy).
""",
    "restart-memory-leak": """\
name: restart-memory-leak
description: Restart the leaking service to reclaim memory, and open a ticket for the leak.
trigger: {fault_kinds: [memory_leak]}
steps:
  - {action: restart, params: {strategy: rolling}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Nothing to undo; a restart does not change the version or the configuration.
""",
    "scale-out-traffic-spike": """\
name: scale-out-traffic-spike
description: Add replicas to absorb genuine load (at most double them).
trigger: {fault_kinds: [traffic_spike]}
steps:
  - {action: scale_out, params: {factor: 2}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 15}
rollback: Scale back to the replica count captured before the action.
""",
    "restart-connection-pool": """\
name: restart-connection-pool
description: Restart the service to reset its exhausted connection pool; look for the leak after.
trigger: {fault_kinds: [connection_pool_exhaustion]}
steps:
  - {action: restart, params: {strategy: rolling}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Nothing to undo; a restart changes neither version nor configuration.
""",
    "clean-disk-full": """\
name: clean-disk-full
description: The volume is full; delete the dump files a runaway job left on it, then re-check.
trigger: {fault_kinds: [disk_full]}
steps:
  - {action: cleanup_disk, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Nothing to undo; the deleted dump files were scratch output.
""",
    # The built-in crash-loop rolls back only after a recorded deploy (else it deletes a pod, which
    # the sandbox cannot do): in the shop a crash loop follows a version switch, so roll back.
    "crash-loop": """\
name: crash-loop
description: The service's new version crashes at start-up; roll back to the previous version.
trigger: {fault_kinds: [crash_loop]}
steps:
  - {action: rollback, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Re-deploy the version that was rolled back.
""",
    # The built-in fails over through the team's own automation (a webhook, approved by a human).
    # The shop has no standby: its failover is replacing the degraded instance by a fresh one.
    "failover-dependency": """\
name: failover-dependency
description: A dependency is slow or failing on its own; replace its instances by fresh ones.
trigger: {fault_kinds: [dependency_failure]}
steps:
  - {action: restart, params: {strategy: rolling}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Nothing to undo; a restart changes neither version nor configuration.
""",
    # Before the built-in scale-out-cpu-saturation (user runbooks come first): CPU burnt by a
    # runaway loop inside the process, not by traffic, is reclaimed by restarting it; more
    # replicas would only add capacity beside the spinning one.
    "restart-runaway-cpu": """\
name: restart-runaway-cpu
description: CPU saturates without more traffic; restart the service to stop the runaway work.
trigger: {fault_kinds: [cpu_saturation]}
steps:
  - {action: restart, params: {strategy: rolling}, risk: low}
  - verify: {window_seconds: 20, settle_seconds: 10}
rollback: Nothing to undo; a restart changes neither version nor configuration.
""",
}


def write_all(directory: Path, ports: dict[str, int], token: str, reader_token: str) -> None:
    """Write every service's configuration into ``directory`` for these ports and tokens."""
    (directory / "prometheus.yml").write_text(
        prometheus(directory, ports["alertmanager"], ports.get("router"))
    )
    (directory / "rules.yml").write_text(rules())
    (directory / "alertmanager.yml").write_text(alertmanager(ports["nightowl"], token))
    (directory / "nightowl.yaml").write_text(
        nightowl(directory, ports["prometheus"], token, reader_token)
    )
    (directory / "runbooks").mkdir(exist_ok=True)
    for name, text in RUNBOOKS.items():
        (directory / "runbooks" / f"{name}.yaml").write_text(text)
    (directory / "ports.json").write_text(json.dumps({**ports, **{s: ports[s] for s in SHOP}}))
