"""Routing, enrichment and redaction in front of every notifier.

Whatever sends a message (the notify stage, the approve stage's page, the dispatcher's reminders)
iterates over the runtime's notifiers; ``wrap`` puts each behind a ``Routed`` notifier that:

1. looks the incident up once per message (``IncidentFacts``: service, severity, the pending
   approval requests, a link to the incident page, the alerts' own links (``generatorURL``), the notifications sent so far — which Slack
   uses to reply in its thread and PagerDuty to know whether there is a page to resolve);
2. routes with Alertmanager's semantics (a route's ``match.owner`` takes a message whose service
   the knowledge graph says one of those people or teams owns or is on call for, or whose
   watcher names one of them as the owner: a ``model_drift`` watcher's ``owner``): ``notify.routes`` are tried in order, the first whose
   ``match`` fits wins unless it says ``continue: true``; a message no route takes goes to
   ``notify.default`` (all notifiers when unset); with no routes every notifier gets everything;
3. redacts the title and text (``nightowl.redaction``) with every configured secret known, so no
   notifier can leak a token into a channel;
4. hands the notifier a ``Notice`` (a ``Message`` with the facts): a notifier that does not use the
   facts treats it as the plain message.

A notifier not routed a message answers ``Notification(ok=True, detail="not routed …")`` without
sending. Never raises for a lookup failure: the message goes out with fewer facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import Field

from nightowl.domain import ApprovalStatus, Incident, Model, Notification
from nightowl.domain.ports import Knowledge
from nightowl.errors import ConfigError, NightowlError
from nightowl.notify.protocol import Message, Notifier
from nightowl.redaction import Redactor
from nightowl.settings import NotifySettings, RouteMatch
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.reports import HTML, ReportDocuments


class PendingApproval(Model):
    """An approval request a message may offer buttons for."""

    id: str
    action: str
    service: str
    plan: str
    rollback: str
    blast_radius: str = ""
    expires_at: datetime


class IncidentFacts(Model):
    """What routing looks up about a message's incident: service, severity, links, pending
    approvals and the notifications sent so far (empty when the incident cannot be read).
    """

    service: str | None = None
    severity: str | None = None
    url: str | None = None
    report_html_path: str | None = None
    report_html: str | None = None
    """The report's HTML page as the store keeps it (any replica's report), for an attachment."""
    alert_links: tuple[str, ...] = ()
    approvals: tuple[PendingApproval, ...] = ()
    owners: tuple[str, ...] = ()
    """Who owns or is on call for the service, as the knowledge graph knows (owners first)."""
    actions_taken: tuple[str, ...] = ()
    """The kinds of the incident's actions, each once in the order taken (a human may rate them)."""
    history: tuple[Notification, ...] = ()


class Notice(Message):
    """A message with what routing looked up about its incident (see ``IncidentFacts``)."""

    service: str | None = None
    severity: str | None = None
    url: str | None = None
    report_html_path: str | None = None
    report_html: str | None = Field(default=None, exclude=True)
    """Not serialised: the page is attached by the notifiers that attach it, not forwarded."""
    alert_links: tuple[str, ...] = ()
    """The alerts' own links (``generatorURL``), http(s) only: the graph, the rule, the page."""
    approvals: tuple[PendingApproval, ...] = ()
    owners: tuple[str, ...] = ()
    actions_taken: tuple[str, ...] = ()
    history: tuple[Notification, ...] = Field(default=(), exclude=True)
    """Not serialised: file and webhook receivers get the message, not the incident's log."""

    @classmethod
    def of(cls, message: Message) -> Notice:
        """``message`` as a Notice: routing sends Notices, a bare Message gets empty facts."""
        return message if isinstance(message, Notice) else cls(**message.model_dump())

    def sent_by(self, channel: str) -> tuple[Notification, ...]:
        """The successful notifications ``channel`` sent earlier about this incident."""
        return tuple(n for n in self.history if n.channel == channel and n.ok)


Lookup = Callable[[str], IncidentFacts]
MAX_ALERT_LINKS = 3


def store_lookup(
    store: IncidentStore,
    approvals: ApprovalStore,
    public_url: str | None = None,
    knowledge: Knowledge | None = None,
    documents: ReportDocuments | None = None,
) -> Lookup:
    """Facts from the store (and the service's owners from the knowledge graph, the report's
    page from ``documents``); an unknown incident or a store failure gives empty facts, a graph
    failure no owners."""

    def lookup(incident_id: str) -> IncidentFacts:
        try:
            incident = store.get(incident_id)
            pending = approvals.list(status=ApprovalStatus.PENDING, incident_id=incident_id)
        except NightowlError:
            return IncidentFacts()
        owners = tuple(
            dict.fromkeys(
                (
                    *_named_owners(incident),
                    *_owners(knowledge, incident.service, incident.updated_at),
                )
            )
        )
        html = Path(incident.report_path).with_suffix(".html") if incident.report_path else None
        page = _stored_page(documents, incident_id) if incident.report_path else None
        return IncidentFacts(
            service=incident.service,
            severity=incident.severity.value if incident.severity else None,
            url=f"{public_url.rstrip('/')}/ui/incidents/{incident_id}" if public_url else None,
            report_html_path=str(html) if html is not None and html.exists() else None,
            report_html=page,
            alert_links=incident.alert_links[:MAX_ALERT_LINKS],
            approvals=tuple(
                PendingApproval(
                    id=r.id,
                    action=r.action.kind,
                    service=r.service,
                    plan=r.plan,
                    rollback=r.rollback,
                    blast_radius=r.blast_radius.summary if r.blast_radius else "",
                    expires_at=r.expires_at,
                )
                for r in pending
            ),
            owners=owners,
            actions_taken=tuple(dict.fromkeys(a.kind for a in incident.actions)),
            history=incident.notifications,
        )

    return lookup


