"""Balance simulation: reproducible, and restricted schemes beat simple randomisation."""

from __future__ import annotations

import pytest

from abscopal.errors import InputError
from abscopal.randomisation import simulate_balance

RATIO = {"sbrt_atra": 1, "sbrt_alone": 1}
LEVELS = {"ecog": [0, 1], "liver_metastases": [False, True]}


def test_same_seed_same_summary() -> None:
    a = simulate_balance(RATIO, n=52, seed=5, n_trials=50, factor_levels=LEVELS)
    b = simulate_balance(RATIO, n=52, seed=5, n_trials=50, factor_levels=LEVELS)
    assert a == b


def test_unstratified_blocks_of_two_never_exceed_one() -> None:
    # Blocks of exactly 2 (multiplier 1): after any n, |nA - nB| <= 1.
    s = simulate_balance(RATIO, n=51, seed=1, n_trials=100, block_multipliers=(1,))
    assert s.max_total_imbalance == 1.0
    assert s.mean_total_imbalance == 1.0  # n is odd: always exactly one apart


def test_restricted_schemes_are_better_balanced_than_simple() -> None:
    simple = simulate_balance(RATIO, n=52, seed=2, n_trials=200, method="simple",
                              factor_levels=LEVELS)
    blocks = simulate_balance(RATIO, n=52, seed=2, n_trials=200, factor_levels=LEVELS)
    mini = simulate_balance(RATIO, n=52, seed=2, n_trials=200, method="minimisation",
                            factor_levels=LEVELS)
    # Simple randomisation: E|nA - nB| ~ sqrt(2 n / pi) = 5.75 for n = 52.
    assert 4.5 < simple.mean_total_imbalance < 7.0
    assert blocks.mean_total_imbalance < 2.5
    assert mini.mean_total_imbalance < 2.5
    assert mini.mean_max_marginal_imbalance < simple.mean_max_marginal_imbalance


def test_two_to_one_mean_counts_follow_the_ratio() -> None:
    s = simulate_balance({"a": 2, "b": 1}, n=60, seed=3, n_trials=50, block_multipliers=(1, 2))
    counts = dict(s.mean_arm_counts)
    assert counts["a"] == pytest.approx(40, abs=2)
    assert counts["b"] == pytest.approx(20, abs=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "urn"}, "'method' must be one of"),
        ({"n": 0}, "'n' must be a positive int"),
        ({"n_trials": 0}, "'n_trials' must be a positive int"),
        ({"factor_levels": {"ecog": []}}, "needs at least one level"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"n": 10, "seed": 0, "n_trials": 2}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        simulate_balance(RATIO, **args)  # type: ignore[arg-type]
