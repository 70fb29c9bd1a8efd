"""Reading a driver's own options from its ``actions.drivers`` entry."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from nightowl.errors import ConfigError
from nightowl.settings import PluginConfig

C = TypeVar("C", bound=BaseModel)


def options(plugin: PluginConfig, model: type[C]) -> C:
    """``plugin``'s driver-specific keys validated by ``model``; ConfigError names the key."""
    try:
        return model.model_validate(plugin.options())
    except ValidationError as exc:
        err = exc.errors()[0]
        where = f"actions.drivers.{plugin.name}.{'.'.join(map(str, err['loc']))}"
        raise ConfigError(str(err["msg"]), where=where) from None
