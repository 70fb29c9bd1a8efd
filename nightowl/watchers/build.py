"""The configured watchers of a process, built from the ``watchers`` settings through
``registry.WATCHERS`` (built-in kinds, then the ``nightowl.watchers`` entry points)."""

from __future__ import annotations

from nightowl.errors import ConfigError, NotFoundError
from nightowl.registry import WATCHERS, resolve
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.protocol import Watcher


def build(config: WatcherConfig, settings: Settings) -> Watcher:
    """The watcher of one entry. ConfigError for an unknown kind or bad options."""
    factory = resolve(WATCHERS, config.kind, "watcher")
    watcher = factory.from_config(config, settings)
    if not isinstance(watcher, Watcher):
        raise ConfigError(f"watcher kind {config.kind!r} did not build a Watcher")
    return watcher


def config_of(settings: Settings, name: str) -> WatcherConfig:
    """The configured watcher named ``name``; NotFoundError listing the configured ones."""
    for config in settings.watchers:
        if config.name == name:
            return config
    known = ", ".join(w.name for w in settings.watchers) or "none: add a watchers: entry"
    raise NotFoundError(f"no watcher {name!r}; configured: {known}")
