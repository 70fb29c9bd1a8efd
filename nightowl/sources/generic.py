"""Generic JSON alerts, read through a user mapping of JMESPath expressions (``webhooks.generic``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import TypeAdapter, ValidationError

from nightowl.domain import AlertGroup, AlertStatus
from nightowl.errors import ConfigError, PayloadError
from nightowl.settings import GenericMapping
from nightowl.sources.base import (
    checked_time,
    epoch_time,
    group_of,
    load_json,
    make_alert,
    str_labels,
)

_TIME = TypeAdapter(datetime)


class GenericSource:
    """``POST /webhooks/generic``: any JSON, read through the user's JMESPath mapping.

    The expressions are compiled once, when the source is built (a bad one is a ConfigError then,
    not at the first alert). Numbers read as epoch seconds, or milliseconds when that large; an
    alert without a start time is stamped on arrival and hashed without times, so a redelivery is
    still a duplicate.
    """

    name = "generic"

    def __init__(self, mapping: GenericMapping | None = None) -> None:
        self.mapping = mapping or GenericMapping()
        try:
            self._compiled = {
                field: jmespath.compile(getattr(self.mapping, field))
                for field in (
                    "alerts",
                    "name",
                    "status",
                    "labels",
                    "annotations",
                    "starts_at",
                    "ends_at",
                    "fingerprint",
                )
            }
        except JMESPathError as exc:
            raise ConfigError(
                f"invalid JMESPath expression: {exc}", where="webhooks.generic"
            ) from None

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The alerts the mapping finds in ``body``; PayloadError names the expression that found
        nothing.
        """
        data = load_json(body, self.name)
        items = self._compiled["alerts"].search(data)
        if not isinstance(items, list) or not items:
            raise PayloadError(
                f"the expression {self.mapping.alerts!r} found no list of alerts",
                source=self.name,
                field="alerts",
            )
        alerts = [self._alert(item, n) for n, item in enumerate(items)]
        return group_of(self.name, f"generic:{alerts[0].fingerprint}", alerts)

    def _get(self, field: str, item: Any) -> Any:
        return self._compiled[field].search(item)

    def _alert(self, item: Any, n: int) -> Any:
        name = self._get("name", item)
        if not isinstance(name, str) or not name:
            raise PayloadError(
                f"no alert name: {self.mapping.name!r} found nothing",
                source=self.name,
                field=f"alerts.{n}.name",
            )
        status = str(self._get("status", item) or "firing").lower()
        labels, annotations = self._get("labels", item) or {}, self._get("annotations", item) or {}
        if not isinstance(labels, dict) or not isinstance(annotations, dict):
            raise PayloadError(
                "labels and annotations must be objects", source=self.name, field=f"alerts.{n}"
            )
        starts_raw = self._get("starts_at", item)
        return make_alert(
            source=self.name,
            status=AlertStatus.RESOLVED
            if status in self.mapping.resolved_values
            else AlertStatus.FIRING,
            name=name,
            labels=str_labels(labels),
            annotations=str_labels(annotations),
            starts_at=self._time(starts_raw, f"alerts.{n}.starts_at")
            if starts_raw
            else datetime.now(UTC),
            ends_at=self._time(e, f"alerts.{n}.ends_at")
            if (e := self._get("ends_at", item))
            else None,
            fingerprint=str(fp) if (fp := self._get("fingerprint", item)) else None,
            times_in_hash=bool(starts_raw),
        )

    def _time(self, value: Any, field: str) -> datetime:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return epoch_time(value, field, self.name, millis=value > 1e11)
        try:
            return checked_time(_TIME.validate_python(value), field, self.name)
        except (ValidationError, OverflowError, ValueError):
            raise PayloadError(
                f"not a time: {str(value)[:40]!r}", source=self.name, field=field
            ) from None
