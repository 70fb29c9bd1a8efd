"""Which words of a log event are variables, decided by token statistics over many lines.

Masking (``masking``) only removes what is a value by its form: numbers, ids, addresses, paths.
A word without a digit (a user, a host, a queue, a file name) can be a value too, and only its
behaviour across lines tells: this module looks at the distinct masked lines seen so far
("atoms", each with the number of lines it stands for) and returns every atom's tokens with the
words that behave like values replaced by ``<*>``.

The method follows Brain (Yu et al., 2023), which parses Loghub with one bidirectional tree per
group of lines; here it runs over atoms, so its cost does not depend on the number of lines:

1. Atoms are compared within groups of equal token count.
2. Every (position, token) pair is counted over lines. The constant words of one event occur in
   every line of that event, so they share one count; the values of a variable split that count
   between them. An atom's **root** is its words that have the count most of its words share
   (the higher count on a tie), together with every word seen more often (words it shares with
   other events). Atoms with the same root words at the same positions form a group.
3. In a group, a position whose words take at least ``min_values`` distinct values is a
   variable. Tokens are compared within their frame — a ``key=``, quotes and brackets around,
   punctuation after — which the template keeps (``user=<*>``, ``"<*>",``). A word that names the
   event (the first word, or an ALL-CAPS word) needs ``min_values * name_factor`` values. A
   ``key=`` slot where some line holds a masked value is a variable whatever the word.

Everything is a pure function of its arguments; the patterns are module constants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nightowl.analysis.logs.config import MinerConfig
from nightowl.analysis.logs.masking import VAR

Tokens = tuple[str, ...]

_OPENERS = "=([{\"'"
_CLOSERS = "\"')]},;:.!?"
_BOUNDARY = re.compile(r"[^\w.-]")
_HAS_LETTER = re.compile(r"[^\W\d_]").search
_ALL_CAPS = re.compile(r"[^a-z]*[A-Z][^a-z]*").fullmatch
_BRACKETS = "()[]{}"

_Frame = tuple[str, str]  # what stays around the value: (key= and opening marks, closing marks)


def skeleton(tokens: Sequence[str]) -> Tokens:
    """The constant words of a template in order, without variables and bare brackets."""
    text = " ".join(tokens)  # one C-level pass instead of one per token
    if VAR in text:
        text = text.replace(VAR, "")
    return tuple(word for word in (w.strip(_BRACKETS) for w in text.split()) if word)


def join(a: Tokens, b: Tokens) -> Tokens:
    """The most specific tokens that cover both ``a`` and ``b`` (of equal length)."""
    return tuple(x if x == y else _join_token(x, y) for x, y in zip(a, b, strict=True))


def _join_token(a: str, b: str) -> str:
    """``a`` and ``b`` with the part where they differ replaced by ``<*>``.

    The common head and tail stop at punctuation, never inside a word (``chdir(<*>)``).
    """
    n = 0
    for n, (x, y) in enumerate(zip(a, b, strict=False)):  # noqa: B007 - n is used after
        if x != y:
            break
    else:
        n = min(len(a), len(b))
    head = a[:n]
    while head and not _BOUNDARY.match(head[-1]):
        head = head[:-1]
    rest_a, rest_b = a[len(head) :], b[len(head) :]
    m = 0
    while m < min(len(rest_a), len(rest_b)) and rest_a[-1 - m] == rest_b[-1 - m]:
        m += 1
    tail = rest_a[len(rest_a) - m :] if m else ""
    while tail and not _BOUNDARY.match(tail[0]):
        tail = tail[1:]
    return head + VAR + tail


def generalize(atoms: Sequence[Tokens], counts: Sequence[int], config: MinerConfig) -> list[Tokens]:
    """Every atom's tokens with the words that statistics show to be values replaced by ``<*>``.

    ``counts[i]`` is the number of lines ``atoms[i]`` stands for. Atoms that end up with the
    same tokens (or the same :func:`skeleton`) belong to one event.
    """
    if len(atoms) != len(counts):
        raise ValueError("atoms and counts differ in length")
    out = [list(atom) for atom in atoms]
    by_length: dict[int, list[int]] = {}
    for i, atom in enumerate(atoms):
        by_length.setdefault(len(atom), []).append(i)
    for members in by_length.values():
        if len(members) < 2:
            continue
        for fixed, group in _root_groups(atoms, counts, members):
            _mark_variables(atoms, group, fixed, out, config)
    return [tuple(tokens) for tokens in out]


def _root_groups(
    atoms: Sequence[Tokens], counts: Sequence[int], members: list[int]
) -> Iterable[tuple[frozenset[int], list[int]]]:
    """Atoms of one length grouped by their root words: (positions of the root, atom indices)."""
    columns: list[dict[str, int]] = [{} for _ in atoms[members[0]]]
    for i in members:
        weight = counts[i]
        for column, tok in zip(columns, atoms[i], strict=True):
            column[tok] = column.get(tok, 0) + weight
    groups: dict[tuple[str | None, ...], list[int]] = {}
    for i in members:
        atom = atoms[i]
        seen = [c[tok] if tok != VAR else 0 for c, tok in zip(columns, atom, strict=True)]
        counts_seen = [f for f in seen if f]
        if not counts_seen:
            continue
        root = max(set(counts_seen), key=lambda f: (counts_seen.count(f), f))
        key = tuple([tok if f >= root else None for f, tok in zip(seen, atom, strict=True)])
        groups.setdefault(key, []).append(i)
    return (
        (frozenset(pos for pos, tok in enumerate(key) if tok is not None), group)
        for key, group in groups.items()
        if len(group) > 1
    )


def _mark_variables(
    atoms: Sequence[Tokens],
    group: list[int],
    fixed: frozenset[int],
    out: list[list[str]],
    config: MinerConfig,
) -> None:
    for pos in range(len(atoms[group[0]])):
        if pos not in fixed:
            _mark_position(atoms, group, pos, out, config)


def _mark_position(
    atoms: Sequence[Tokens], group: list[int], pos: int, out: list[list[str]], config: MinerConfig
) -> None:
    """Replace the words at ``pos`` by ``<*>`` in every frame where they behave like values."""
    framed = [frame(atoms[i][pos]) for i in group]
    values: dict[_Frame, set[str]] = {}
    slots: set[_Frame] = set()
    for head, core, tail in framed:
        if core == VAR:
            if head.endswith("="):
                slots.add((head, tail))
        elif VAR not in core and _HAS_LETTER(core):
            values.setdefault((head, tail), set()).add(core)
    variable: set[_Frame] = set()
    for around, words in values.items():
        names = pos == 0 or all(_ALL_CAPS(w) for w in words)
        needed = config.name_values if names else config.min_values
        if around in slots or len(words) >= needed:
            variable.add(around)
    if variable:
        for i, (head, core, tail) in zip(group, framed, strict=True):
            if (head, tail) in variable and core != VAR and VAR not in core and _HAS_LETTER(core):
                out[i][pos] = head + VAR + tail


def frame(token: str) -> tuple[str, str, str]:
    """``(head, core, tail)``: ``key=``, ``name(`` or an opening mark; the value; closing marks."""
    body = token.rstrip(_CLOSERS)
    tail = token[len(body) :]
    if not body:
        return "", token, ""
    cut = max(body.rfind(mark) for mark in _OPENERS) + 1
    if cut >= len(body):
        return "", body, tail
    return body[:cut], body[cut:], tail
