"""The composition root: the one place that builds nightowl from its settings.

CLI, API and UI are thin adapters over ``Nightowl``. Nothing here runs at import time.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any

from dbos import DBOS, DBOSConfig
from pydantic import ValidationError

import nightowl
from nightowl.actions.protocol import ActionDriver
from nightowl.clock import Clock, ScenarioClock, SystemClock
from nightowl.connectors.protocols import DeploySource, LogSource, MetricsSource, TopologySource
from nightowl.errors import AuthError, ConfigError, InputError
from nightowl.intake.ingest import IntakeResult, ingest
from nightowl.notify.protocol import Notifier
from nightowl.registry import CONNECTORS, NOTIFIERS, resolve
from nightowl.runbooks.catalog import builtin_runbooks
from nightowl.settings import PluginConfig, Settings
from nightowl.sim.cluster import SimulatedClusterDriver
from nightowl.sim.replay import Replay
from nightowl.sources.registry import get_source
from nightowl.store import IncidentStore
from nightowl.workflow import engine
from nightowl.workflow.runtime import Runtime, install

log = logging.getLogger(__name__)


class Nightowl:
    """One nightowl process: the store, the connectors and drivers, and the durable workflow."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = IncidentStore.open(settings.store_url)
        connectors = [self._connector(c) for c in settings.connectors]
        replays = [c for c in connectors if isinstance(c, Replay)]
        self.clock = clock or (
            ScenarioClock(replays[0].scenario.page_time) if replays else SystemClock()
        )
        self.runtime = Runtime(
            settings=settings,
            store=self.store,
            clock=self.clock,
            metrics=[c for c in connectors if isinstance(c, MetricsSource)],
            logs=[c for c in connectors if isinstance(c, LogSource)],
            deploys=[c for c in connectors if isinstance(c, DeploySource)],
            topology=[c for c in connectors if isinstance(c, TopologySource)],
            drivers=self._drivers(replays),
            notifiers=self._notifiers(),
            runbooks=builtin_runbooks(),
        )
        self._launched = False

    def _connector(self, config: PluginConfig) -> object:
        """Build one connector. Each connector class validates its own options in ``from_plugin``."""
        cls = resolve(CONNECTORS, config.kind, "connector")
        return cls.from_plugin(config, self.settings)

    def _drivers(self, replays: list[Replay]) -> list[ActionDriver]:
        if self.settings.actions.driver != "simulated":
            raise ConfigError(
                f"unknown action driver {self.settings.actions.driver!r}; known: simulated",
                where="actions.driver",
            )
        if not replays:
            return []
        return [SimulatedClusterDriver(replays[0].cluster, self.clock)]

    def _notifiers(self) -> list[Notifier]:
        configs = self.settings.notify.notifiers or [
            PluginConfig(
                name="file", kind="file", path=str(self.settings.data_dir / "notifications.jsonl")
            )
        ]
        out: list[Notifier] = []
        for config in configs:
            cls = resolve(NOTIFIERS, config.kind, "notifier")
            options = _validate(cls.Config, config.options(), f"notify.notifiers.{config.name}")
            out.append(cls(config.name, options, self.clock))
        return out

    # lifecycle -------------------------------------------------------------------------------

    def launch(self) -> None:
        """Install the runtime and start DBOS, which also resumes workflows cut short by a crash."""
        install(self.runtime)
        config: DBOSConfig = {
            "name": "nightowl",
            "system_database_url": self._dbos_url(),
            "application_version": nightowl.__version__,
            "log_level": "WARNING",
        }
        DBOS(config=config)
        DBOS.launch()
        self._launched = True

    def shutdown(self) -> None:
        if self._launched:
            DBOS.destroy(destroy_registry=False)
            self._launched = False
        install(None)
        self.store.close()

    def _dbos_url(self) -> str:
        url = self.settings.store_url
        if url.startswith("sqlite"):
            return f"sqlite:///{self.settings.data_dir / 'workflows.sqlite'}"
        return url

    # intake ----------------------------------------------------------------------------------

    def authenticate(self, source: str, headers: Mapping[str, str]) -> None:
        tokens = self.settings.webhook_tokens(source)
        if not tokens:
            raise AuthError(
                "no webhook token is configured for this source: set NIGHTOWL_WEBHOOK_TOKEN "
                "or webhooks.tokens in nightowl.yaml"
            )
        given = headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("missing bearer token: send 'Authorization: Bearer <token>'")
        if not any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens):
            raise AuthError("the bearer token is not accepted for this source")

    async def receive(self, source: str, body: bytes, headers: Mapping[str, str]) -> IntakeResult:
        """Authenticate, parse, ingest and start the incident's workflow. InputError → caller."""
        parser = get_source(source)
        self.authenticate(source, headers)
        group = parser.parse(body, headers)
        result = ingest(self.store, group, self.clock.now())
        if result.incident_id is not None:
            await engine.start_incident(result.incident_id)
        return result

    def dead_letter(
        self, source: str, error: InputError | str, body: bytes, headers: Mapping[str, str]
    ) -> int:
        safe = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
        return self.store.dead_letter(
            source=source,
            reason=str(error),
            body=body,
            content_type=headers.get("content-type"),
            headers=safe,
            received_at=self.clock.now(),
        )


def _validate(model: Any, options: dict[str, Any], where: str) -> Any:
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", where=where) from None
