"""The Loghub log-parsing benchmark: datasets, accuracy metrics and the runner.

Layout (Loghub and Loghub-2.0): ``DIR/<System>/<System>_2k.log_structured.csv`` with the columns
``Content`` and ``EventTemplate``; the Loghub-2.0 corrected labels are in
``<System>_2k.log_structured_corrected.csv``. Every problem with the directory is an
``InputError`` that names the path.

Metrics:

* **grouping accuracy** (Zhu et al., ICSE-SEIP'19): a line counts when the set of lines in its
  predicted group is exactly the set of lines sharing its true ``EventTemplate``;
* **parsing accuracy** (Loghub-2.0, Jiang et al., ISSTA'24): a line counts when its predicted
  template equals the true one after the Loghub-2.0 normalisation of both: whitespace collapsed,
  ``<*>`` that match nothing in the line dropped (``align_with_null_values``), and adjacent
  variables merged (``<*>.<*>``, ``<*><*>``, ``<*>:<*>``, ``<*> <*>`` become ``<*>``).
"""

from __future__ import annotations

import csv
import gc
import re
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nightowl.analysis.logs.config import DEFAULT_CONFIG, MinerConfig
from nightowl.analysis.logs.miner import TemplateMiner
from nightowl.domain.base import Model
from nightowl.errors import InputError
from nightowl_lab.eval.loghub_select import GRID, Accuracy, ConfigScores, LeaveOneOut, leave_one_out

Parser = Callable[[Sequence[str]], tuple[list[int], list[str]]]
"""Parses lines in order; returns a group id and a template (``<*>`` for variables) per line."""


@dataclass(frozen=True)
class LabelledLog:
    """One Loghub system: its messages and their ground-truth templates, index-aligned."""

    name: str
    contents: tuple[str, ...]
    templates: tuple[str, ...]


class SystemScore(Model):
    """One Loghub system's result: grouping and parsing accuracy, speed and peak memory, and how
    many templates were found against the ground truth's.
    """

    grouping_accuracy: float
    parsing_accuracy: float
    lines_per_second: float
    peak_memory_bytes: int
    lines: int
    templates_found: int
    templates_true: int


class AverageScore(Model):
    """The mean accuracies over the systems, and the overall speed."""

    grouping_accuracy: float
    parsing_accuracy: float
    lines_per_second: float
    """Total lines over total parsing time, across systems."""


class BaselineResult(Model):
    """The same benchmark run with a baseline parser, and how much faster nightowl's miner was."""

    name: str
    systems: dict[str, SystemScore]
    average: AverageScore
    speed_ratio: float
    """nightowl's lines per second over the baseline's, measured in the same run."""


class LogBenchResult(Model):
    """The whole log-parsing benchmark: per system, on average, against the baseline, and the
    leave-one-out check that the configuration was not tuned on the system it is scored on.
    """

    dataset_dir: str
    corrected: bool
    systems: dict[str, SystemScore]
    average: AverageScore
    baseline: BaselineResult | None = None
    leave_one_out: LeaveOneOut | None = None
    """The configuration chosen from the other systems, per system (see ``loghub_select``)."""


# -- datasets ---------------------------------------------------------------------------------


def find_systems(dataset_dir: Path, *, corrected: bool = False) -> dict[str, Path]:
    """The labelled file of every system under ``dataset_dir``, by system name."""
    if not dataset_dir.is_dir():
        raise InputError(
            f"dataset directory {dataset_dir} does not exist or is not a directory; "
            "pass --dataset-dir pointing at a Loghub copy (e.g. ../shared/bench/loghub-2k)"
        )
    suffix = "_2k.log_structured_corrected.csv" if corrected else "_2k.log_structured.csv"
    found = {
        sub.name: sub / f"{sub.name}{suffix}"
        for sub in sorted(dataset_dir.iterdir())
        if (sub / f"{sub.name}{suffix}").is_file()
    }
    if not found:
        raise InputError(
            f"no Loghub system under {dataset_dir}: expected <System>/<System>{suffix}"
            + ("" if corrected else " (use --corrected for Loghub-2.0 corrected labels)")
        )
    return found


