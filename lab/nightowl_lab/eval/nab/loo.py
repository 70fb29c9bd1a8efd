"""Leave-one-category-out scoring: every choice is made with the scored category left out.

NAB optimises each profile's threshold over the very files it scores, which is itself a fit to
the labels. Here, for every category ``c`` of the corpus (the folder of ``data/<c>/<file>``):

1. among the candidate configurations of the detector (one, or a family), the one with the best
   standard-profile raw score on the *other* categories, at its own best threshold there, is
   chosen;
2. per profile, its threshold is the best one on the other categories;
3. the files of ``c`` are scored at that threshold.

The raw scores of all categories add up to the corpus's leave-one-out raw score, normalised as
NAB does (null = 0, perfect = 100). A category without labelled windows (NAB's
``artificialNoAnomaly``) only loses points to false alarms; it is scored, and is left out of the
choices for the other folds like any other. Pure functions; ``ValueError`` on inconsistent input.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from nightowl.domain.base import Model
from nightowl_lab.eval.nab.corpus import PROFILES, NabCorpus
from nightowl_lab.eval.nab.scorer import (
    SweepRows,
    file_score,
    normalise,
    sweep_rows,
    threshold_curve,
)

Scores = npt.NDArray[np.float64]


def category_of(name: str) -> str:
    """The category of a series name (``category/file.csv``): its folder."""
    return name.split("/", 1)[0] if "/" in name else ""


class LooFold(Model):
    """One category scored with the choices made on the others."""

    category: str
    candidate: str
    thresholds: dict[str, float]
    raw: dict[str, float]


class LooResult(Model):
    """Every fold and the corpus's normalised leave-one-out score per profile."""

    folds: tuple[LooFold, ...]
    scores: dict[str, float]

    def fold(self, category: str) -> LooFold:
        """The fold that left ``category`` out."""
        return next(f for f in self.folds if f.category == category)


def _rows(corpus: NabCorpus, scores: Mapping[str, Scores], profile: str) -> dict[str, SweepRows]:
    cost = corpus.profiles[profile]
    return {s.name: sweep_rows(scores[s.name], s.windows, cost) for s in corpus}


def leave_one_category_out(
    corpus: NabCorpus, candidates: Mapping[str, Mapping[str, Scores]]
) -> LooResult:
    """Score ``corpus`` leave-one-category-out over ``candidates`` (name -> scores per series)."""
    if not candidates:
        raise ValueError("no candidate to choose from")
    categories = sorted({category_of(s.name) for s in corpus})
    rows = {
        name: {p: _rows(corpus, scores, p) for p in PROFILES} for name, scores in candidates.items()
    }
    folds: list[LooFold] = []
    for category in categories:
        held = [s.name for s in corpus if category_of(s.name) == category]
        rest = [s.name for s in corpus if category_of(s.name) != category]

        def train(name: str, profile: str, rest: list[str] = rest) -> tuple[float, float]:
            cost = corpus.profiles[profile]
            return threshold_curve([rows[name][profile][f] for f in rest], cost).best()

        chosen = max(candidates, key=lambda name: train(name, "standard")[1])
        thresholds = {p: train(chosen, p)[0] for p in PROFILES}
        raw = {
            p: sum(file_score(rows[chosen][p][f], corpus.profiles[p], thresholds[p]) for f in held)
            for p in PROFILES
        }
        folds.append(LooFold(category=category, candidate=chosen, thresholds=thresholds, raw=raw))
    totals: dict[str, float] = {}
    for p in PROFILES:
        cost = corpus.profiles[p]
        null = -cost.fnWeight * corpus.windows
        perfect = cost.tpWeight * corpus.windows
        totals[p] = normalise(sum(f.raw[p] for f in folds), null, perfect)
    return LooResult(folds=tuple(folds), scores=totals)
