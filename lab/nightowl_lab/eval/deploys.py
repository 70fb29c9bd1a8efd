"""The deploy-risk backtest: replay a deploy history in time order, score every deploy with only
what was known at its time, and report how well the score separates the deploys that caused an
incident from those that did not.

For each deploy the inputs are rebuilt as a live assessment would see them: its change, CI results,
traffic, budget, freeze and dependents as recorded; its service's change-failure rate and recent
incidents from the *earlier* deploys and the incidents opened before it (``history_of``); its open
incidents from those open at that moment. An incident's ``caused_by`` — the ground truth — is read
only to label the deploy. The score is ``nightowl.deployrisk.score.assess``, unchanged; its
thresholds are the documented constants, not fitted here.

ROC AUC is the Mann–Whitney statistic: the chance that a random bad deploy scores above a random
good one (ties count half). ``canary`` is left for the canary analysis's timing (seconds from
deploy to verdict), which reports beside the score's figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from nightowl.deployrisk import score
from nightowl.deployrisk.history import history_of
from nightowl.deployrisk.model import RiskInputs
from nightowl.settings import DeployRiskSettings
from nightowl_lab.sim.deploys import DeployHistory, HistoryDeploy, HistoryIncident


class AtThreshold(BaseModel):
    """What flagging every deploy scoring ``threshold`` or more would have caught."""

    threshold: int
    flagged: int
    precision: float | None
    recall: float | None


class DeployBacktest(BaseModel):
    """The backtest's figures; ``canary`` is filled in by the canary analysis's own backtest."""

    seed: int | None
    deploys: int
    bad: int
    base_rate: float
    roc_auc: float | None
    at_delay: AtThreshold
    at_caution: AtThreshold
    recommendations: dict[str, int]
    mean_score: dict[str, float]
    canary: dict[str, float | int | str | None] | None = None


def replay(
    history: DeployHistory, settings: DeployRiskSettings | None = None
) -> list[tuple[int, bool]]:
    """(score, caused an incident) for every deploy, in time order."""
    s = settings or DeployRiskSettings()
    caused = {i.caused_by for i in history.incidents if i.caused_by is not None}
    by_service: dict[str, list[HistoryIncident]] = defaultdict(list)
    for incident in history.incidents:
        by_service[incident.service].append(incident)
    earlier: dict[str, list[datetime]] = defaultdict(list)
    out = []
    for deploy in sorted(history.deploys, key=lambda d: d.at):
        inputs = inputs_at(deploy, earlier[deploy.service], by_service[deploy.service], s)
        out.append((score.assess(inputs).score, deploy.version in caused))
        earlier[deploy.service].append(deploy.at)
    return out


def inputs_at(
    deploy: HistoryDeploy,
    earlier: Sequence[datetime],
    incidents: Sequence[HistoryIncident],
    s: DeployRiskSettings,
) -> RiskInputs:
    """The inputs of ``deploy`` as they stood at its time (nothing after it is read)."""
    at = deploy.at
    before = [i for i in incidents if i.opened_at < at]
    history = history_of(
        earlier, (i.opened_at for i in before), at,
        window_hours=s.incident_window_hours, days=s.history_days,
        recent_days=s.recent_incident_days,
    )  # fmt: skip
    return RiskInputs(
        service=deploy.service,
        version=deploy.version,
        at=at,
        change=deploy.change,
        tests=deploy.tests,
        coverage=deploy.coverage,
        history=history,
        open_incidents=tuple(
            f"{i.service}@{i.opened_at:%m-%d %H:%M}" for i in before if at < i.resolved_at
        ),
        traffic=deploy.traffic,
        budget=deploy.budget,
        freeze=deploy.freeze,
        dependents=deploy.dependents,
    )


def roc_auc(scored: Sequence[tuple[int, bool]]) -> float | None:
    """P(a bad deploy scores above a good one), ties half; None without both kinds."""
    bad = [v for v, b in scored if b]
    good = Counter(v for v, b in scored if not b)
    if not bad or not good:
        return None
    n_good = sum(good.values())
    below = {v: sum(c for g, c in good.items() if g < v) for v in set(bad)}
    wins = sum(below[v] + good[v] / 2 for v in bad)
    return wins / (len(bad) * n_good)


def at_threshold(scored: Sequence[tuple[int, bool]], threshold: int) -> AtThreshold:
    flagged = [b for v, b in scored if v >= threshold]
    bad = sum(b for _, b in scored)
    hits = sum(flagged)
    return AtThreshold(
        threshold=threshold,
        flagged=len(flagged),
        precision=round(hits / len(flagged), 4) if flagged else None,
        recall=round(hits / bad, 4) if bad else None,
    )


def backtest(history: DeployHistory, settings: DeployRiskSettings | None = None) -> DeployBacktest:
    """Replay ``history`` and compute the figures."""
    scored = replay(history, settings)
    bad = sum(b for _, b in scored)
    auc = roc_auc(scored)
    names = Counter(score.recommend(v).value for v, _ in scored)
    means = {
        label: round(sum(vals) / len(vals), 2)
        for label, vals in (
            ("bad", [v for v, b in scored if b]),
            ("good", [v for v, b in scored if not b]),
        )
        if vals
    }
    return DeployBacktest(
        seed=history.seed,
        deploys=len(scored),
        bad=bad,
        base_rate=round(bad / len(scored), 4) if scored else 0.0,
        roc_auc=round(auc, 4) if auc is not None else None,
        at_delay=at_threshold(scored, score.DELAY),
        at_caution=at_threshold(scored, score.CAUTION),
        recommendations=dict(names),
        mean_score=means,
    )
