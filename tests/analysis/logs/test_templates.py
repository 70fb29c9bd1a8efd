"""Templates and atoms: which tokens a template covers."""

from __future__ import annotations

import pytest

from nightowl.analysis.logs.templates import Template, covers


@pytest.mark.parametrize(
    ("pattern", "tokens", "expected"),
    [
        (("size", "<*>"), ("size", "12"), True),
        (("size", "<*>"), ("size", "twelve"), True),  # a variable slot takes any value
        (("size", "<*>"), ("size", "12", "MB"), False),  # token counts must agree
        (("blk_<*>",), ("blk_12",), True),
        (("blk_<*>",), ("blk_",), False),  # the value is not empty
        (("<*>:",), ("<*>/a.rts:",), True),  # a masked token in the same frame
        (("instruction...<*>",), ("instruction......<*>",), False),  # not a frame's value
        (("user=<*>",), ("user=<*>",), True),
    ],
)
def test_covers(pattern: tuple[str, ...], tokens: tuple[str, ...], expected: bool) -> None:
    assert covers(pattern, tokens) is expected


def test_anchor_is_the_first_constant_token() -> None:
    tpl = Template(1, ("<*>", "open", "through", "<*>"))
    assert tpl.anchor == (4, 1, "open")
    assert tpl.constants == 2
    tpl.set_tokens(("<*>",))
    assert tpl.anchor is None  # nothing to look it up by: only exact lines reach it
    assert tpl.text == "<*>"


def test_a_template_without_a_constant_word_covers_nothing_else() -> None:
    assert Template(1, ("<*>", "-", "<*>")).anchor is None
