"""Contract suites any new plugin can run (pytest classes; need pytest).

A plugin's test module subclasses a contract and defines the fixtures it names; every test of
the contract then runs against the plugin::

    class TestMySource(MetricsSourceContract):
        @pytest.fixture
        def metrics_source(self) -> MySource: ...

        @pytest.fixture
        def metrics_case(self) -> MetricsCase: ...
"""

from nightowl.testing.contracts.driver import ActionDriverContract, DriverCase
from nightowl.testing.contracts.notifier import NotifierContract
from nightowl.testing.contracts.sources import (
    ClusterCase,
    ClusterSourceContract,
    DeployCase,
    DeploySourceContract,
    LogSourceContract,
    MetricsCase,
    MetricsSourceContract,
    TopologySourceContract,
)

__all__ = [
    "ActionDriverContract",
    "ClusterCase",
    "ClusterSourceContract",
    "DeployCase",
    "DeploySourceContract",
    "DriverCase",
    "LogSourceContract",
    "MetricsCase",
    "MetricsSourceContract",
    "NotifierContract",
    "TopologySourceContract",
]
