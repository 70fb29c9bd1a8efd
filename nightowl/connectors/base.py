"""What every connector shares: its validated config, and time (ranges and clock skew).

A connector's options arrive as the extra keys of its ``PluginConfig``; ``parse_options`` validates
them into the connector's own model and turns the first problem into a ConfigError naming the key
(``connectors.<name>.<key>``). ``Skew`` moves datetimes between nightowl's clock and a backend's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig

C = TypeVar("C", bound="ConnectorConfig")


class ConnectorConfig(BaseModel):
    """Options every connector takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clock_skew_seconds: float = Field(
        default=0.0,
        description="How far the backend's clock runs ahead of nightowl's (negative: behind).",
    )


def parse_options(model: type[C], plugin: PluginConfig) -> C:
    """``plugin``'s options validated into ``model``; ConfigError names the first bad key."""
    try:
        return model.model_validate(plugin.options())
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(map(str, err["loc"]))
        where = f"connectors.{plugin.name}" + (f".{key}" if key else "")
        raise ConfigError(f"{err['msg']} (kind {plugin.kind})", where=where) from None


class Skew:
    """Clock skew between nightowl and one backend: ``outbound`` for queries, ``inbound`` for results.

    Also checks that every datetime is aware: a naive one is ambiguous across time zones and is
    refused with a ConnectorError (permanent).
    """

    def __init__(self, connector: str, seconds: float) -> None:
        self.connector = connector
        self.offset = timedelta(seconds=seconds)

    def outbound(self, ts: datetime) -> datetime:
        """nightowl's time → the backend's, in UTC."""
        return self.aware(ts).astimezone(UTC) + self.offset

    def inbound(self, ts: datetime) -> datetime:
        """The backend's time → nightowl's, in UTC."""
        return self.aware(ts).astimezone(UTC) - self.offset

    def inbound_seconds(self, unix: float) -> float:
        """A unix time of the backend's clock in nightowl's."""
        return unix - self.offset.total_seconds()

    def window(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """[start, end] in the backend's time; refuses naive datetimes and an inverted range."""
        lo, hi = self.outbound(start), self.outbound(end)
        if lo > hi:
            raise ConnectorError(
                f"the time range is inverted: start {start.isoformat()} is after end "
                f"{end.isoformat()}",
                connector=self.connector,
                retryable=False,
            )
        return lo, hi

    def aware(self, ts: datetime) -> datetime:
        """``ts`` itself, or ConnectorError (permanent) when it is naive."""
        if ts.tzinfo is None or ts.utcoffset() is None:
            raise ConnectorError(
                f"naive datetime {ts.isoformat()}: pass an aware datetime (with a time zone)",
                connector=self.connector,
                retryable=False,
            )
        return ts
