"""``kind: simulated`` — the simulated cluster's action driver as an ordinary driver plugin.

Built from its own options (the scenario file and the cluster's state file), so it needs nothing
from the replay connector but the same two paths: both read and write the one state file, so an
action applied here ends the fault in the signals the replay serves next. A replay connector
names this driver (``Replay.companion_driver``), which nightowl adds with ``actions.driver:
simulated``, the default. It stamps events with the pipeline's clock (``use_clock``).
Errors: ConfigError for bad options or an unreadable scenario; ActionError as the cluster driver.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nightowl.actions.config import options
from nightowl.clock import Clock, ScenarioClock
from nightowl.settings import PluginConfig, Settings
from nightowl_lab.sim.cluster import SimulatedCluster, SimulatedClusterDriver
from nightowl_lab.sim.scenario import Scenario, load_scenario


class SimulatedDriverConfig(BaseModel):
    """The scenario whose cluster to act on, and its state file (default: under the data dir)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Path
    state_file: Path | None = None


def state_file_for(scenario: Scenario, data_dir: Path) -> Path:
    """Where a scenario's simulated cluster keeps its state when no ``state_file`` is given."""
    return data_dir / "sim" / f"{scenario.name}.cluster.json"


class SimulatedDriver(SimulatedClusterDriver):
    """The simulated cluster driver, built from an ``actions.drivers`` entry of kind ``simulated``.

    Until nightowl hands it the pipeline's clock it keeps the scenario's time from the page on.
    Not for concurrent use by two pipelines on one state file at different clocks.
    """

    Config = SimulatedDriverConfig

    def __init__(self, name: str, cluster: SimulatedCluster, clock: Clock) -> None:
        super().__init__(cluster, clock)
        self.name = name

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> SimulatedDriver:
        """The driver of one ``actions.drivers`` entry, acting on its scenario's simulated
        cluster.
        """
        config = options(plugin, SimulatedDriverConfig)
        scenario = load_scenario(config.scenario)
        state = config.state_file or state_file_for(scenario, settings.data_dir)
        return cls(
            plugin.name, SimulatedCluster(scenario, state), ScenarioClock(scenario.page_time)
        )

    def use_clock(self, clock: Clock) -> None:
        """Stamp results with the pipeline's (scenario) clock."""
        self.clock = clock
