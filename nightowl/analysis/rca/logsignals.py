"""Log evidence as signals: per service, how many error lines each time bucket holds.

Buckets span the time the logs cover (first to last record of any service) and are zero-filled,
so a service that logged no error before the fault and many after it shows a clean step.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from nightowl.domain.base import utc
from nightowl.domain.signals import LogLevel, LogRecord, Series

ERROR_LEVELS = frozenset({LogLevel.ERROR, LogLevel.FATAL})
ERRORS = "log.errors"


def log_signals(
    logs: Iterable[LogRecord], bucket: timedelta = timedelta(seconds=10)
) -> dict[str, dict[str, Series]]:
    """Service → ``{"log.errors": counts per bucket}`` for every service that logged anything."""
    records = list(logs)
    if not records:
        return {}
    size = bucket.total_seconds()
    stamps = [utc(r.timestamp).timestamp() for r in records]
    origin = math.floor(min(stamps) / size) * size
    count = int((max(stamps) - origin) // size) + 1
    errors: dict[str, list[float]] = defaultdict(lambda: [0.0] * count)
    for record, ts in zip(records, stamps, strict=True):
        row = errors[record.service]
        if record.level in ERROR_LEVELS:
            row[int((ts - origin) // size)] += 1.0
    # Only buckets that hold some record are known: a gap in collection is not zero errors.
    # Each bucket is stamped at its end: its count is only known once it is over.
    covered = sorted({int((ts - origin) // size) for ts in stamps})
    times = tuple(origin + (i + 1) * size for i in covered)
    return {
        service: {
            ERRORS: Series(
                metric=ERRORS,
                labels={"service": service},
                timestamps=times,
                values=tuple(row[i] for i in covered),
            )
        }
        for service, row in errors.items()
    }
