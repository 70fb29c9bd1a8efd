"""Dual-vigilance fuzzy ART: novelty, resonance, learning, bounded memory."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.analysis.anomaly.art import FuzzyArt


def test_a_repeated_input_resonates_and_an_unseen_one_is_novel() -> None:
    art = FuzzyArt(4, rho=0.8)
    x = np.array([0.2, 0.4, 0.6, 0.8])
    assert art.train(x).novel  # nothing known yet but the blank category
    again = art.train(x)
    assert not again.novel
    assert again.similarity == pytest.approx(1.0)
    far = art.train(np.array([1.0, 0.0, 1.0, 0.0]))
    assert far.novel
    assert far.similarity < 0.8


def test_a_near_input_between_the_vigilances_is_a_variation_not_a_novelty() -> None:
    art = FuzzyArt(4, rho=0.95)
    art.train(np.array([0.5, 0.5, 0.5, 0.5]))
    art.rho_lb = 0.3
    before = len(art)
    match = art.train(np.array([0.5, 0.5, 0.6, 0.5]))
    assert not match.novel
    assert len(art) == before + 1  # kept as a new category of the known cluster


def test_no_learning_leaves_the_memory_untouched() -> None:
    art = FuzzyArt(2)
    art.train(np.array([0.1, 0.9]), learn=False)
    assert len(art) == 1


def test_memory_is_capped() -> None:
    art = FuzzyArt(3, rho=0.999, capacity=10)
    rng = np.random.default_rng(0)
    for x in rng.random((200, 3)):
        art.train(x)
    assert len(art) == 10


def test_a_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="expected 3 features"):
        FuzzyArt(3).train(np.zeros(4))
