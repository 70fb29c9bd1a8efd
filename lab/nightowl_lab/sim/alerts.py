"""The webhook bodies a scenario's alerts produce, exactly as Alertmanager (payload v4) sends them."""

from __future__ import annotations

from typing import Any

from nightowl.sources.base import label_fingerprint
from nightowl_lab.sim.scenario import AlertSpec, Scenario

ZERO_TIME = "0001-01-01T00:00:00Z"


def alertmanager_payload(
    scenario: Scenario, alerts: list[AlertSpec] | None = None, *, resolved: bool = False
) -> dict[str, Any]:
    """The Alertmanager webhook body (version 4) firing, or resolving, the scenario's alerts (or
    the given ones) as one group.
    """
    chosen = alerts or scenario.alerts
    status = "resolved" if resolved else "firing"
    group_labels = {"alertname": chosen[0].labels.get("alertname", "unnamed")}
    if service := chosen[0].labels.get("service"):
        group_labels["service"] = service
    common = {
        k: v for k, v in chosen[0].labels.items() if all(a.labels.get(k) == v for a in chosen)
    }
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels.items()))
    return {
        "version": "4",
        "groupKey": f"{{}}:{{{inner}}}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": chosen[0].receiver,
        "groupLabels": group_labels,
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.scenario:9093",
        "alerts": [
            {
                "status": status,
                "labels": a.labels,
                "annotations": a.annotations,
                "startsAt": a.at.isoformat().replace("+00:00", "Z"),
                "endsAt": ZERO_TIME,
                "generatorURL": f"http://prometheus.scenario:9090/graph?scenario={scenario.name}",
                "fingerprint": label_fingerprint(a.labels),
            }
            for a in chosen
        ],
    }
