"""Token statistics: which words of an event are values, decided across lines."""

from __future__ import annotations

import pytest

from nightowl.analysis.logs.config import MinerConfig
from nightowl.analysis.logs.grouping import frame, generalize, join, skeleton

CONFIG = MinerConfig(min_values=4, name_factor=3)


def atoms(*lines: str) -> list[tuple[str, ...]]:
    return [tuple(line.split()) for line in lines]


def test_a_position_with_enough_values_is_a_variable() -> None:
    lines = atoms(*(f"session closed for user {u}" for u in ("a", "b", "c", "d")))
    out = generalize(lines, [5, 3, 1, 1], CONFIG)
    assert set(out) == {("session", "closed", "for", "user", "<*>")}


def test_fewer_values_than_the_threshold_stay_words() -> None:
    lines = atoms("cupsd startup succeeded", "cupsd shutdown succeeded", "cupsd reload succeeded")
    assert generalize(lines, [1, 1, 1], CONFIG) == lines


def test_constants_shared_with_other_events_do_not_merge_them() -> None:
    # "job" and "done" occur in both events; each event's own words share one count
    lines = atoms(
        *(f"job {u} done quickly" for u in ("a", "b", "c", "d")),
        *(f"job {u} failed badly" for u in ("w", "x", "y", "z")),
    )
    out = generalize(lines, [1] * 8, CONFIG)
    assert set(out) == {("job", "<*>", "done", "quickly"), ("job", "<*>", "failed", "badly")}


def test_names_need_more_values() -> None:
    states = atoms(*(f"moved to {s}" for s in ("NEW", "RUNNING", "DONE", "FAILED", "LOST")))
    assert generalize(states, [1] * 5, CONFIG) == states  # ALL-CAPS: 12 needed
    first = atoms(*(f"{w} (command 7)" for w in ("boot", "wait", "halt", "probe", "reset")))
    assert generalize(first, [1] * 5, CONFIG) == first  # the first word: 12 needed
    loose = MinerConfig(min_values=4, name_factor=1)
    assert {t[2] for t in generalize(states, [1] * 5, loose)} == {"<*>"}


def test_values_are_compared_in_their_frame() -> None:
    lines = atoms(*(f'lock tag="{t}", uid=1' for t in ("Audio", "View", "launch", "Wifi")))
    assert set(generalize(lines, [1] * 4, CONFIG)) == {("lock", 'tag="<*>",', "uid=1")}


def test_a_key_that_holds_a_masked_value_is_a_variable_slot() -> None:
    lines = atoms("failure rhost=<*> user=root", "failure rhost=zummit user=root")
    assert set(generalize(lines, [9, 1], CONFIG)) == {("failure", "rhost=<*>", "user=root")}


def test_counts_must_match_atoms() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        generalize(atoms("a b"), [1, 2], CONFIG)


@pytest.mark.parametrize(
    ("token", "parts"),
    [
        ('tag="AudioMix",', ('tag="', "AudioMix", '",')),
        ("chdir(pwd)", ("chdir(", "pwd", ")")),
        ("user=<*>", ("user=", "<*>", "")),
        ("failure;", ("", "failure", ";")),
        ("plain", ("", "plain", "")),
    ],
)
def test_frame(token: str, parts: tuple[str, str, str]) -> None:
    assert frame(token) == parts


def test_join_masks_where_tokens_differ_at_punctuation() -> None:
    assert join(("chdir(<*>)", "ok"), ("chdir(pwd)", "ok")) == ("chdir(<*>)", "ok")
    assert join(("user=a,",), ("user=bob,",)) == ("user=<*>,",)
    assert join(("abc",), ("abd",)) == ("<*>",)  # never half a word


def test_skeleton_keeps_constant_words_in_order() -> None:
    assert skeleton(("<*>", "bytes", "(<*>)", "sent", "[]")) == ("bytes", "sent")
