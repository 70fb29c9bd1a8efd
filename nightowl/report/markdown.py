"""The postmortem in Markdown (CommonMark with tables): the one text both files are made of.

Every value from outside — alert text, log templates with ``<*>``, evidence summaries, queries —
is escaped (``esc``) or put in a code span (``code``), so it shows as written: ``<*>`` never turns
into italics, ``<b>`` never into HTML. ``render(incident)`` is the report from the incident alone;
the report stage passes what else it read through ``postmortem.Sources``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nightowl.domain import Incident
from nightowl.domain.units import count, duration
from nightowl.report.model import ActionItem, Lesson, Postmortem
from nightowl.report.postmortem import Sources, build

SECTIONS = (
    "Status",
    "Summary",
    "Impact",
    "Detection",
    "Trigger and root cause",
    "Resolution",
    "Responders",
    "Lessons learned",
    "Action items",
    "Timeline",
    "Links",
)
# What can mark up inline text: emphasis, code, links, autolinks and HTML, table cells,
# strikethrough (GitHub), entities; an underscore inside a word (error_rate) cannot, so stays.
_SPECIAL = re.compile(r"[\\`*\[\]<>|~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BLOCK = re.compile(r"^([#>+=-]|\d+[.)])")  # would open a heading, quote, list at a line start


def esc(text: str) -> str:
    """``text`` as literal Markdown inline text: what could mark up is backslash-escaped, line
    breaks become spaces (a cell or a list item stays one line)."""
    flat = _SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(text.split()))
    return _BLOCK.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], flat)


def code(text: str) -> str:
    """``text`` as a code span, fenced by more backticks than it contains."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def autolink(url: str) -> str:
    """An http(s) URL as a Markdown autolink (the characters that would end it percent-encoded);
    anything else as a code span, never a link."""
    if not url.lower().startswith(("http://", "https://")):
        return code(url)
    quoted = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"<{quoted}>"


def render(incident: Incident, sources: Sources | None = None) -> str:
    """The report of ``incident`` in Markdown. Pure: the same input renders the same text."""
    return render_postmortem(build(incident, sources))


def render_postmortem(p: Postmortem) -> str:
    """The postmortem model in Markdown, section by section (``SECTIONS``)."""
    meta = (
        f"Incident {code(p.incident_id)} · service {esc(p.service or 'unknown')} · severity "
        f"{esc(p.severity or 'unknown')} · category {esc(p.category or 'unknown')}"
    )
    parts = [f"# Postmortem: {esc(p.title)}", "", meta, ""]
    body = {
        "Status": _status(p),
        "Summary": [esc(p.summary)],
        "Impact": _impact(p),
        "Detection": _detection(p),
        "Trigger and root cause": [*_cause(p), *_distributions(p)],
        "Resolution": [f"- {esc(line)}" for line in p.resolution] or ["No action was taken."],
        "Responders": _people(p),
        "Lessons learned": _lessons(p),
        "Action items": _items(p.action_items),
        "Timeline": _timeline(p),
        "Links": _links(p),
    }
    for title in SECTIONS:
        parts += [f"## {title}", "", *body[title], ""]
        if title == "Summary" and p.narrative:
            parts += ["## Narrative", "", p.narrative, ""]
    return "\n".join(parts)


def _distributions(p: Postmortem) -> list[str]:
    """Each drifted column's two windows, as a table (the HTML report draws them as bars)."""
    lines: list[str] = []
    for d in p.drifts:
        version = f" (version {esc(d.version)})" if d.version else ""
        lines += [
            "",
            f"Distributions of {d.role} {code(d.column)} of model {code(d.model)}@"
            f"{esc(d.alias)}{version}, reference vs current window:",
            "",
            "| bin | reference | current |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {code(label)} | {ref:.1%} | {cur:.1%} |"
            for label, ref, cur in zip(d.labels, d.reference, d.current, strict=True)
        ]
    return lines


def _status(p: Postmortem) -> list[str]:
    o = p.outcome
    lines = [f"**{esc(o.status.value.replace('_', ' '))}**: {esc(o.why)}."]
    if o.human_action:
        lines += ["", f"**Next:** {esc(o.human_action[:1].upper() + o.human_action[1:])}."]
    return lines


