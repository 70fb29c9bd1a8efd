"""A drifted model column's two distributions, drawn for the report and the incident page.

The drift evidence (``domain.ModelDrift``, read from the ``model_drift`` watcher's finding) keeps
both windows' shares over the same bins or categories. The Markdown report writes them as a
table (``markdown.py``, readable anywhere); ``bars`` draws them as grouped bars in an inline SVG (the
HTML report and the UI's incident page): the reference window grey, the current window teal,
so a unit change shows as the current mass piled into other bins.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from nightowl.domain import Evidence, ModelDrift

REFERENCE, CURRENT = "#9ca3af", "#0f766e"
MAX_LABEL = 14
"""Characters of a bin or category label under its bars (longer ones end in an ellipsis; the
full label is the bar's tooltip)."""


def drifts(evidence: Iterable[Evidence]) -> list[ModelDrift]:
    """The drift evidence's distributions, one per column that has both windows' shares."""
    found = [e.detail for e in evidence if isinstance(e.detail, ModelDrift)]
    return [d for d in found if d.labels and len(d.reference) == len(d.current) == len(d.labels)]


def heading(d: ModelDrift) -> str:
    """``model@alias (version N) column``: the chart's title."""
    version = f" (version {d.version})" if d.version else ""
    return f"{d.model}@{d.alias}{version}: {d.role} {d.column}"


def bars(d: ModelDrift, width: int = 640, height: int = 220) -> str:
    """The two distributions as grouped bars, an inline SVG element (escaped; safe to embed)."""
    left, right, top, bottom = 48, 12, 36, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    hi = max((*d.reference, *d.current), default=0.0) * 1.1 or 1.0
    slot = plot_w / len(d.labels)
    bar = slot * 0.38
    e = html.escape
    title = heading(d)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{e(title)}">',
        f'<text x="{left}" y="14" class="chart-title">{e(title)}</text>',
        f'<text x="{left}" y="28" class="tick"><tspan fill="{REFERENCE}">&#9632; reference</tspan>'
        f' <tspan fill="{CURRENT}">&#9632; current</tspan> (share of rows)</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#d1d5db"/>',
    ]
    for i in range(3):
        v = hi * i / 2
        y = top + plot_h - v / hi * plot_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{v:.0%}</text>'
        )
    for n, (label, ref, cur) in enumerate(zip(d.labels, d.reference, d.current, strict=True)):
        x0 = left + n * slot + slot * 0.12
        for k, (share, colour, window) in enumerate(
            ((ref, REFERENCE, "reference"), (cur, CURRENT, "current"))
        ):
            h = share / hi * plot_h
            parts.append(
                f'<rect x="{x0 + k * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{e(label)}: {share:.1%} of the '
                f"{window} window</title></rect>"
            )
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        parts.append(
            f'<text x="{left + (n + 0.5) * slot:.1f}" y="{height - 12}" text-anchor="middle" '
            f'class="tick">{e(short)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
