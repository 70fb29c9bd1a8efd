"""The miner's in-memory records: atoms (distinct masked lines) and the templates they form.

Both are plain mutable objects owned by one :class:`~nightowl.analysis.logs.miner.TemplateMiner`
(not thread-safe, like the miner); only the miner changes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from nightowl.analysis.logs.grouping import frame, skeleton
from nightowl.analysis.logs.masking import VAR

Anchor = tuple[int, int, str]
"""(token count, position, token) of a template's first constant word: where to look it up."""

_HAS_LETTER = re.compile(r"[^\W\d_]").search


class Atom:
    """One distinct masked line: its tokens, how many lines it stood for, its template."""

    __slots__ = ("count", "skeleton", "template", "tokens")

    def __init__(self, tokens: tuple[str, ...], skel: tuple[str, ...] | None = None) -> None:
        self.tokens = tokens
        self.skeleton = skeleton(tokens) if skel is None else skel
        self.count = 0
        self.template: Template | None = None  # None once its template was evicted


class Template:
    """One event: its tokens (``<*>`` for variables), its atoms, counts and first/last seen."""

    __slots__ = (
        "anchor",
        "atoms",
        "constants",
        "count",
        "first_seen",
        "id",
        "last_seen",
        "last_tick",
        "live",
        "stand_in",
        "tokens",
    )

    def __init__(self, tid: int, tokens: tuple[str, ...]) -> None:
        self.id = tid
        self.count = 0
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None
        self.last_tick = 0
        self.live = True  # False once merged away or evicted
        self.atoms: set[Atom] = set()
        self.stand_in: Atom | None = None  # stands for covered lines (see TemplateMiner)
        self.tokens: tuple[str, ...] = ()
        self.anchor: Anchor | None = None
        self.constants = 0
        self.set_tokens(tokens)

    def set_tokens(self, tokens: tuple[str, ...]) -> None:
        """Replace the tokens (after generalisation) and what is derived from them."""
        self.tokens = tokens
        constant = [pos for pos, tok in enumerate(tokens) if VAR not in tok]
        self.constants = len(constant)
        # Only a template with a constant *word* covers other lines: "<*> - <*>" is no event.
        words = [pos for pos in constant if _HAS_LETTER(tokens[pos])]
        self.anchor = (len(tokens), words[0], tokens[words[0]]) if words else None

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def covers(pattern: Sequence[str], tokens: Sequence[str]) -> bool:
    """Whether template tokens ``pattern`` accept ``tokens`` (``<*>`` stands for any value)."""
    return len(pattern) == len(tokens) and all(map(_covers, pattern, tokens))


def _covers(pattern: str, token: str) -> bool:
    if pattern in (token, VAR):
        return True
    if VAR not in pattern or pattern.count(VAR) > 1:
        return False
    if VAR in token:  # a pattern covers a pattern only where its <*> is the whole value
        head, core, tail = frame(pattern)
        return core == VAR and frame(token)[::2] == (head, tail)
    head, tail = pattern.split(VAR)
    return len(token) > len(head) + len(tail) and token.startswith(head) and token.endswith(tail)
