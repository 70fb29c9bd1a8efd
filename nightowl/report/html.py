"""The postmortem as one self-contained HTML file: the Markdown report's sections, the key
metrics as inline SVG charts (after "Impact"), and an optional narrative.

One model, two renderings: the HTML is rendered *from the Markdown* that ``markdown.py`` writes
from the ``Postmortem`` model (``markdown-it``, raw HTML disabled, external links shown as text and
images as their alt text: alert text is attacker-controlled), so the two files always say the same
thing. No LLM is needed; when one is configured, its ``narrative`` — a few paragraphs telling the
story — shows under "Narrative" after the summary in both (``with_narrative`` for a Markdown
report written without it).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from nightowl.domain import Incident
from nightowl.report.charts import COLOURS, Chart, svg
from nightowl.report.distributions import bars, drifts
from nightowl.report.markdown import render

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
_SECTION = re.compile(r"^## ", re.M)
CHARTS_AFTER = "Impact"
DISTRIBUTIONS_AFTER = "Trigger and root cause"
STYLE = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;
max-width:980px;margin:2rem auto;padding:0 1rem;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #e5e7eb;padding-bottom:.2rem;
margin-top:2rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}td:first-child{white-space:nowrap}code{background:#f3f4f6;padding:0 .2rem;border-radius:3px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1rem}
.chart{width:100%;height:auto;border:1px solid #e5e7eb;border-radius:6px;background:#fff}
.chart-title{font-size:13px;font-weight:600;fill:#111827}.tick{font-size:10px;fill:#6b7280}
.marker{font-size:10px}.legend span{margin-right:1rem;font-size:.85rem}
.narrative{background:#f0fdfa;border-left:4px solid #0f766e;padding:.5rem 1rem}
footer{margin-top:3rem;color:#6b7280;font-size:.8rem}
"""


def _local(href: str) -> bool:
    """A link within this site or page: ``/ui/…`` or ``#…``, never ``//host`` or ``/\\host``."""
    return href.startswith("#") or (href.startswith("/") and href[1:2] not in ("/", "\\"))


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An external link is shown as its text then its address, not as a link.

    Alert text is attacker-controlled: a link in it would send the responder (or, as an image,
    their browser unasked) to the attacker's site from a page they trust.
    """
    href = str(tokens[idx].attrGet("href") or "")
    external = not _local(href)
    env.setdefault("links", []).append((href, idx) if external else None)
    return "" if external else renderer.renderToken(tokens, idx, options, env)


def _link_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opened = env["links"].pop()
    if opened is None:
        return renderer.renderToken(tokens, idx, options, env)
    href, start = opened
    text = "".join(t.content for t in tokens[start + 1 : idx] if t.type in ("text", "code_inline"))
    return "" if text == href else f" ({html.escape(href)})"


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image is never loaded: its alt text stands in its place."""
    alt = renderer.renderInlineAsText(tokens[idx].children or [], options, env)
    return f"[image: {html.escape(alt)}]" if alt else "[image]"


_MD.add_render_rule("link_open", _link_open)
_MD.add_render_rule("link_close", _link_close)
_MD.add_render_rule("image", _image)


def markdown_html(text: str) -> str:
    """Markdown to HTML, safe for attacker-controlled alert text: raw HTML escaped, external
    links shown as text, images as their alt text."""
    return str(_MD.render(text))


def with_narrative(markdown: str, narrative: str | None) -> str:
    """The Markdown report with a "Narrative" section after the summary (unchanged without one,
    or when it has one already)."""
    if not narrative or not narrative.strip() or "\n## Narrative\n" in markdown:
        return markdown
    head, *sections = _SECTION.split(markdown)
    at = next((i + 1 for i, s in enumerate(sections) if _title(s) == "Summary"), len(sections))
    sections.insert(at, f"Narrative\n\n{narrative.strip()}\n\n")
    return head + "".join(f"## {s}" for s in sections)


def _title(section: str) -> str:
    return section.split("\n", 1)[0].strip()


def charts_html(charts: Sequence[Chart]) -> str:
    """The charts and a legend of their markers; empty when there is nothing to draw."""
    drawn = [svg(c) for c in charts]
    if not any(drawn):
        return ""
    legend = "".join(
        f'<span style="color:{colour}">&#9474; {kind}</span>' for kind, colour in COLOURS.items()
    )
    return f'<div class="legend">{legend}</div><div class="charts">{"".join(drawn)}</div>'


def distributions_html(incident: Incident) -> str:
    """The drifted columns' two distributions as bars; empty for an incident without drift."""
    drawn = [bars(d) for d in drifts(incident.evidence)]
    if not drawn:
        return ""
    return f'<h3>Distributions</h3><div class="charts">{"".join(drawn)}</div>'


def render_html(
    incident: Incident,
    charts: Sequence[Chart] = (),
    *,
    markdown: str | None = None,
    narrative: str | None = None,
) -> str:
    """The whole report as a standalone HTML document.

    ``markdown`` is the Markdown report if already rendered (else it is rendered here);
    ``narrative`` is the LLM layer's story, if any (ignored when ``markdown`` already has one).
    """
    text = with_narrative(markdown if markdown is not None else render(incident), narrative)
    drawn = distributions_html(incident)
    head, *sections = _SECTION.split(text)
    body = [_MD.render(head)]
    for section in sections:
        title = _title(section)
        rendered = _MD.render("## " + section)
        if title == "Narrative":
            rendered = f'<div class="narrative">{rendered}</div>'
        body.append(rendered)
        if title == CHARTS_AFTER and charts:
            body.append("<h2>Key metrics</h2>" + charts_html(charts))
        if title == DISTRIBUTIONS_AFTER and drawn:
            body.append(drawn)
    if charts and not any(_title(s) == CHARTS_AFTER for s in sections):
        body.append("<h2>Key metrics</h2>" + charts_html(charts))
    if drawn and not any(_title(s) == DISTRIBUTIONS_AFTER for s in sections):
        body.append(drawn)
    title = html.escape(f"Postmortem: {incident.title}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + f"<footer>Written by nightowl for incident {html.escape(incident.id)}.</footer>"
        "</body></html>\n"
    )