def _stored_page(documents: ReportDocuments | None, incident_id: str) -> str | None:
    """The report's HTML page in the store; None without one, or when the store fails."""
    if documents is None:
        return None
    try:
        return documents.get(incident_id).get(HTML)
    except NightowlError:
        return None


def _owners(knowledge: Knowledge | None, service: str | None, now: datetime) -> tuple[str, ...]:
    if knowledge is None or service is None:
        return ()
    try:
        card = knowledge.card(service, now, hops=0)
    except NightowlError:  # the graph unreadable: the message goes out, routed without owners
        return ()
    return tuple(dict.fromkeys(o.name for o in (*card.owners, *card.on_call)))


def _named_owners(incident: Incident) -> tuple[str, ...]:
    """The owners nightowl's own watchers named on the incident's alerts (``owner`` label of an
    alert from the ``watcher`` source: a watcher's configured owner, e.g. a model's team); other
    sources' labels are third-party text and do not route by owner."""
    return tuple(
        a.labels["owner"]
        for a in incident.alerts
        if a.source == "watcher" and a.labels.get("owner")
    )


def matches(
    match: RouteMatch, service: str | None, severity: str | None, owners: Sequence[str] = ()
) -> bool:
    """True when ``service`` and ``severity`` are in the route's lists and one of ``owners`` is in
    its ``owner`` list (an empty list matches all).
    """
    return (
        (not match.service or service in match.service)
        and (not match.severity or severity in match.severity)
        and (not match.owner or any(o in match.owner for o in owners))
    )


def select(settings: NotifySettings, names: Sequence[str], facts: IncidentFacts) -> set[str]:
    """The names of the notifiers a message about an incident with ``facts`` goes to."""
    if not settings.routes:
        return set(names)
    chosen: set[str] = set()
    for route in settings.routes:
        if matches(route.match, facts.service, facts.severity, facts.owners):
            chosen.update(route.notifiers)
            if not route.continue_matching:
                return chosen
    if chosen:
        return chosen
    return set(names if settings.default is None else settings.default)


class Router:
    """Shared by the ``Routed`` notifiers: one lookup per message, the routes, the secrets."""

    def __init__(
        self,
        settings: NotifySettings,
        names: Sequence[str],
        lookup: Lookup,
        redactor: Redactor,
    ) -> None:
        self.settings = settings
        self.names = tuple(names)
        self.lookup = lookup
        self.redactor = redactor
        self._last: tuple[Message, Notice, set[str]] | None = None
        _check(settings, self.names)

    def prepare(self, message: Message) -> tuple[Notice, set[str]]:
        """The enriched, redacted notice and who gets it (cached for the last message)."""
        if self._last is not None and self._last[0] is message:
            return self._last[1], self._last[2]
        facts = self.lookup(message.incident_id)
        if isinstance(message, Notice) and facts.service is None:
            # not about an incident (a deploy risk notice): route by the facts it carries
            facts = IncidentFacts(
                service=message.service, severity=message.severity, owners=message.owners
            )
        base = message.model_dump(include=set(Message.model_fields))
        clean = self.redactor.secrets
        base.update(title=clean(message.title), text=clean(message.text))
        found = facts.model_dump(exclude={"history"})
        found["alert_links"] = tuple(clean(u) for u in facts.alert_links)
        notice = Notice(**base, **found, history=facts.history)
        chosen = select(self.settings, self.names, facts)
        self._last = (message, notice, chosen)
        return notice, chosen


class Routed:
    """A notifier behind the router. Same contract: never raises for a delivery failure."""

    def __init__(self, inner: Notifier, router: Router, clock: Callable[[], datetime]) -> None:
        self.inner = inner
        self.name = inner.name
        self.router = router
        self.clock = clock

    async def send(self, message: Message) -> Notification:
        """Send through the inner notifier when the routes choose it; otherwise an ``ok`` "not
        routed here" Notification, so the incident's log shows why a channel stayed silent.
        """
        notice, chosen = self.router.prepare(message)
        if self.name not in chosen:
            return Notification(
                channel=self.name,
                ok=True,
                sent_at=self.clock(),
                detail=f"not routed here (service {notice.service or 'unknown'}, "
                f"severity {notice.severity or 'unknown'})",
            )
        return await self.inner.send(notice)


def wrap(
    notifiers: Sequence[Notifier],
    settings: NotifySettings,
    lookup: Lookup,
    clock: Callable[[], datetime],
    redactor: Redactor,
) -> list[Notifier]:
    """Put every notifier behind one router. ConfigError if a route names an unknown notifier."""
    router = Router(settings, [n.name for n in notifiers], lookup, redactor)
    return [Routed(n, router, clock) for n in notifiers]


def unwrap(notifiers: Iterable[Notifier]) -> list[Notifier]:
    """The notifiers themselves, without their routing wrappers."""
    return [n.inner if isinstance(n, Routed) else n for n in notifiers]


def _check(settings: NotifySettings, names: tuple[str, ...]) -> None:
    known = set(names)
    for i, route in enumerate(settings.routes):
        for name in route.notifiers:
            if name not in known:
                raise ConfigError(
                    f"no notifier named {name!r}; configured: {', '.join(names) or 'none'}",
                    where=f"notify.routes[{i}].notifiers",
                )
    for name in settings.default or []:
        if name not in known:
            raise ConfigError(
                f"no notifier named {name!r}; configured: {', '.join(names) or 'none'}",
                where="notify.default",
            )
