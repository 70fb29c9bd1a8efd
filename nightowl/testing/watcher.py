"""An in-process Watcher that reports the findings it is given (and can be told to fail).

Configured as a watcher kind in a test (its ``options``: ``findings``, a list of Finding fields
without ``watcher``; ``fail``, an error message), or built directly. Tests register it with
``WATCHERS.builtins["fake"] = FAKE_KIND``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nightowl.domain.findings import Finding
from nightowl.errors import WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.protocol import WatchContext

FAKE_KIND = "nightowl.testing.watcher:FakeWatcher"
"""The registry entry of the fake."""


class FakeOptions(BaseModel):
    """The fake's ``options``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: list[dict[str, Any]] = Field(default_factory=list)
    fail: str | None = None


class FakeWatcher:
    """A Watcher: ``check`` returns ``findings`` (as this watcher's); with ``fail`` set it raises
    WatcherError instead, as a real watcher that could not look. ``checks`` counts the runs.
    Not thread-safe."""

    def __init__(
        self, name: str = "fake", findings: list[Finding] | None = None, fail: str | None = None
    ) -> None:
        self.name = name
        self.findings = list(findings or [])
        self.fail = fail
        self.checks = 0

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> FakeWatcher:
        options = FakeOptions.model_validate(config.options)
        found = [Finding.model_validate({"watcher": config.name, **f}) for f in options.findings]
        return cls(config.name, found, options.fail)

    async def check(self, ctx: WatchContext) -> list[Finding]:
        self.checks += 1
        if self.fail:
            raise WatcherError(self.fail, watcher=self.name, retryable=True)
        return list(self.findings)
