"""``nightowl eval --memory``: the scenario suite with and without incident memory.

Without: every scenario on its own, memory off (the usual scorecard). With: the scenarios
replayed in name order, each on its own incident store but all through ONE memory database
(``memory.url``), so a scenario recalls the ones before it. Beside the two scorecards: how many
judged incidents recalled a cause, how many of those were the truth, how many were wrong, how many
wrong ones were acted on (they decided the root cause — the figure that must stay 0; those that
merely agreed with a wrong diagnosis the evidence made on its own are counted apart), and the mean time to diagnosis with and without memory, over all scenarios and over the
repeats (the scenarios where something was recalled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from nightowl.domain import Incident
from nightowl.domain.base import Model
from nightowl.settings import Settings
from nightowl_lab.eval.scenarios import eval_settings, judge, primary
from nightowl_lab.eval.scorecard import ScenarioResult, Scorecard, score
from nightowl_lab.sim.scenario import Scenario, load_scenario


class Recalled(Model):
    """One scenario's recall, judged: what memory pointed to, whether it was the truth, and
    whether it was used."""

    name: str
    truth: str
    recalled: str | None
    applied: bool
    settled: bool
    dropped: str | None
    text: str | None
    seconds_without: float | None
    seconds_with: float | None

    @property
    def recall(self) -> bool:
        return self.recalled is not None

    @property
    def correct(self) -> bool:
        return self.recalled == self.truth


class RunWith(Model):
    """One scenario's run with memory: its judged result and the judged incident."""

    result: ScenarioResult
    incident: Incident


class MemoryCard(Model):
    """The suite with and without memory, and memory's own figures (see the module docstring)."""

    without: Scorecard
    with_memory: Scorecard
    recalls: int
    correct_recalls: int
    wrong_recalls: int
    wrong_recalls_acted_on: int
    """Wrong recalls that decided the root cause: the figure that must stay 0."""
    wrong_recalls_applied: int
    """Wrong recalls that passed the gates because the evidence itself pointed the same (wrong)
    way: memory agreed with the evidence's mistake but did not make it."""
    applied_recalls: int
    mean_seconds_without: float | None
    mean_seconds_with: float | None
    repeat_seconds_without: float | None
    repeat_seconds_with: float | None
    scenarios: tuple[Recalled, ...] = ()


def memory_card(without: Sequence[ScenarioResult], with_memory: Sequence[RunWith]) -> MemoryCard:
    """Judge the two runs (``with_memory`` in the same order as ``without``)."""
    rows = [_recalled(a, b) for a, b in zip(without, with_memory, strict=True)]
    recalls = [r for r in rows if r.recall]
    repeats = [r for r in rows if r.recall and r.seconds_with is not None]
    return MemoryCard(
        without=score(without),
        with_memory=score([b.result for b in with_memory]),
        recalls=len(recalls),
        correct_recalls=sum(r.correct for r in recalls),
        wrong_recalls=sum(not r.correct for r in recalls),
        wrong_recalls_acted_on=sum(r.settled and not r.correct for r in recalls),
        wrong_recalls_applied=sum(r.applied and not r.correct for r in recalls),
        applied_recalls=sum(r.applied for r in recalls),
        mean_seconds_without=_mean([r.seconds_without for r in rows]),
        mean_seconds_with=_mean([r.seconds_with for r in rows]),
        repeat_seconds_without=_mean([r.seconds_without for r in repeats]),
        repeat_seconds_with=_mean([r.seconds_with for r in repeats]),
        scenarios=tuple(rows),
    )


def evaluate_memory(
    base: Settings,
    files: Sequence[Path],
    run: Callable[[Settings, str, Scenario], list[Incident]],
    on_done: Callable[[str], None] | None = None,
    after: Callable[[Scenario, Incident, str], None] | None = None,
) -> MemoryCard:
    """Run ``files`` without memory, then in name order through one memory; ``run`` replays one
    scenario and returns its incidents (the eval CLI's). ``on_done`` gets a line per run;
    ``after`` is called after each run with memory with the scenario, the judged incident and the
    memory's URL (a campaign's human gives feedback there)."""
    root = base.data_dir / "eval-memory"
    url = memory_url(base)
    (root / "memory.sqlite").unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    without: list[ScenarioResult] = []
    with_memory: list[RunWith] = []
    for side in ("without", "with"):
        for path in sorted(files, key=lambda p: p.name):
            scenario = load_scenario(path)
            settings, token = eval_settings(base, path, root / side / scenario.name)
            memory = {"enabled": side == "with", "url": url if side == "with" else None}
            settings = settings.model_copy(
                update={"memory": settings.memory.model_copy(update=memory)}
            )
            incidents = run(settings, token, scenario)
            judged = primary(incidents)
            result = judge(scenario, judged, incidents)
            if side == "without":
                without.append(result)
            else:
                with_memory.append(RunWith(result=result, incident=judged))
                if after is not None:
                    after(scenario, judged, url)
            if on_done:
                on_done(f"{side} memory: {scenario.name}")
    return memory_card(without, with_memory)


def memory_url(base: Settings) -> str:
    """The one memory database of an ``eval --memory`` run, under the base data dir."""
    return f"sqlite:///{base.data_dir / 'eval-memory' / 'memory.sqlite'}"


def _recalled(without: ScenarioResult, run: RunWith) -> Recalled:
    d = run.incident.diagnosis
    memory = d.recall if d else None
    cause = f"{memory.kind} on {memory.service}" if memory and memory.kind else None
    return Recalled(
        name=without.name,
        truth=f"{without.truth_kind} on {without.truth_service}",
        recalled=cause,
        applied=bool(memory and memory.applied),
        settled=bool(memory and memory.settled),
        dropped=memory.dropped if memory else None,
        text=memory.text if memory else None,
        seconds_without=without.seconds_to_diagnosis,
        seconds_with=run.result.seconds_to_diagnosis,
    )


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None
