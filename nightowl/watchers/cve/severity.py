"""Severity from CVSS vectors (the ``cvss`` package: v2, v3.x and v4.0 base scores), else from a
database's own word (GitHub's ``MODERATE``, trivy's ``HIGH``).
"""

from __future__ import annotations

from collections.abc import Iterable

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from nightowl.watchers.cve.models import Severity

_WORDS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "negligible": Severity.LOW,
    "none": Severity.NONE,
}


def from_score(score: float) -> Severity:
    """CVSS v3/v4's qualitative rating of a base score (FIRST's table)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.NONE


def vector_score(vector: str) -> float | None:
    """The base score of a CVSS vector (``CVSS:3.1/AV:N/…``, ``CVSS:4.0/…`` or a bare v2
    vector); None when the text is not a valid vector.
    """
    text = vector.strip()
    try:
        if text.startswith("CVSS:4"):
            return float(CVSS4(text).base_score)
        if text.startswith("CVSS:3"):
            return float(CVSS3(text).base_score)
        return float(CVSS2(text).base_score)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None


def from_word(word: str | None) -> Severity:
    """A database's severity word as a rating; ``unknown`` for anything else."""
    return _WORDS.get((word or "").strip().lower(), Severity.UNKNOWN)


def worst(
    vectors: Iterable[str], words: Iterable[str | None] = ()
) -> tuple[Severity, float | None]:
    """The worst rating among the vectors (with its score), else among the words."""
    scores = [s for s in (vector_score(v) for v in vectors) if s is not None]
    if scores:
        best = max(scores)
        return from_score(best), best
    rated = [from_word(w) for w in words]
    known = [r for r in rated if r is not Severity.UNKNOWN]
    return (max(known, key=lambda r: r.rank), None) if known else (Severity.UNKNOWN, None)
