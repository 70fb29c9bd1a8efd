"""Run the miner over a batch of log records, one miner per service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nightowl.analysis.logs.miner import TemplateMiner
from nightowl.analysis.logs.state import MinerState
from nightowl.domain.base import Model
from nightowl.domain.signals import LogRecord


class MinedRecords(Model):
    """Template of every record, index-aligned with the records that were mined.

    ``template_ids[i]`` and ``templates[i]`` belong to ``records[i]``; ids are per service, so a
    template is identified by ``(service, id)``. ``states`` holds each service's miner state
    after the batch, ready to be persisted and passed back in next time.
    """

    template_ids: tuple[int, ...]
    templates: tuple[str, ...]
    states: dict[str, MinerState]


def mine_records(
    records: Sequence[LogRecord], known: Mapping[str, MinerState] | None = None
) -> MinedRecords:
    """Mine ``records`` in order, continuing from ``known`` states (which are not modified)."""
    miners: dict[str, TemplateMiner] = {}
    ids: list[int] = []
    for record in records:
        miner = miners.get(record.service)
        if miner is None:
            state = (known or {}).get(record.service)
            miner = TemplateMiner.from_state(state) if state else TemplateMiner()
            miners[record.service] = miner
        ids.append(miner.add(record.message, record.timestamp))
    final_ids: list[int] = []
    texts: list[str] = []
    for record, tid in zip(records, ids, strict=True):
        miner = miners[record.service]
        resolved = miner.resolve(tid)
        final_ids.append(resolved if resolved is not None else tid)
        texts.append(miner.template(tid) if resolved is not None else record.message)
    states = {service: m.to_state(service) for service, m in miners.items()}
    return MinedRecords(template_ids=tuple(final_ids), templates=tuple(texts), states=states)
