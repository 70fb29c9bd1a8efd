"""Parsing Alertmanager's matcher syntax: ``name="value"``, ``name!=v``, ``name=~re``, ``name!~re``.

Accepts one matcher or a brace list (``{a="b", c=~"d.*"}``); values may be quoted or bare. A bad
matcher raises InputError saying which part is wrong and what is expected; a regular expression
must compile under RE2, the engine every matcher runs on (``domain/patterns.py``).
"""

from __future__ import annotations

from nightowl.domain.patterns import compile_pattern
from nightowl.domain.silences import Matcher, MatchOp
from nightowl.errors import InputError

_ONE = compile_pattern(
    r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,}"\s=!~][^,}]*?))?\s*(?:,|$)'
)


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    if not body.strip():
        raise InputError(
            'empty matcher list: give at least one matcher such as alertname="HighLatency"'
        )
    found: list[Matcher] = []
    pos = 0
    while pos < len(body):
        match = _ONE.match(body, pos)
        if not match or match.end() == pos:
            raise InputError(
                f'cannot read matcher at {body[pos : pos + 30]!r}: expected name="value", name!="value", '
                'name=~"regex" or name!~"regex"'
            )
        name, op, quoted, bare = match.groups()
        op = op or ""  # both always take part in a match
        value = _unquote(quoted, name) if quoted is not None else (bare or "").strip()
        if op in (MatchOp.RE.value, MatchOp.NRE.value):
            try:
                compile_pattern(value)
            except InputError as exc:
                raise InputError(f"matcher {name}{op}{value!r}: {exc}") from None
        found.append(Matcher(name=name or "", op=MatchOp(op), value=value))
        pos = match.end()
    return tuple(found)


def _unquote(quoted: str, name: str | None) -> str:
    """The escapes of a quoted value (``\\"``, ``\\\\``, ``\\n``, ``\\u00e9``) read; other
    characters kept as they are (non-Latin ones pass through as escapes and come back)."""
    try:
        return quoted.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"matcher {name}: bad escape in {quoted!r} ({exc.reason}); write a backslash as \\\\"
        ) from None
