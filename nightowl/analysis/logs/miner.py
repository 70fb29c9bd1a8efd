"""The streaming template miner: one pass, one template id per line, bounded memory.

How a line finds its template (each step only runs when the one before missed):

1. **Shape cache** — the line with every digit and the hex digits after it (numbers, ids,
   hashes) replaced by one ``0`` → its atom. Most lines of a busy service differ from
   an earlier one only in numbers and ids, so one C-level regex and one dict lookup answer most
   of the traffic.
2. **Known template** — the raw tokens, when a template's ``<*>`` cover their differences: the
   line brings nothing new, so it is not even masked.
3. **Atom store** — the line after :mod:`~nightowl.analysis.logs.masking` (an *atom*: one
   distinct masked line, with the number of lines it stands for) → its template; a new atom
   joins the template with the same constant words (its skeleton) or one whose ``<*>`` cover
   it, or else starts a template.

The statistics of :mod:`~nightowl.analysis.logs.grouping` then decide which words are values:
they run over all atoms once the atoms that started a template since the last run reach 256
and half of all atoms, and before anything is read (``resolve``, ``template``, ``match``,
``len``, ``to_state``). Templates whose atoms they put together merge into the oldest, and a
template that a more general one covers merges into it (whichever came first); the ids of
merged templates stay valid (they resolve to the survivor). A template never splits, so an id
handed out keeps its lines.

Replaying known messages only hits the caches, so the template set never grows on replay. The
shape cache, the atom store and the skeleton index are bounded (``cache_size`` each, the oldest
quarter out when full) and the template set is capped (``max_templates``, least recently seen
out).

A miner is not thread-safe: use one per service and per worker.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import islice
from typing import TypeVar

from nightowl.analysis.logs.config import DEFAULT_CONFIG, MinerConfig
from nightowl.analysis.logs.grouping import Tokens, generalize, join, skeleton
from nightowl.analysis.logs.masking import mask_tokens
from nightowl.analysis.logs.state import MinerState, TemplateState
from nightowl.analysis.logs.templates import Atom, Template, covers

# The shape: a digit and the hex digits after it become one "0" (numbers, ids, hashes), unless
# they end a key (``eax0=``). ASCII classes: faster than \d, and fewer, longer matches.
_DIGITS = re.compile(r"[0-9][0-9a-fA-F]*+(?!=)")
_K = TypeVar("_K")
_V = TypeVar("_V")
_MIN_BATCH = 256  # new templates before the statistics run again (and half of all atoms)


class TemplateMiner:
    """Online log template miner (see the module docstring for the algorithm)."""

    def __init__(
        self,
        config: MinerConfig = DEFAULT_CONFIG,
        *,
        max_templates: int = 5_000,
        cache_size: int = 50_000,
    ) -> None:
        self.config = config
        self.max_templates = max_templates
        self.cache_size = cache_size
        self._templates: dict[int, Template] = {}
        self._alias: dict[int, int] = {}
        self._shapes: dict[str, Atom] = {}
        self._atoms: dict[str, Atom] = {}
        self._skeletons: dict[Tokens, int] = {}  # skeleton -> template id (may be an alias)
        self._anchors: dict[tuple[int, int, str], list[Template]] = {}
        self._next_id = 1
        self._tick = 0
        self._pending = 0  # atoms added since the statistics last ran

    # -- public API -------------------------------------------------------------------------

    def add(self, message: str, at: datetime | None = None) -> int:
        """Learn from ``message`` and return its template id (stable across merges)."""
        self._tick = tick = self._tick + 1
        shape = _DIGITS.sub("0", message)
        atom = self._shapes.get(shape)
        if atom is None or atom.template is None:
            atom = self._learn(message, shape)
        atom.count += 1
        tpl = atom.template
        assert tpl is not None  # _learn always attaches a live template
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
        self._settle()
        atom = self._shapes.get(_DIGITS.sub("0", message))
        if atom is None or atom.template is None:
            tokens = tuple(mask_tokens(message))
            atom = self._atoms.get(" ".join(tokens))
            if atom is None or atom.template is None:
                found = self._find(tokens, skeleton(tokens))
                return found.id if found else None
        return atom.template.id

    def resolve(self, tid: int) -> int | None:
        """The surviving id for ``tid`` (templates merge), or None if it was evicted."""
        self._settle()
        return self._resolve(tid)

    def template(self, tid: int) -> str:
        """The template text of ``tid`` (``<*>`` for variables). Raises KeyError if unknown."""
        resolved = self.resolve(tid)
        if resolved is None:
            raise KeyError(tid)
        return self._templates[resolved].text

    def __len__(self) -> int:
        self._settle()
        return len(self._templates)

    def cache_sizes(self) -> tuple[int, int]:
        """Entries in the shape cache and the atom store (each at most ``cache_size``)."""
        return len(self._shapes), len(self._atoms)

    # -- state ------------------------------------------------------------------------------

    def to_state(self, service: str = "") -> MinerState:
        """A serialisable snapshot of the templates (caches and atoms are rebuilt on load)."""
        self._settle()
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
        aliases = {old: new for old in self._alias if (new := self._resolve(old)) is not None}
        return MinerState(service=service, templates=templates, aliases=aliases)

    @classmethod
    def from_state(
        cls, state: MinerState, config: MinerConfig = DEFAULT_CONFIG, **capacity: int
    ) -> TemplateMiner:
        """A miner that continues from ``state`` (same ids, counts and first/last seen).

        Each saved template comes back as one atom, so the statistics keep its weight.
        """
        miner = cls(config, **capacity)
        for saved in state.templates:
            tokens = tuple(saved.template.split(" ")) if saved.template else ()
            tpl = miner._register(tokens, saved.id)
            tpl.count = saved.count
            tpl.first_seen = saved.first_seen
            tpl.last_seen = saved.last_seen
            atom = miner._store(tokens, tpl, skeleton(tokens))
            atom.count = saved.count
        miner._alias.update(state.aliases)
        miner._next_id = max([0, *miner._templates, *state.aliases]) + 1
        miner._pending = 0
        return miner

    # -- learning ---------------------------------------------------------------------------

    def _learn(self, message: str, shape: str) -> Atom:
        known = self._covering(tuple(message.split()))  # a known event, without masking
        if known is not None:
            atom = self._stand_in(known)
            _bounded_put(self._shapes, shape, atom, self.cache_size)
            return atom
        tokens = tuple(mask_tokens(message))
        stored = self._atoms.get(" ".join(tokens))
        if stored is not None and stored.template is not None:
            atom = stored
        else:
            skel = skeleton(tokens)
            known = self._find(tokens, skel)
            if known is not None:  # no news for the statistics: the template speaks for it
                atom = self._stand_in(known)
            else:
                atom = self._store(tokens, self._create(tokens), skel)
                self._pending += 1
                if self._pending >= max(_MIN_BATCH, len(self._atoms) // 2):
                    self._consolidate()
        _bounded_put(self._shapes, shape, atom, self.cache_size)
        return atom

    def _stand_in(self, tpl: Template) -> Atom:
        """The atom that stands for the lines a template already covers (kept out of the store,
        so lines that bring nothing new cost no memory and no statistics)."""
        if tpl.stand_in is None or tpl.stand_in.template is not tpl:
            tpl.stand_in = Atom(tpl.tokens, ())
            tpl.stand_in.template = tpl
            tpl.atoms.add(tpl.stand_in)
        return tpl.stand_in

    def _find(self, tokens: Tokens, skel: Tokens) -> Template | None:
        """A known template for a new atom: same skeleton, or ``<*>`` covering the rest."""
        if skel and (tid := self._skeletons.get(skel)) is not None:
            resolved = self._resolve(tid)
            if resolved is not None:
                return self._templates[resolved]
        return self._covering(tokens)

    def _covering(self, tokens: Tokens, besides: Template | None = None) -> Template | None:
        """The most specific template (other than ``besides``) whose ``<*>`` cover ``tokens``."""
        best: Template | None = None
        length = len(tokens)
        for pos, tok in enumerate(tokens):
            for tpl in self._anchors.get((length, pos, tok), ()):
                if tpl is besides or (best is not None and tpl.constants <= best.constants):
                    continue
                if covers(tpl.tokens, tokens):
                    best = tpl
        return best

    def _create(self, tokens: Tokens) -> Template:
        if len(self._templates) >= self.max_templates:
            self._evict()
        tpl = self._register(tokens, self._next_id)
        self._next_id += 1
        return tpl

    def _register(self, tokens: Tokens, tid: int) -> Template:
        tpl = Template(tid, tokens)
        tpl.last_tick = self._tick
        self._templates[tid] = tpl
        self._index(tpl)
        return tpl

    def _store(self, tokens: Tokens, tpl: Template, skel: Tokens) -> Atom:
        """Keep ``tokens`` as an atom of ``tpl`` (the oldest atom goes when the store is full)."""
        key = " ".join(tokens)
        if len(self._atoms) >= self.cache_size and key not in self._atoms:
            for oldest in _drop_oldest(self._atoms, self.cache_size):
                if oldest.template is not None:
                    oldest.template.atoms.discard(oldest)
        atom = Atom(tokens, skel)
        atom.template = tpl
        tpl.atoms.add(atom)
        self._atoms[key] = atom
        if atom.skeleton:
            _bounded_put(self._skeletons, atom.skeleton, tpl.id, self.cache_size)
        return atom

    # -- statistics -------------------------------------------------------------------------

    def _settle(self) -> None:
        if self._pending:
            self._consolidate()

    def _consolidate(self) -> None:
        """Run the statistics over all atoms and merge the templates they put together."""
        self._pending = 0
        atoms = list(self._atoms.values())
        proposed = generalize([a.tokens for a in atoms], [a.count for a in atoms], self.config)
        events: dict[Tokens, list[int]] = {}
        for i, tokens in enumerate(proposed):
            skel = atoms[i].skeleton if tokens == atoms[i].tokens else skeleton(tokens)
            events.setdefault(skel or tokens, []).append(i)
        for members in events.values():
            templates = {t.id: t for i in members if (t := atoms[i].template) is not None}
            if not templates:
                continue
            survivor = templates.pop(min(templates))
            for gone in templates.values():
                self._merge(survivor, gone)
            self._retoken(survivor, [(proposed[i], atoms[i].count) for i in members])
        self._absorb_special_cases()

    def _absorb_special_cases(self) -> None:
        """Merge every template that a more general one covers (whichever came first)."""
        for tpl in list(self._templates.values()):
            if not tpl.live:
                continue
            general = self._covering(tpl.tokens, besides=tpl)
            if general is None:
                continue
            tokens = general.tokens
            survivor, gone = (tpl, general) if tpl.id < general.id else (general, tpl)
            self._merge(survivor, gone)
            if survivor.tokens != tokens:
                self._unindex(survivor)
                survivor.set_tokens(tokens)
                self._index(survivor)

    def _merge(self, survivor: Template, gone: Template) -> None:
        """Move everything of ``gone`` into ``survivor``; ``gone``'s id becomes an alias."""
        del self._templates[gone.id]
        self._unindex(gone)
        gone.live = False
        self._alias[gone.id] = survivor.id
        for atom in gone.atoms:
            atom.template = survivor
        survivor.atoms |= gone.atoms
        gone.atoms = set()
        survivor.count += gone.count
        survivor.last_tick = max(survivor.last_tick, gone.last_tick)
        if gone.first_seen is not None:
            survivor.first_seen = min(survivor.first_seen or gone.first_seen, gone.first_seen)
        if gone.last_seen is not None:
            survivor.last_seen = max(survivor.last_seen or gone.last_seen, gone.last_seen)

    def _retoken(self, tpl: Template, proposals: list[tuple[Tokens, int]]) -> None:
        """Give ``tpl`` the join of its old tokens and the proposed ones (never less general).

        Atoms of one event may differ in length (an optional variable): the length with the
        most lines gives the text.
        """
        lines: dict[int, int] = {}
        for tokens, count in proposals:
            lines[len(tokens)] = lines.get(len(tokens), 0) + count
        length = max(lines, key=lambda n: (lines[n], n == len(tpl.tokens)))
        joined = tpl.tokens if len(tpl.tokens) == length else None
        for tokens, _ in proposals:
            if len(tokens) == length:
                joined = tokens if joined is None else join(joined, tokens)
        if joined is not None and joined != tpl.tokens:
            self._unindex(tpl)
            tpl.set_tokens(joined)
            self._index(tpl)

    # -- indexes and eviction ---------------------------------------------------------------

    def _index(self, tpl: Template) -> None:
        skel = skeleton(tpl.tokens)
        if skel:
            _bounded_put(self._skeletons, skel, tpl.id, self.cache_size)
        if tpl.anchor is not None:
            self._anchors.setdefault(tpl.anchor, []).append(tpl)

    def _unindex(self, tpl: Template) -> None:
        if tpl.anchor is not None:
            same = self._anchors.get(tpl.anchor, [])
            if tpl in same:
                same.remove(tpl)
            if not same:
                self._anchors.pop(tpl.anchor, None)

    def _evict(self) -> None:
        oldest = min(self._templates.values(), key=lambda t: t.last_tick)
        del self._templates[oldest.id]
        self._unindex(oldest)
        oldest.live = False
        for atom in oldest.atoms:
            atom.template = None
            key = " ".join(atom.tokens)
            if self._atoms.get(key) is atom:
                del self._atoms[key]
        oldest.atoms = set()
        self._alias = {
            old: new for old, new in self._alias.items() if self._resolve(old) is not None
        }

    def _resolve(self, tid: int) -> int | None:
        while tid in self._alias:
            tid = self._alias[tid]
        return tid if tid in self._templates else None


def _bounded_put(cache: dict[_K, _V], key: _K, value: _V, limit: int) -> None:
    if len(cache) >= limit and key not in cache:
        _drop_oldest(cache, limit)
    cache[key] = value


def _drop_oldest(cache: dict[_K, _V], limit: int) -> list[_V]:
    """Remove the oldest quarter of a full cache (FIFO: dicts keep insertion order).

    In batches, because finding a dict's first entry again after each removal costs the
    length of the run of removed slots in front of it: one at a time would be quadratic.
    """
    keys = list(islice(cache, max(1, limit // 4)))
    return [cache.pop(k) for k in keys]
