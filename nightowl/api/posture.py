"""``GET /api/v1/posture`` and the same security-posture KPIs on ``/metrics``: open CVE findings
by severity and the time critical ones took to fix (computed from the findings store at each
scrape; a store that cannot be read leaves them out of the scrape, as the agent's KPIs do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, nightowl_of
from nightowl.api.metrics import REGISTRY
from nightowl.errors import StoreError
from nightowl.watchers.cve.posture import Posture

if TYPE_CHECKING:
    from nightowl.app import Nightowl

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/posture", tags=["kpis"])


class PostureCollector(Collector):
    """Computes the posture when Prometheus scrapes; nothing until ``bind`` gives it a store."""

    def __init__(self) -> None:
        self.compute: Callable[[], Posture] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.compute is None:
            return
        try:
            found = self.compute()
        except StoreError as exc:
            log.warning("posture left out of /metrics: %s", exc)
            return
        opened = GaugeMetricFamily(
            "nightowl_vulnerabilities_open",
            "Open (new or seen again) CVE findings, by CVSS severity.",
            labels=["severity"],
        )
        for severity, count in found.open_by_severity.items():
            opened.add_metric([severity], float(count))
        yield opened
        if found.time_to_fix_critical_seconds is not None:
            yield GaugeMetricFamily(
                "nightowl_time_to_fix_critical_seconds",
                "Median time from first seen to fixed of critical CVE findings.",
                value=found.time_to_fix_critical_seconds,
            )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())


COLLECTOR = PostureCollector()
REGISTRY.register(COLLECTOR)


def bind(app: Nightowl) -> None:
    """Serve the posture of ``app``'s store on /metrics."""
    COLLECTOR.compute = app.records.posture


@router.get(
    "",
    response_model=Posture,
    responses=REFUSED,
    summary="Security posture: open CVE findings by severity, time to fix critical ones",
)
async def get_posture(request: Request, _: Reader) -> Posture:
    return await run_in_threadpool(nightowl_of(request).records.posture)
