"""The report's "Who owns what, who changed what" section, from the knowledge graph's cards of
the services the incident touched: owners and on-call with where each is written, and the recent
deploys with who, what, when, commit and pull request."""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.domain.graph import OwnerRef, ServiceCard

TITLE = "## Who owns what, who changed what"
CHANGES_SHOWN = 5


def section(cards: Sequence[ServiceCard]) -> str:
    """The section in Markdown; "" when the graph knows nothing about any of the services."""
    known = [c for c in cards if c.known]
    if not known:
        return ""
    lines = [TITLE, ""]
    for card in known:
        lines.append(f"- **{card.service}** — owners: {_people(card.owners)}; on call: "
                     f"{_people(card.on_call)}; {card.fan_in} service(s) depend on it")  # fmt: skip
        for change in card.changes[:CHANGES_SHOWN]:
            who = change.author or "unknown"
            commit = f", commit `{change.commit[:12]}`" if change.commit else ""
            pr = f", PR #{change.pr}" if change.pr else ""
            lines.append(
                f"  - {change.at:%Y-%m-%d %H:%M} UTC: {who} deployed {change.version} "
                f"(was {change.previous_version or 'unknown'}{commit}{pr})"
            )
    return "\n".join(lines) + "\n"


def with_people(markdown: str, cards: Sequence[ServiceCard]) -> str:
    """The report with the section before its action items (at the end without them)."""
    text = section(cards)
    if not text:
        return markdown
    marker = "\n## Action items"
    if marker in markdown:
        head, tail = markdown.split(marker, 1)
        return f"{head}\n{text}{marker}{tail}"
    return f"{markdown.rstrip()}\n\n{text}"


def _people(found: Sequence[OwnerRef]) -> str:
    if not found:
        return "nobody known"
    return ", ".join(f"{o.name} ({', '.join(o.sources)})" for o in found)
