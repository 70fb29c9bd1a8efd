"""The stage order, written once, and where the engine's loops go back to."""

from __future__ import annotations

from nightowl.domain import StageName

PIPELINE: tuple[StageName, ...] = (
    StageName.TRIAGE,
    StageName.GATHER,
    StageName.ANALYZE,
    StageName.DIAGNOSE,
    StageName.PLAN,
    StageName.GATE,
    StageName.APPROVE,
    StageName.ACT,
    StageName.VERIFY,
    StageName.REPORT,
    StageName.NOTIFY,
)
"""The stage order, written once: triage → gather → analyze → diagnose → plan → gate → approve →
act → verify → report → notify. The stages themselves live in the packages that own them."""

ALWAYS_RUN = (StageName.REPORT, StageName.NOTIFY)
"""Stages that still run after an earlier stage failed (or asked to stop), so humans always get the
story."""

LOOK_AGAIN_FROM = StageName.GATHER
"""Where diagnosis starts over when no root cause reached the threshold yet (bounded by
``analysis.look_again``, after ``analysis.look_again_seconds``)."""

REDIAGNOSE_FROM = StageName.DIAGNOSE
"""Where another round starts when verify finds the service not recovered (bounded by
``verify.max_cycles``)."""
