"""CAD-OSE: the Contextual Anomaly Detector, open-source edition (M. Smirnov, NAB 2016).

A re-implementation from the published description and NAB's reference detector
(``nab/detectors/context_ose``), not a copy. The idea, in the detector's own vocabulary:

* **facts**: every value is quantised to ``bits`` binary digits over a value range; each digit is
  one fact (``position, bit``), so a value is ``bits`` facts and nearby values share high digits;
* **contexts**: a context is a pair (left facts, right facts), read "after the left facts, the
  right facts follow". The left side is the previous step's facts plus the identifiers of the
  contexts that were active then (the detector's "neurons"), so contexts chain into sequences;
* every step, the contexts whose left side was fully present one step ago are *selected*; those
  whose right side is fully present now are *active* (a prediction came true). Partial matches
  spawn new, more specific contexts (the intersection of what was expected and what came);
* the anomaly of a step is ``(1 - active / selected + new / candidates) / 2``: how little of the
  learned context predicted it, plus how much of it had never been seen. It is 0 when every fact
  of the value was predicted;
* after a score of at least ``threshold`` (0.75), the detector stays quiet for ``rest`` steps.

NAB runs it with ``bits=3``, at most 7 facts on a left side that can be crossed, 15 active
neurons, ``rest = probation / 5`` and the value range of the whole file; :class:`CadOse` takes the
range as an argument so that a streaming caller can supply one learned from the first points.

State: the context memory grows with the number of distinct contexts the stream produces (with
3 bits, a few thousand on a NAB file); ``max_contexts`` caps it, after which no context is
created (known contexts keep learning) so that memory stays bounded on an endless stream.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from operator import attrgetter

import numpy as np
import numpy.typing as npt

SENSOR_BASE = 65_536
NEURON_BASE = 2**31


class _Left:
    """A left semi-context: a set of facts, and the contexts it starts (right semi id -> context)."""

    __slots__ = ("contexts", "fact_set", "facts", "has_zero", "index", "key", "size")

    def __init__(self, facts: tuple[int, ...], index: int) -> None:
        self.facts = facts
        self.fact_set = frozenset(facts)
        self.size = len(facts)
        self.index = index
        self.key = hash(facts)
        self.has_zero = False
        self.contexts: dict[int, _Context] = {}


class _Right:
    """A right semi-context: a set of sensor facts that may follow a left semi-context."""

    __slots__ = ("fact_set", "facts", "index", "key", "size")

    def __init__(self, facts: tuple[int, ...], index: int) -> None:
        self.facts = facts
        self.fact_set = frozenset(facts)
        self.size = len(facts)
        self.index = index
        self.key = hash(facts)


class _Context:
    """One learned transition and its record: facts expected, facts seen, times fully confirmed."""

    __slots__ = ("expected", "fired", "ident", "left_key", "right", "right_key", "seen", "zero")

    def __init__(self, ident: int, left: _Left, right: _Right, zero: bool) -> None:
        self.ident = ident
        self.expected = 0  # facts the context predicted, summed over its selections
        self.seen = 0  # of those, facts that came true
        self.fired = 0  # times the whole right side came true
        self.right = right
        self.zero = zero  # a zero-level context: built from two consecutive whole fact groups
        self.left_key = left.key
        self.right_key = right.key


Pair = tuple[tuple[int, ...], tuple[int, ...]]


class ContextMemory:
    """The semi-context and context store, and the crossing of fact sets against it.

    The reference detector intersects every left semi-context with the current facts at every
    step. Only two kinds matter, and both are found without the scan: semi-contexts *wholly*
    inside the facts (they select contexts and make predictions), found through an index on their
    lowest neuron fact (or, without neuron facts, by enumerating the few subsets of the sensor
    facts); and, on a step that created a new zero-level context, semi-contexts holding a
    zero-level context (they spawn candidate contexts), kept in a list. The result is the same
    as the full scan, in the same order.
    """

    __slots__ = (
        "_anchored",
        "_contexts",
        "_facts",
        "_fresh",
        "_left",
        "_left_by_facts",
        "_max_contexts",
        "_max_left",
        "_right",
        "_right_by_facts",
        "_whole",
        "_zero_semis",
    )

    def __init__(self, max_left: int = 7, max_contexts: int = 65_536) -> None:
        self._max_left = max_left
        self._max_contexts = max_contexts
        self._left: list[_Left] = []
        self._right: list[_Right] = []
        self._left_by_facts: dict[tuple[int, ...], _Left] = {}
        self._right_by_facts: dict[tuple[int, ...], _Right] = {}
        self._anchored: dict[int, list[_Left]] = {}  # lowest neuron fact -> semi-contexts
        self._zero_semis: list[_Left] = []  # semi-contexts that start a zero-level context
        self._contexts: list[_Context] = []
        self._facts: frozenset[int] = frozenset()  # the left facts of the last crossing
        self._whole: list[_Left] = []  # the semi-contexts wholly inside them, by creation
        self._fresh: _Context | None = None

    def __len__(self) -> int:
        return len(self._contexts)

    def _left_semi(self, facts: tuple[int, ...]) -> _Left:
        semi = self._left_by_facts.get(facts)
        if semi is None:
            semi = _Left(facts, len(self._left))
            self._left.append(semi)
            self._left_by_facts[facts] = semi
            neurons = [f for f in facts if f >= NEURON_BASE]
            if neurons:
                self._anchored.setdefault(min(neurons), []).append(semi)
        return semi

    def _right_semi(self, facts: tuple[int, ...]) -> _Right:
        semi = self._right_by_facts.get(facts)
        if semi is None:
            semi = _Right(facts, len(self._right))
            self._right.append(semi)
            self._right_by_facts[facts] = semi
        return semi

    def _context(
        self, left_facts: tuple[int, ...], right_facts: tuple[int, ...], zero: bool
    ) -> tuple[_Context | None, bool]:
        """Find or create the context; ``(context, created)``. ``None`` when memory is full."""
        left = self._left_by_facts.get(left_facts)
        right = self._right_by_facts.get(right_facts)
        if left is not None and right is not None:
            context = left.contexts.get(right.index)
            if context is not None:
                return context, False
        if len(self._contexts) >= self._max_contexts:
            return None, False
        left = left or self._left_semi(left_facts)
        right = right or self._right_semi(right_facts)
        context = _Context(len(self._contexts), left, right, zero)
        self._contexts.append(context)
        left.contexts[right.index] = context
        if zero:
            self._mark_zero(left)
        return context, True

    def _mark_zero(self, left: _Left) -> None:
        if not left.has_zero:
            left.has_zero = True
            self._zero_semis.append(left)

    def add_zero_level(self, left_facts: tuple[int, ...], right_facts: tuple[int, ...]) -> bool:
        """Remember "after ``left_facts`` came ``right_facts``"; ``True`` if it was new."""
        context, created = self._context(left_facts, right_facts, True)
        if created:
            self._fresh = context
        elif context is not None and not context.zero:
            context.zero = True
            self._mark_zero(self._left_by_facts[left_facts])
        return created

    def add(self, pairs: list[Pair]) -> int:
        """Remember derived contexts; the number that were new."""
        return sum(self._context(left, right, False)[1] for left, right in pairs)

    def cross_right(
        self, facts: tuple[int, ...], novel: bool
    ) -> tuple[list[_Context], int, list[Pair]]:
        """Match the new sensor facts against what the previous step's left sides predicted.

        Returns the active contexts (whole right side present), how many contexts were selected
        (whole left side present one step ago) and the candidate new contexts (intersections).
        """
        sensed = frozenset(facts)
        previous = self._facts
        semis = self._whole
        if novel:
            merged = {semi.index: semi for semi in semis}
            for semi in self._zero_semis:
                if semi.index not in merged and not semi.fact_set.isdisjoint(previous):
                    merged[semi.index] = semi
            semis = [merged[i] for i in sorted(merged)]
        active: list[_Context] = []
        selected = 0
        candidates: list[Pair] = []
        fresh = self._fresh
        max_left = self._max_left
        for left in semis:
            whole = left.fact_set <= previous
            crossed: tuple[int, ...] | None = None
            for context in left.contexts.values():
                if context is fresh:
                    continue
                right = context.right
                hits = (
                    len(right.fact_set & sensed)
                    if right.size > 1
                    else int(right.facts[0] in sensed)
                )
                if whole:
                    selected += 1
                    context.expected += right.size
                    if hits == 0:
                        continue
                    context.seen += hits
                    if hits == right.size:
                        context.fired += 1
                        active.append(context)
                        continue
                elif hits == 0:
                    continue
                if context.zero and novel:
                    if crossed is None:
                        crossed = tuple(f for f in left.facts if f in previous)
                    if len(crossed) <= max_left:
                        seen = tuple(f for f in right.facts if f in sensed)
                        candidates.append((crossed, seen))
        self._fresh = None
        return active, selected, candidates

    def cross_left(self, facts: tuple[int, ...]) -> set[int]:
        """Match the current left facts; the facts predicted by the best-confirmed contexts."""
        present = frozenset(facts)
        sensors = [f for f in facts if f < NEURON_BASE]
        whole: list[_Left] = []
        by_facts = self._left_by_facts
        for k in range(1, len(sensors) + 1):
            for subset in combinations(sensors, k):
                semi = by_facts.get(subset)
                if semi is not None:
                    whole.append(semi)
        anchored = self._anchored
        for fact in facts:
            if fact >= NEURON_BASE:
                for semi in anchored.get(fact, ()):
                    if semi.fact_set <= present:
                        whole.append(semi)
        whole.sort(key=_index)
        self._facts = present
        self._whole = whole
        best = 0.0
        winners: list[_Context] = []
        for semi in whole:
            for context in semi.contexts.values():
                weight = context.seen / context.expected if context.expected > 0 else 0.0
                if weight > best:
                    best = weight
                    winners = [context]
                elif weight == best:
                    winners.append(context)
        predicted: set[int] = set()
        for context in winners:
            predicted.update(context.right.facts)
        return predicted


_index = attrgetter("index")
# Active contexts are ranked by confirmations, ties broken by their semi-contexts' hashes.
_rank = attrgetter("fired", "left_key", "right_key")


class CadOse:
    """The contextual anomaly detector over one stream; ``update`` returns a score in [0, 1].

    ``low``/``high`` is the value range the ``bits``-digit quantisation spans; values outside it
    quantise beyond the range (new facts), they do not fail. With ``grow``, the range instead
    widens to every value seen so far (a streaming range: no look-ahead). A widening re-quantises
    the stream, so what follows looks new for a while; the rest period absorbs most of that.
    """

    __slots__ = (
        "_bits",
        "_grow",
        "_held_until",
        "_high",
        "_left_facts",
        "_low",
        "_memory",
        "_neurons",
        "_predicted",
        "_rest",
        "_step",
        "_threshold",
        "_top",
    )

    def __init__(
        self,
        low: float,
        high: float,
        *,
        grow: bool = False,
        rest: int = 30,
        threshold: float = 0.75,
        bits: int = 3,
        max_left: int = 7,
        neurons: int = 15,
        max_contexts: int = 65_536,
    ) -> None:
        self._top = 2**bits - 1.0
        span = high - low
        if not span > 0.0 or not math.isfinite(span):
            span = 1.0 if grow else self._top
        self._low = low
        self._high = high
        self._step = span / self._top
        self._grow = grow
        self._bits = bits
        self._rest = max(int(rest), 1)
        self._threshold = threshold
        self._neurons = neurons
        self._memory = ContextMemory(max_left, max_contexts)
        self._left_facts: tuple[int, ...] = ()
        self._predicted: set[int] = set()
        # NAB's detector starts with a history of [1.0]: it is quiet for its first ``rest`` steps.
        self._held_until = self._rest

    @property
    def contexts(self) -> int:
        return len(self._memory)

    def facts(self, x: float) -> tuple[int, ...]:
        """The sensor facts of a value: one per binary digit of its quantised level."""
        level = int((x - self._low) / self._step)
        if level < 0:  # below the range: a digit pattern no in-range value has
            return tuple(sorted({SENSOR_BASE - 1 - min(-level, 64)}))
        width = max(self._bits, level.bit_length())
        return tuple(SENSOR_BASE + 2 * k + ((level >> k) & 1) for k in range(width))

    def _step_facts(self, sensed: tuple[int, ...]) -> tuple[set[int], float, float]:
        memory = self._memory
        candidates: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        novel = False
        if self._left_facts and sensed:
            zero = (self._left_facts, sensed)
            candidates.add(zero)
            novel = memory.add_zero_level(*zero)
        active, selected, derived = memory.cross_right(sensed, novel)
        candidates.update(derived)
        confirmed = len(active) / selected if selected > 0 else 0.0
        active.sort(key=_rank)
        neurons = {NEURON_BASE + c.ident for c in active[-self._neurons :]}
        self._left_facts = tuple(sorted(neurons.union(sensed)))
        created = memory.add(derived) if derived else 0
        predicted = memory.cross_left(self._left_facts)
        created += 1 if novel else 0
        added = created / len(candidates) if novel and candidates else 0.0
        return predicted, confirmed, added

    def raw(self, x: float) -> float:
        """The unsuppressed score of ``x`` (learning it)."""
        sensed = self.facts(x)
        unexpected = any(f not in self._predicted for f in sensed)
        self._predicted, confirmed, added = self._step_facts(sensed)
        return (1.0 - confirmed + added) / 2.0 if unexpected else 0.0

    def update(self, x: float, index: int) -> float:
        """Score ``x`` (the ``index``-th point, from 0), with NAB's rest period after a detection."""
        if self._grow and not self._low <= x <= self._high:
            self._low, self._high = min(self._low, x), max(self._high, x)
            if self._high > self._low:
                self._step = (self._high - self._low) / self._top
        score = self.raw(x)
        quiet = index < self._held_until
        if score >= self._threshold:
            self._held_until = max(self._held_until, index + self._rest + 1)
        return 0.0 if quiet else score


def cad_scores(
    values: Sequence[float] | npt.NDArray[np.float64],
    low: float | None = None,
    high: float | None = None,
    *,
    rest: int = 30,
    clamp: bool = False,
) -> npt.NDArray[np.float64]:
    """Batch helper: stream ``values`` through one :class:`CadOse`; NaN values score 0.

    Without ``low``/``high`` the range grows from the first value (``grow=True``): streaming.
    ``clamp`` pins values outside ``[low, high]`` to the nearest edge (a live stream whose range
    was learned from its first points); otherwise they quantise beyond the range.
    """
    points = np.asarray(values, dtype=np.float64).tolist()
    detector: CadOse | None = None
    if low is not None and high is not None:
        detector = CadOse(low, high, rest=rest)
    out: list[float] = []
    index = 0
    for x in points:
        if x != x:
            out.append(0.0)
            continue
        if detector is None:
            detector = CadOse(x, x, rest=rest, grow=True)
        if clamp and low is not None and high is not None:
            x = min(max(x, low), high)
        out.append(detector.update(x, index))
        index += 1
    return np.asarray(out, dtype=np.float64)