def load_system(name: str, path: Path) -> LabelledLog:
    """Read ``Content`` and ``EventTemplate`` of a Loghub structured CSV."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not rows or "Content" not in rows[0] or "EventTemplate" not in rows[0]:
        raise InputError(f"{path} has no Content and EventTemplate columns")
    return LabelledLog(
        name=name,
        contents=tuple(r["Content"] or "" for r in rows),
        templates=tuple(r["EventTemplate"] or "" for r in rows),
    )


# -- metrics ----------------------------------------------------------------------------------


def grouping_accuracy(predicted: Sequence[object], truth: Sequence[str]) -> float:
    """Share of lines whose predicted group is exactly their true group (ICSE'19)."""
    if len(predicted) != len(truth):
        raise ValueError("predicted and true labels differ in length")
    if not truth:
        return 0.0
    true_sizes = Counter(truth)
    members: dict[object, list[int]] = defaultdict(list)
    for i, group in enumerate(predicted):
        members[group].append(i)
    correct = 0
    for lines in members.values():
        labels = {truth[i] for i in lines}
        if len(labels) == 1 and true_sizes[truth[lines[0]]] == len(lines):
            correct += len(lines)
    return correct / len(truth)


_SPACES = re.compile(r"\s+")
_ADJACENT = re.compile(r"<\*>(?:<\*>|:<\*>| <\*>)")


def normalise_template(template: str, content: str) -> str:
    """The Loghub-2.0 form of ``template`` for ``content`` (see the module docstring)."""
    parts = template.split("<*>")
    if len(parts) > 1:
        pattern = "^" + "(.*?)".join(re.escape(p) for p in parts) + "$"
        found = re.match(pattern, content, flags=re.DOTALL)
        if found:
            out = [parts[0]]
            for value, part in zip(found.groups(), parts[1:], strict=True):
                out.append("<*>" if value else "")
                out.append(part)
            template = "".join(out)
    template = _SPACES.sub(" ", template.strip())
    while "<*>.<*>" in template:
        template = template.replace("<*>.<*>", "<*>")
    previous = None
    while previous != template:
        previous = template
        template = _ADJACENT.sub("<*>", template)
    return template


def parsing_accuracy(
    predicted: Sequence[str], truth: Sequence[str], contents: Sequence[str]
) -> float:
    """Share of lines whose normalised predicted template equals the normalised true one."""
    if not (len(predicted) == len(truth) == len(contents)):
        raise ValueError("predicted templates, true templates and contents differ in length")
    if not truth:
        return 0.0
    ok = sum(
        normalise_template(p, c) == normalise_template(t, c)
        for p, t, c in zip(predicted, truth, contents, strict=True)
    )
    return ok / len(truth)


# -- runner -----------------------------------------------------------------------------------


def miner_parser(config: MinerConfig = DEFAULT_CONFIG) -> Parser:
    """A parser that runs a fresh :class:`TemplateMiner` with ``config`` over the lines."""

    def parse(lines: Sequence[str]) -> tuple[list[int], list[str]]:
        miner = TemplateMiner(config)
        add = miner.add
        ids = [add(line) for line in lines]
        final = {i: miner.resolve(i) or i for i in set(ids)}  # merges happen after the fact
        texts = {i: miner.template(i) for i in set(final.values())}
        return [final[i] for i in ids], [texts[final[i]] for i in ids]

    return parse


nightowl_parser = miner_parser()
"""nightowl's parser with the product configuration (one configuration for all logs)."""


_Timing = tuple[float, list[int], list[str]]


def _timed(parsers: Sequence[Parser], lines: Sequence[str], repeat: int) -> list[_Timing]:
    """Best wall time of ``repeat`` runs of each parser, with the garbage collector paused.

    The parsers take turns (a, b, a, b, ...), so a burst of load from elsewhere on a shared
    machine slows both alike instead of whichever happened to run during it.
    """
    best = [float("inf")] * len(parsers)
    outputs: list[tuple[list[int], list[str]]] = [([], [])] * len(parsers)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(max(1, repeat)):
            for k, parser in enumerate(parsers):
                start = time.perf_counter()
                outputs[k] = parser(lines)
                best[k] = min(best[k], time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return [(seconds, *out) for seconds, out in zip(best, outputs, strict=True)]


def _peak_memory(parser: Parser, lines: Sequence[str]) -> int:
    """Peak bytes allocated while parsing (a separate run: tracemalloc slows everything)."""
    tracemalloc.start()
    try:
        parser(lines)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def score_system(log: LabelledLog, parser: Parser, *, repeat: int = 3) -> SystemScore:
    """Run ``parser`` on ``log`` (best of ``repeat`` timings) and score it."""
    return score_systems(log, [parser], repeat=repeat)[0]


def score_systems(
    log: LabelledLog, parsers: Sequence[Parser], *, repeat: int = 3
) -> list[SystemScore]:
    """Run every parser on ``log``, taking turns (best of ``repeat`` timings each), and score."""
    scores = []
    for parser, (seconds, ids, templates) in zip(
        parsers, _timed(parsers, log.contents, repeat), strict=True
    ):
        scores.append(
            SystemScore(
                grouping_accuracy=grouping_accuracy(ids, log.templates),
                parsing_accuracy=parsing_accuracy(templates, log.templates, log.contents),
                lines_per_second=len(log.contents) / seconds if seconds > 0 else float("inf"),
                peak_memory_bytes=_peak_memory(parser, log.contents),
                lines=len(log.contents),
                templates_found=len(set(ids)),
                templates_true=len(set(log.templates)),
            )
        )
    return scores


def average(scores: dict[str, SystemScore]) -> AverageScore:
    """The mean accuracies over ``scores``, and their total lines over total time."""
    n = max(1, len(scores))
    lines = sum(s.lines for s in scores.values())
    seconds = sum(s.lines / s.lines_per_second for s in scores.values() if s.lines_per_second)
    return AverageScore(
        grouping_accuracy=sum(s.grouping_accuracy for s in scores.values()) / n,
        parsing_accuracy=sum(s.parsing_accuracy for s in scores.values()) / n,
        lines_per_second=lines / seconds if seconds else 0.0,
    )


def accuracy(log: LabelledLog, parser: Parser) -> Accuracy:
    """GA and PA of ``parser`` on ``log`` (untimed)."""
    ids, templates = parser(log.contents)
    return Accuracy(
        grouping_accuracy=grouping_accuracy(ids, log.templates),
        parsing_accuracy=parsing_accuracy(templates, log.templates, log.contents),
    )


def choose_leave_one_out(
    logs: Sequence[LabelledLog],
    grid: Sequence[MinerConfig] = GRID,
    on_config: Callable[[MinerConfig], None] | None = None,
) -> LeaveOneOut:
    """Score every configuration of ``grid`` on every system and choose leave-one-out."""
    table = []
    for config in grid:
        if on_config:
            on_config(config)
        scores = {log.name: accuracy(log, miner_parser(config)) for log in logs}
        table.append(ConfigScores(config=config, systems=scores))
    return leave_one_out(table)


def run_benchmark(
    dataset_dir: Path,
    *,
    corrected: bool = False,
    baseline: tuple[str, Callable[[str], Parser]] | None = None,
    repeat: int = 3,
    on_system: Callable[[str], None] | None = None,
    select: bool = True,
    on_config: Callable[[MinerConfig], None] | None = None,
) -> LogBenchResult:
    """Score nightowl's miner (and optionally a baseline) on every system under ``dataset_dir``.

    ``baseline`` is ``(name, factory)`` where ``factory(system)`` returns that system's parser;
    both parsers run on the same lines, system by system, taking turns, in the same process. With ``select``
    the configuration is also chosen leave-one-system-out over ``loghub_select.GRID``
    (``on_config`` is called before each configuration is scored).
    """
    mine: dict[str, SystemScore] = {}
    theirs: dict[str, SystemScore] = {}
    logs: list[LabelledLog] = []
    for name, path in find_systems(dataset_dir, corrected=corrected).items():
        if on_system:
            on_system(name)
        log = load_system(name, path)
        logs.append(log)
        if baseline:
            pair = score_systems(log, [nightowl_parser, baseline[1](name)], repeat=repeat)
            mine[name], theirs[name] = pair
        else:
            mine[name] = score_system(log, nightowl_parser, repeat=repeat)
    ours = average(mine)
    result_baseline = None
    if baseline:
        base_avg = average(theirs)
        result_baseline = BaselineResult(
            name=baseline[0],
            systems=theirs,
            average=base_avg,
            speed_ratio=ours.lines_per_second / base_avg.lines_per_second
            if base_avg.lines_per_second
            else 0.0,
        )
    return LogBenchResult(
        dataset_dir=str(dataset_dir),
        corrected=corrected,
        systems=mine,
        average=ours,
        baseline=result_baseline,
        leave_one_out=choose_leave_one_out(logs, on_config=on_config) if select else None,
    )
