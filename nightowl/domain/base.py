"""The base model every domain object derives from."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

Scalar = str | int | float | bool | None
"""A value small enough to travel inside evidence and action parameters."""


class Model(BaseModel):
    """A frozen, strict-keyed pydantic model: domain objects are values, never mutated in place."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def utc(ts: datetime) -> datetime:
    """Return ``ts`` as an aware UTC datetime (naive values are taken to be UTC)."""
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)
