"""The report's links: the alerts' own pages (``generatorURL``), the configured dashboards, the
commit the root cause's deploy shipped, the incident page, nightowl's own trace."""

from __future__ import annotations

from nightowl.domain import Incident
from nightowl.report.model import Cause, Link
from nightowl.settings import ReportSettings


def links(
    incident: Incident,
    cause: Cause | None,
    settings: ReportSettings,
    public_url: str | None,
    trace: tuple[str, str | None] | None = None,
) -> tuple[Link, ...]:
    """Every link the report can give, alert sources first; ``{service}`` and ``{commit}`` in the
    configured templates are filled in (and nothing else is: a template is not code)."""
    names = {a.generator_url: a.name for a in incident.alerts if a.generator_url}
    out = [Link(label=f"alert {names[u]}", url=u) for u in incident.alert_links]
    service = (cause.service if cause else None) or incident.service or ""
    for board in settings.dashboards:
        out.append(Link(label=board.label, url=_fill(board.url, service, "")))
    if cause and cause.commit:
        url = _fill(settings.commit_url, service, cause.commit) if settings.commit_url else None
        shipped = f"{cause.service} {cause.deploy}" if cause.deploy else cause.service
        out.append(Link(label=f"commit {cause.commit} ({shipped})", url=url))
    if public_url:
        out.append(
            Link(label="incident page", url=f"{public_url.rstrip('/')}/ui/incidents/{incident.id}")
        )
    if trace:
        out.append(Link(label=f"nightowl's trace {trace[0]}", url=trace[1]))
    return tuple(out)


def _fill(template: str, service: str, commit: str) -> str:
    return template.replace("{service}", service).replace("{commit}", commit)
