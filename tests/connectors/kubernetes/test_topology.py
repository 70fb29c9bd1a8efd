"""The names a Kubernetes Service is reached by inside the cluster."""

from __future__ import annotations

from nightowl.connectors.kubernetes.topology import hosts


def test_kubernetes_services_are_reached_by_their_dns_names_and_cluster_ip() -> None:
    services = [
        {"metadata": {"name": "ledger", "namespace": "pay"}, "spec": {"clusterIP": "10.1.2.3"}},
        {"metadata": {"name": "db", "namespace": "pay"}, "spec": {"clusterIP": "None"}},
    ]
    assert hosts(services) == {
        "ledger": ["10.1.2.3", "ledger.pay", "ledger.pay.svc", "ledger.pay.svc.cluster.local"],
        "db": ["db.pay", "db.pay.svc", "db.pay.svc.cluster.local"],
    }
