"""The miner's one configuration: how much evidence turns a word into a variable.

The masker needs no settings (it only masks what is a value in every log: see ``masking``); the
statistics in ``grouping`` need two numbers. The defaults are the product's fixed configuration,
the same for every service and every log format; ``nightowl bench logs`` measures how the
choice would move if it were made from the benchmark systems, one system left out at a time.
"""

from __future__ import annotations

from pydantic import Field

from nightowl.domain.base import Model


class MinerConfig(Model):
    """Evidence thresholds of the template miner (frozen; safe to share between threads).

    ``min_values``: distinct words at one position, among lines that otherwise agree, that make
    the position a variable. Two alternatives are often two events (``startup``/``shutdown``),
    three still an enumeration; four is the median of the per-system thresholds Brain was
    tuned to on Loghub (2 to 6).

    ``name_factor``: a word in the position that names the event — the first word of the
    message, or an ALL-CAPS word (an enumeration constant, a state, a log keyword) — needs
    ``min_values * name_factor`` distinct values: such names come from small, closed sets
    written in the code, values from open ones.
    """

    min_values: int = Field(default=4, ge=2, le=64)
    name_factor: int = Field(default=3, ge=1, le=16)

    @property
    def name_values(self) -> int:
        """Distinct values needed where a word names the event (first word, ALL-CAPS)."""
        return self.min_values * self.name_factor


DEFAULT_CONFIG = MinerConfig()
"""The product's configuration: the same for every log, whichever logs are mined."""
