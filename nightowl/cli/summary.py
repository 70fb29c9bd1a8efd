"""What ``nightowl serve`` says at startup: what it reads, what it may do, who hears, where it
keeps things, who may call it; and, loudly, what is missing for it to be of use.

``startup_summary`` is plain data (lines and warnings) so that it is tested without a server and
printed by whichever front end serves. ``unreachable`` is the one part that reaches out: each
connector's health check, run by ``serve`` on the server's own event loop before it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nightowl.settings import Settings

if TYPE_CHECKING:
    from nightowl.app import Nightowl

KINDS = ("metrics", "logs", "deploys", "cluster")
CHECK_SECONDS = 5.0
"""The longest a connector's startup check may hold the server back (at most
``gather.call_timeout_seconds``): a reachable backend answers its sample query well within it,
and a black-holed one must not keep the webhooks waiting for long."""


@dataclass
class Summary:
    """The startup summary: one line per topic, and the warnings to print in bold."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def startup_summary(nightowl: Nightowl) -> Summary:
    """Connectors by kind, autonomy and dry-run, notifiers, store, authentication."""
    settings = nightowl.settings
    names = nightowl.reads.names
    out = Summary()
    out.lines.append(
        "connectors: " + "; ".join(f"{kind}: {names.get(kind, 'none')}" for kind in KINDS)
    )
    if names.get("metrics", "none") == "none":
        out.warnings.append(
            "no metrics source configured: nightowl cannot test any hypothesis, and every "
            "incident will escalate with 'no data sources configured'. Add a prometheus or "
            "victoriametrics connector (nightowl init, docs/configuration.md#connectors)."
        )
    dry = "on (actions only say what they would do)" if settings.actions.dry_run else "OFF"
    out.lines.append(f"autonomy: {settings.policy.autonomy.value}; dry-run: {dry}")
    out.lines.append(_notifiers(settings, out))
    out.lines.append(f"store: {shown_store_url(settings)}")
    out.lines.append(_auth(settings, out))
    return out


def _notifiers(settings: Settings, out: Summary) -> str:
    configured = settings.notify.notifiers
    if not configured:
        path = settings.data_dir / "notifications.jsonl"
        out.warnings.append(
            f"no notifier configured: messages only go to the file {path}, and no human hears "
            "of an incident. Add slack, pagerduty, email or webhook under notify.notifiers."
        )
        return f"notifiers: file {path} (the default)"
    return "notifiers: " + ", ".join(f"{n.name} ({n.kind})" for n in configured)


def shown_store_url(settings: Settings) -> str:
    """The store's URL without its password."""
    from nightowl.store.database import mask_url

    return mask_url(settings.store_url)


def _auth(settings: Settings, out: Summary) -> str:
    sources = sorted(k for k, tokens in settings.webhooks.tokens.items() if tokens)
    schemes = sorted(f"{k} ({a.kind})" for k, a in settings.webhooks.auth.items())
    webhooks = ", ".join([*sources, *schemes]) or "none"
    if webhooks == "none":
        out.warnings.append(
            "no webhook token configured: webhooks will be refused. Set "
            "NIGHTOWL_WEBHOOK_TOKEN or webhooks.tokens."
        )
    return (
        f"auth: webhook credentials for {webhooks}; {len(settings.api.users)} API user(s), "
        f"{len(settings.ui.users)} web UI user(s)"
    )


async def unreachable(nightowl: Nightowl) -> list[str]:
    """A warning for each connector that fails its health check now: every incident would gather
    nothing from it, and say only "no data gathered" (``serve`` warns before it answers)."""
    from nightowl.connectors.health import check_all

    timeout = min(CHECK_SECONDS, nightowl.settings.gather.call_timeout_seconds)
    results = await check_all(nightowl.connectors, timeout)
    return [
        f"connector {r.name} ({r.kind}) does not answer: {r.error}. Incidents will gather "
        "nothing from it until it does (`nightowl check connectors`)."
        for r in results
        if not r.ok
    ]
