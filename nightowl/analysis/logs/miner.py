"""The streaming template miner: one pass, one template id per line, bounded memory.

How a line finds its template (each step only runs when the one before missed):

1. **Shape cache** — the line with every run of digits replaced by ``0``. Most lines of a busy
   service differ from an earlier one only in numbers, so this dict answers most of the traffic
   with one C-level regex and one lookup.
2. **Masked-key cache** — the line after :mod:`~nightowl.analysis.logs.masking`.
3. **Skeleton index** — the constant words in order. Templates that differ only in where (or
   whether) a variable appears are one event (``sent`` vs ``(1.2 KB) sent``).
4. **Wildcard match** — templates of the same length whose ``<*>`` cover the differences.
5. Otherwise a new template. If it now has ``sibling_threshold`` siblings that differ from it in
   one plain lower-case word only, that word is a value (``user cyrus``/``news``/``test``) and
   the siblings merge; ids of merged templates stay valid (they resolve to the survivor).

Replaying known messages only hits the caches, so the template set never grows on replay. Both
caches are FIFO-bounded and the template set is capped (least recently seen template evicted).

A miner is not thread-safe: use one per service and per worker (see ``ServiceMiners``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar

from nightowl.analysis.logs.masking import VAR, mask_tokens
from nightowl.analysis.logs.state import MinerState, TemplateState

_DIGITS = re.compile(r"\d+")
_V = TypeVar("_V")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[a-z][A-Za-z_-]*").fullmatch
_KEPT = frozenset({"true", "false", "null", "none", "nil", "yes", "no", "on", "off"})
_BRACKETS = "()[]{}"


class _Template:
    __slots__ = (
        "count",
        "first_seen",
        "id",
        "last_seen",
        "last_tick",
        "live",
        "sibling_keys",
        "skeleton",
        "tokens",
    )

    def __init__(self, tid: int, tokens: list[str]) -> None:
        self.id = tid
        self.tokens = tokens
        self.skeleton = _skeleton(tokens)
        self.count = 0
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None
        self.last_tick = 0
        self.live = True  # False once merged away or evicted (caches may still point here)
        self.sibling_keys: list[tuple[int, int, str]] = []

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _skeleton(tokens: list[str]) -> tuple[str, ...]:
    """The constant words of a template in order, without variables and bare brackets."""
    out = []
    for tok in tokens:
        if VAR in tok:
            tok = tok.replace(VAR, "")
        tok = tok.strip(_BRACKETS)
        if tok:
            out.append(tok)
    return tuple(out)


def _covers(pattern: str, token: str) -> bool:
    """Whether a template token (possibly with ``<*>`` inside) accepts ``token``."""
    if pattern in (token, VAR):
        return True
    if VAR not in pattern or pattern.count(VAR) > 1:
        return False
    head, tail = pattern.split(VAR)
    return len(token) > len(head) + len(tail) and token.startswith(head) and token.endswith(tail)


def _is_soft(token: str) -> bool:
    """A lower/mixed-case plain word: may turn out to be a value (a user, a domain, ...)."""
    return _PLAIN_WORD(token) is not None and token.lower() not in _KEPT


class TemplateMiner:
    """Online log template miner (see the module docstring for the algorithm)."""

    def __init__(
        self,
        *,
        max_templates: int = 5_000,
        cache_size: int = 50_000,
        sibling_threshold: int = 3,
    ) -> None:
        self.max_templates = max_templates
        self.cache_size = cache_size
        self.sibling_threshold = sibling_threshold
        self._templates: dict[int, _Template] = {}
        self._alias: dict[int, int] = {}
        self._shape_cache: dict[str, _Template] = {}
        self._key_cache: dict[str, int] = {}
        self._by_skeleton: dict[tuple[str, ...], int] = {}
        self._by_length: dict[int, list[int]] = {}
        self._siblings: dict[tuple[int, int, str], set[int]] = {}
        self._next_id = 1
        self._tick = 0

    # -- public API -------------------------------------------------------------------------

    def add(self, message: str, at: datetime | None = None) -> int:
        """Learn from ``message`` and return its template id (stable across merges)."""
        self._tick = tick = self._tick + 1
        shape = _DIGITS.sub("0", message)
        tpl = self._shape_cache.get(shape)
        if tpl is None or not tpl.live:
            tpl = self._learn(message, shape)
        tpl.count += 1
        tpl.last_tick = tick
        if at is not None:
            if tpl.first_seen is None or at < tpl.first_seen:
                tpl.first_seen = at
            if tpl.last_seen is None or at > tpl.last_seen:
                tpl.last_seen = at
        return tpl.id

    def match(self, message: str) -> int | None:
        """The id of the known template ``message`` belongs to, without learning anything."""
        cached = self._shape_cache.get(_DIGITS.sub("0", message))
        tid = cached.id if cached is not None and cached.live else None
        if tid is None:
            tokens = mask_tokens(message)
            tid = self._key_cache.get(" ".join(tokens))
            if tid is None:
                found = self._find(tokens)
                tid = found.id if found else None
        return self.resolve(tid) if tid is not None else None

    def resolve(self, tid: int) -> int | None:
        """The surviving id for ``tid`` (templates merge), or None if it was evicted."""
        while tid in self._alias:
            tid = self._alias[tid]
        return tid if tid in self._templates else None

    def template(self, tid: int) -> str:
        """The template text of ``tid`` (``<*>`` for variables). Raises KeyError if unknown."""
        resolved = self.resolve(tid)
        if resolved is None:
            raise KeyError(tid)
        return self._templates[resolved].text

    def __len__(self) -> int:
        return len(self._templates)

    def cache_sizes(self) -> tuple[int, int]:
        """Entries in the shape cache and the masked-key cache (each at most ``cache_size``)."""
        return len(self._shape_cache), len(self._key_cache)

    # -- state ------------------------------------------------------------------------------

    def to_state(self, service: str = "") -> MinerState:
        """A serialisable snapshot of the templates (the caches are rebuilt on load)."""
        templates = tuple(
            TemplateState(
                id=t.id,
                template=t.text,
                count=t.count,
                first_seen=t.first_seen,
                last_seen=t.last_seen,
            )
            for t in sorted(self._templates.values(), key=lambda t: t.id)
        )
        aliases = {old: new for old in self._alias if (new := self.resolve(old)) is not None}
        return MinerState(service=service, templates=templates, aliases=aliases)

    @classmethod
    def from_state(cls, state: MinerState, **options: int) -> TemplateMiner:
        """A miner that continues from ``state`` (same ids, counts and first/last seen)."""
        miner = cls(**options)
        for saved in state.templates:
            tpl = miner._register(saved.template.split(" "), saved.id)
            tpl.count = saved.count
            tpl.first_seen = saved.first_seen
            tpl.last_seen = saved.last_seen
        miner._alias.update(state.aliases)
        miner._next_id = max([0, *miner._templates, *state.aliases]) + 1
        return miner

    # -- learning ---------------------------------------------------------------------------

    def _learn(self, message: str, shape: str) -> _Template:
        tokens = mask_tokens(message)
        key = " ".join(tokens)
        tpl = self._alive(self._key_cache.get(key))
        if tpl is None:
            tpl = self._find(tokens) or self._create(tokens)
            _bounded_put(self._key_cache, key, tpl.id, self.cache_size)
        _bounded_put(self._shape_cache, shape, tpl, self.cache_size)
        return tpl

    def _alive(self, tid: int | None) -> _Template | None:
        resolved = self.resolve(tid) if tid is not None else None
        return self._templates[resolved] if resolved is not None else None

    def _find(self, tokens: list[str]) -> _Template | None:
        skeleton = _skeleton(tokens)
        tid = self._by_skeleton.get(skeleton) if skeleton else None
        if tid is not None and (tpl := self._templates.get(tid)) is not None:
            return tpl
        for tid in self._by_length.get(len(tokens), ()):
            tpl = self._templates[tid]
            if all(map(_covers, tpl.tokens, tokens)):
                return tpl
        return None

    def _create(self, tokens: list[str]) -> _Template:
        if len(self._templates) >= self.max_templates:
            self._evict()
        tpl = self._register(tokens, self._next_id)
        self._next_id += 1
        return self._merge_siblings(tpl)

    def _register(self, tokens: list[str], tid: int) -> _Template:
        tpl = _Template(tid, tokens)
        tpl.last_tick = self._tick
        self._templates[tid] = tpl
        if tpl.skeleton:  # a message of values only has no identity to share
            self._by_skeleton.setdefault(tpl.skeleton, tid)
        self._by_length.setdefault(len(tokens), []).append(tid)
        return tpl

    def _merge_siblings(self, tpl: _Template) -> _Template:
        tokens = tpl.tokens
        for pos in range(1, len(tokens)):
            if not _is_soft(tokens[pos]):
                continue
            sig = (len(tokens), pos, " ".join([*tokens[:pos], VAR, *tokens[pos + 1 :]]))
            group = self._siblings.setdefault(sig, set())
            group.add(tpl.id)
            tpl.sibling_keys.append(sig)
            live = sorted(t for t in group if t in self._templates)
            if len(live) >= self.sibling_threshold:
                return self._merge(live, pos)
        return tpl

    def _merge(self, ids: list[int], pos: int) -> _Template:
        """Merge templates that differ only at ``pos`` into the oldest one."""
        survivor = self._templates[ids[0]]
        if self._by_skeleton.get(survivor.skeleton) == survivor.id:
            del self._by_skeleton[survivor.skeleton]
        survivor.tokens = [*survivor.tokens[:pos], VAR, *survivor.tokens[pos + 1 :]]
        survivor.skeleton = _skeleton(survivor.tokens)
        if survivor.skeleton:
            self._by_skeleton[survivor.skeleton] = survivor.id
        for tid in ids[1:]:
            gone = self._templates.pop(tid)
            gone.live = False
            self._alias[tid] = survivor.id
            self._forget(gone)
            survivor.count += gone.count
            survivor.last_tick = max(survivor.last_tick, gone.last_tick)
            if gone.first_seen is not None:
                survivor.first_seen = min(survivor.first_seen or gone.first_seen, gone.first_seen)
            if gone.last_seen is not None:
                survivor.last_seen = max(survivor.last_seen or gone.last_seen, gone.last_seen)
        return survivor

    def _evict(self) -> None:
        oldest = min(self._templates.values(), key=lambda t: t.last_tick)
        del self._templates[oldest.id]
        oldest.live = False
        self._forget(oldest)
        self._alias = {
            old: new for old, new in self._alias.items() if self.resolve(old) is not None
        }

    def _forget(self, tpl: _Template) -> None:
        for sig in tpl.sibling_keys:
            group = self._siblings.get(sig)
            if group is not None:
                group.discard(tpl.id)
                if not group:
                    del self._siblings[sig]
        if self._by_skeleton.get(tpl.skeleton) == tpl.id:
            del self._by_skeleton[tpl.skeleton]
        same_length = self._by_length.get(len(tpl.tokens), [])
        if tpl.id in same_length:
            same_length.remove(tpl.id)


def _bounded_put(cache: dict[str, _V], key: str, value: _V, limit: int) -> None:
    if len(cache) >= limit and key not in cache:
        del cache[next(iter(cache))]  # FIFO: dicts keep insertion order
    cache[key] = value
