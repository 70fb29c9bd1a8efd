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

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.context_memory import NEURON_BASE, SENSOR_BASE, ContextMemory


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
        neurons = {NEURON_BASE + ident for ident in memory.rank(active, self._neurons)}
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