def _impact(p: Postmortem) -> list[str]:
    i = p.impact
    lines = [f"- {esc(s)}" for s in i.symptoms]
    if i.degraded_seconds is not None:
        lines.append(
            f"- Degraded for {duration(i.degraded_seconds)} (first symptom to verified recovery)."
        )
    elif p.detection.symptom_at is not None:
        lines.append(
            f"- Degraded since {p.detection.symptom_at:%Y-%m-%d %H:%M:%S} UTC (first symptom); "
            "recovery was not verified."
        )
    if i.failed_requests is not None and i.requests is not None:
        share = i.failed_requests / i.requests if i.requests else 0.0
        lines.append(
            f"- Failed requests: ≈ {count(i.failed_requests)} of ≈ {count(i.requests)} "
            f"({share:.1%}); above the normal error rate: ≈ {count(i.excess_failed_requests or 0)}."
        )
        lines.append(f"  - How computed: {esc(i.method)}.")
    else:
        lines.append("- Failed requests: _not computed_ (no request and error rates observed).")
    affected = ", ".join(esc(s) for s in i.services) or "none measured"
    lines.append(f"- Services affected: {affected}.")
    lines.append("- _To fill in:_ what users saw, and who was affected (customers, regions).")
    return lines


def _detection(p: Postmortem) -> list[str]:
    d = p.detection
    rows = [
        ("trigger (change)", d.trigger_at, None),
        ("first symptom", d.symptom_at, None),
        ("first alert", d.alerted_at, d.detection_delay_seconds),
        ("page (incident opened)", d.paged_at, d.time_to_page_seconds),
        ("diagnosed", d.diagnosed_at, d.time_to_diagnose_seconds),
        ("mitigated", d.mitigated_at, d.time_to_mitigate_seconds),
    ]
    since = {
        "first alert": "since the trigger" if d.trigger_at else "since the first symptom",
        "page (incident opened)": "since the first alert",
        "diagnosed": "since the page",
        "mitigated": "since the page",
    }
    lines = ["| event | time (UTC) | delay |", "|---|---|---|"]
    for name, at, delay in rows:
        when = f"{at:%Y-%m-%d %H:%M:%S}" if at else "—"
        gap = f"{duration(delay)} {since[name]}" if delay is not None else "—"
        lines.append(f"| {name} | {when} | {gap} |")
    return lines


def _cause(p: Postmortem) -> list[str]:
    c = p.cause
    history = [esc(p.history), ""] if p.history else []
    if c is None:
        return [*history, esc(p.cause_note), "", "- _To fill in:_ the trigger and the root cause."]
    deploy = f" (deploy {esc(c.deploy)})" if c.deploy else ""
    commit = f", commit {code(c.commit)}" if c.commit else ""
    trigger = esc(c.trigger) + commit if c.trigger else "_To fill in:_ what set it off"
    lines = [
        *history,
        f"- **Trigger:** {trigger}.",
        f"- **Root cause:** {esc(c.kind)} on {esc(c.service)}{deploy}, confidence "
        f"{c.confidence:.0%}: {esc(c.summary)}.",
        "",
        "Evidence:",
        "",
    ]
    lines += [
        f"- {esc(e.summary)} (source {esc(e.source)}, query {code(e.query)})" for e in c.evidence
    ]
    if c.alternatives:
        lines += ["", "Alternatives considered:", ""]
        lines += [
            f"- {esc(a.kind)} on {esc(a.service)}: {a.confidence:.0%} ({esc(a.status)}) — "
            f"{esc(a.summary)}"
            for a in c.alternatives
        ]
    return lines


def _people(p: Postmortem) -> list[str]:
    lines = [f"- {esc(x.name)} ({x.role}): {esc(x.did)}" for x in p.people]
    if not lines:
        lines = ["- No human approved or acted through nightowl."]
    return [*lines, "- _To fill in:_ the incident commander and who else responded."]


def _lessons(p: Postmortem) -> list[str]:
    def block(title: str, items: Iterable[Lesson]) -> list[str]:
        lines = [f"- {x.text if x.prompt else esc(x.text)}" for x in items]
        return [f"### {title}", "", *lines, ""]

    return [
        *block("What went well", p.went_well),
        *block("What went badly", p.went_badly),
        *block("Where we got lucky", p.lucky),
    ][:-1]


def _items(items: Iterable[ActionItem]) -> list[str]:
    lines = ["| action item | type | priority | owner |", "|---|---|---|---|"]
    for a in items:
        text = a.text if a.text.startswith("_To fill in_") else esc(a.text)
        owner = a.owner if a.owner.startswith("_") else esc(a.owner)
        lines.append(f"| {text} | {a.kind} | {a.priority} | {owner} |")
    return lines


def _timeline(p: Postmortem) -> list[str]:
    lines = ["| time (UTC) | event |", "|---|---|"]
    lines += [f"| {e.at:%Y-%m-%d %H:%M:%S} | {esc(e.text)} |" for e in p.timeline]
    return lines


def _links(p: Postmortem) -> list[str]:
    lines = [
        f"- {esc(link.label)}: {autolink(link.url)}" if link.url else f"- {esc(link.label)}"
        for link in p.links
    ]
    return lines or ["- _To fill in:_ dashboards, the alerting rule, the change."]
