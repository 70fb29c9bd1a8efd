"""Regular expressions that cannot stall the process: RE2 (``google-re2``), linear in the text.

Every pattern that a user, a configuration file or an alert supplies, and every pattern run over
untrusted webhook text, is compiled here. RE2 does not backtrack, so ``(a+)+b`` against any name
costs time linear in the name — on the event loop too. It is also Alertmanager's own engine (Go's
``regexp`` is RE2), so a matcher means exactly what it means there; the price is no backreferences
and no lookaround, which Alertmanager does not accept either.

A pattern RE2 cannot compile raises ``InputError`` naming the pattern and the reason (answered with
a 400 on the API; configuration readers turn it into a ``ConfigError``). Compiled patterns are
cached: the same matcher text is compiled once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol, cast

import re2

from nightowl.errors import InputError

MAX_PATTERN_BYTES = 4096
"""Longer patterns are refused: a matcher is a line of configuration, not a program."""
_MAX_MEMORY = 8 << 20
"""RE2's budget for one compiled program (its default); a larger one fails to compile."""


class Match(Protocol):
    """A match: its groups by number or name (None for a group that took no part)."""

    def group(self, key: int | str = 0, /) -> str | None: ...

    def groups(self) -> tuple[str | None, ...]: ...

    def end(self) -> int: ...


class Pattern:
    """A compiled RE2 pattern: ``search`` anywhere, ``match`` at the start, ``fullmatch`` all.

    Text that is not valid Unicode (a lone surrogate from a JSON escape) is matched with the
    offending characters replaced, instead of raising. Thread-safe (RE2 programs are immutable).
    """

    __slots__ = ("_program", "pattern")

    def __init__(self, pattern: str, program: Any) -> None:
        self.pattern = pattern
        self._program = program

    def search(self, text: str) -> Match | None:
        return self._run("search", text)

    def match(self, text: str, pos: int = 0) -> Match | None:
        return self._run("match", text, pos)

    def fullmatch(self, text: str) -> Match | None:
        return self._run("fullmatch", text)

    def sub(self, replacement: str | Callable[[Match], str], text: str) -> str:
        """``text`` with every match replaced (``\\1`` names a group; or a function of the match)."""
        try:
            return str(self._program.sub(replacement, text))
        except UnicodeEncodeError:
            return str(self._program.sub(replacement, _valid(text)))

    def _run(self, how: str, text: str, *pos: int) -> Match | None:
        method = getattr(self._program, how)
        try:
            return cast(Match | None, method(text, *pos))
        except UnicodeEncodeError:
            return cast(Match | None, method(_valid(text), *pos))


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Pattern:
    """``pattern`` compiled by RE2; InputError says why RE2 cannot take it."""
    if len(pattern.encode("utf-8", "surrogatepass")) > MAX_PATTERN_BYTES:
        raise InputError(
            f"regular expression {pattern[:40]!r}… is longer than {MAX_PATTERN_BYTES} bytes; "
            "use a shorter pattern"
        )
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEMORY
    try:
        return Pattern(pattern, re2.compile(_valid(pattern), options))
    except (re2.error, TypeError) as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise InputError(
            f"invalid regular expression {pattern!r} ({reason}); RE2 syntax is expected, as in "
            "Alertmanager: no backreferences (\\1) or lookaround ((?=…), (?!…))"
        ) from None


def _valid(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) replaced by ``?``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def full_match(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches all of ``text`` (Alertmanager's anchored matcher semantics)."""
    return compile_pattern(pattern).fullmatch(text) is not None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text``."""
    return compile_pattern(pattern).search(text) is not None
