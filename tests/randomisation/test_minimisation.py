"""Pocock–Simon minimisation: a worked example, determinism at p_best=1, marginal balance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.randomisation import allocate_by_minimisation

HISTORY = [
    ({"sex": "F", "ecog": 0}, "A"),
    ({"sex": "F", "ecog": 1}, "B"),
    ({"sex": "M", "ecog": 0}, "A"),
    ({"sex": "M", "ecog": 1}, "A"),
]


def test_worked_example_scores_and_probabilities() -> None:
    # New participant (F, 0). Same-level counts: sex=F A1 B1; ecog=0 A2 B0.
    # Join A: sex |2-1| = 1, ecog |3-0| = 3 -> G_A = 4.  Join B: |1-2| = 1, |2-1| = 1 -> G_B = 2.
    result = allocate_by_minimisation(
        {"sex": "F", "ecog": 0}, history=HISTORY, ratio={"A": 1, "B": 1}, seed=0, p_best=0.8
    )
    assert result.imbalance == (("A", 4.0), ("B", 2.0))
    assert result.probabilities == (("A", pytest.approx(0.2)), ("B", pytest.approx(0.8)))
    assert result.rule_version == "pocock_simon/1"


def test_factor_weights_change_the_scores() -> None:
    # Weight ecog 0: only sex counts -> both arms score 1 -> tie -> 1:1 probabilities.
    result = allocate_by_minimisation(
        {"sex": "F", "ecog": 0}, history=HISTORY, ratio={"A": 1, "B": 1}, seed=0,
        weights={"sex": 1.0, "ecog": 0.0},
    )
    assert result.imbalance == (("A", 1.0), ("B", 1.0))
    assert result.probabilities == (("A", 0.5), ("B", 0.5))


def test_p_best_one_is_deterministic() -> None:
    for seed in range(5):
        result = allocate_by_minimisation(
            {"sex": "F", "ecog": 0}, history=HISTORY, ratio={"A": 1, "B": 1}, seed=seed, p_best=1.0
        )
        assert result.arm_id == "B"


def test_first_participant_under_one_to_one_is_a_fair_coin() -> None:
    result = allocate_by_minimisation({"sex": "F"}, history=[], ratio={"A": 1, "B": 1}, seed=0)
    assert result.imbalance == (("A", 1.0), ("B", 1.0))
    assert result.probabilities == (("A", 0.5), ("B", 0.5))


def test_two_to_one_scales_counts_by_the_weights() -> None:
    # First participant, 2:1. Join A: counts/weights (1/2, 0/1) -> range 0.5.
    # Join B: (0/2, 1/1) -> range 1. A is the unique best -> p_best = 0.8.
    result = allocate_by_minimisation({"sex": "F"}, history=[], ratio={"A": 2, "B": 1}, seed=0)
    assert result.imbalance == (("A", 0.5), ("B", 1.0))
    assert result.probabilities == (("A", 0.8), ("B", pytest.approx(0.2)))


@settings(max_examples=40, deadline=None)
@given(levels=st.lists(st.sampled_from(["F", "M"]), min_size=1, max_size=40),
       seed=st.integers(0, 2**32))
def test_deterministic_minimisation_on_one_factor_keeps_each_level_within_one(
    levels: list[str], seed: int
) -> None:
    history: list[tuple[dict[str, object], str]] = []
    for level in levels:
        arm = allocate_by_minimisation(
            {"sex": level}, history=history, ratio={"A": 1, "B": 1}, seed=seed, p_best=1.0
        ).arm_id
        history.append(({"sex": level}, arm))
        for lv in ("F", "M"):
            arms = [a for f, a in history if f["sex"] == lv]
            assert abs(arms.count("A") - arms.count("B")) <= 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p_best": 0.0}, "'p_best' must be in"),
        ({"history": [({"sex": "F"}, "C")]}, "unknown arm 'C'"),
        ({"history": [({}, "A")]}, "lacks factor"),
        ({"weights": {}}, "'weights' lacks"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"history": [], "ratio": {"A": 1, "B": 1}, "seed": 0}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        allocate_by_minimisation({"sex": "F"}, **args)  # type: ignore[arg-type]
