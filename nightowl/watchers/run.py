"""One run of one watcher: check, bound, track in the store.

A run that could not look (the watcher raised a ``NightowlError``, or ran out of time) records
nothing: what it found before stays as it was, rather than everything being marked fixed. A
run that returns more than ``MAX_FINDINGS`` is refused the same way (bounded input). Otherwise
every finding is tracked by fingerprint (``FindingStore.sweep``) and the run says which are new
and which are now fixed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from nightowl.domain.findings import Finding, WatchRun
from nightowl.errors import NightowlError
from nightowl.store.findings import TRACKED, FindingStore
from nightowl.watchers.protocol import WatchContext, Watcher

log = logging.getLogger(__name__)

MAX_FINDINGS = 5000
"""The most findings one run may return; more is an error, not a truncation (a truncated view
would mark the rest fixed)."""


async def run_watcher(
    watcher: Watcher, ctx: WatchContext, store: FindingStore, *, timeout: float = 300.0
) -> WatchRun:
    """Run ``watcher`` once at ``ctx.now`` and track what it found. Never raises for the
    watcher's own failure (it is the run's ``error``); StoreError when the store cannot be used.
    The watcher sees its own tracked findings before the run (``WatchContext.previous``)."""
    previous = await asyncio.to_thread(store.list, watcher=watcher.name, states=TRACKED)
    ctx = replace(ctx, previous=tuple(previous))
    try:
        found = await asyncio.wait_for(watcher.check(ctx), timeout)
    except TimeoutError:
        return _failed(watcher, ctx, f"did not finish within {timeout:g} s")
    except NightowlError as exc:
        return _failed(watcher, ctx, str(exc))
    if len(found) > MAX_FINDINGS:
        return _failed(watcher, ctx, f"returned {len(found)} findings (at most {MAX_FINDINGS})")
    own = [_own(watcher.name, f) for f in found]
    tracked, fixed = await asyncio.to_thread(store.sweep, watcher.name, own, ctx.now)
    return WatchRun(watcher=watcher.name, at=ctx.now, findings=tuple(tracked), fixed=tuple(fixed))


def _own(name: str, finding: Finding) -> Finding:
    """The finding as this watcher's (a kind reused under two names keeps them apart)."""
    if finding.watcher == name:
        return finding
    return finding.model_copy(update={"watcher": name})


def _failed(watcher: Watcher, ctx: WatchContext, error: str) -> WatchRun:
    log.warning("watcher %s failed: %s", watcher.name, error)
    return WatchRun(watcher=watcher.name, at=ctx.now, error=error)
