"""Balance simulation before go-live: how unbalanced can the arms get under a scheme?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from abscopal.errors import InputError
from abscopal.randomisation._rng import SeedLike, make_rng
from abscopal.randomisation.blocks import draw_blocks
from abscopal.randomisation.minimisation import (
    allocation_probabilities,
    draw_index,
    imbalance_scores,
)
from abscopal.randomisation.ratio import check_ratio

Method = Literal["permuted_blocks", "minimisation", "simple"]
METHODS: tuple[Method, ...] = ("permuted_blocks", "minimisation", "simple")


@dataclass(frozen=True)
class BalanceSummary:
    """Imbalance statistics over ``n_trials`` simulated trials of ``n`` participants.

    Imbalance is the range of ratio-scaled arm counts, ``max_a(n_a / w_a) - min_a(n_a / w_a)``
    (for 1:1 simply ``|n_A - n_B|``).

    Attributes
    ----------
    mean_total_imbalance, p95_total_imbalance, max_total_imbalance : float
        Over the whole trial.
    mean_max_stratum_imbalance : float
        Mean over trials of the largest imbalance within any stratum (0 when unstratified).
    mean_max_marginal_imbalance : float
        Mean over trials of the largest imbalance within any level of any single factor.
    p_total_imbalance_over : tuple of (threshold, probability)
        Share of trials whose total imbalance exceeds each threshold.
    mean_arm_counts : tuple of (arm_id, float)
    """

    method: Method
    n: int
    n_trials: int
    ratio: tuple[tuple[str, int], ...]
    factors: tuple[str, ...]
    seed: int | None
    mean_total_imbalance: float
    p95_total_imbalance: float
    max_total_imbalance: float
    mean_max_stratum_imbalance: float
    mean_max_marginal_imbalance: float
    p_total_imbalance_over: tuple[tuple[int, float], ...]
    mean_arm_counts: tuple[tuple[str, float], ...]


def _imbalance(counts: np.ndarray, weights: np.ndarray) -> float:
    scaled = counts / weights
    return float(scaled.max() - scaled.min())


def simulate_balance(
    ratio: Mapping[str, int],
    *,
    n: int,
    seed: SeedLike,
    method: Method = "permuted_blocks",
    n_trials: int = 1000,
    factor_levels: Mapping[str, Sequence[object]] | None = None,
    stratify: bool = True,
    block_multipliers: Sequence[int] = (1, 2),
    p_best: float = 0.8,
    thresholds: Sequence[int] = (2, 4, 6),
) -> BalanceSummary:
    """Simulate ``n_trials`` trials of ``n`` participants and summarise arm imbalance.

    Parameters
    ----------
    ratio : mapping of arm id to positive int
    n : int
        Participants per simulated trial (>= 1).
    seed : int or numpy.random.Generator
        Same seed, same summary.
    method : {"permuted_blocks", "minimisation", "simple"}
        ``simple`` is unrestricted randomisation (a baseline).
    factor_levels : mapping of factor to levels, optional
        Prognostic factors; each simulated participant draws each factor's level uniformly.
        Permuted blocks stratify on their cross-classification when ``stratify``; minimisation
        balances their margins.
    block_multipliers, p_best
        Passed to the schemes (see ``generate_permuted_blocks``, ``allocate_by_minimisation``).
    thresholds : sequence of int
        Report the share of trials with total imbalance above each.

    Rules
    -----
    1. Participants arrive one at a time with independently drawn factor levels.
    2. Permuted blocks: one pre-generated sequence per trial and stratum, consumed in order.
    3. Simple randomisation: each participant independently, with probabilities proportional to
       the weights.
    """
    weights_map = check_ratio(ratio)
    if method not in METHODS:
        raise InputError(f"'method' must be one of {list(METHODS)} (got {method!r})")
    if not isinstance(n, int) or n < 1:
        raise InputError(f"'n' must be a positive int (got {n!r})")
    if not isinstance(n_trials, int) or n_trials < 1:
        raise InputError(f"'n_trials' must be a positive int (got {n_trials!r})")
    levels = dict(factor_levels or {})
    for factor, values in levels.items():
        if len(values) < 1:
            raise InputError(f"factor {factor!r} needs at least one level")
    rng = make_rng(seed)
    arms = list(weights_map)
    w = np.asarray([weights_map[a] for a in arms], dtype=float)
    factors = list(levels)
    n_levels = [len(levels[f]) for f in factors]
    stratified = stratify and method == "permuted_blocks" and bool(factors)

    totals = np.empty(n_trials)
    max_stratum = np.zeros(n_trials)
    max_marginal = np.zeros(n_trials)
    arm_counts = np.zeros(len(arms))
    for t in range(n_trials):
        # people[i, j]: level index of factor j for participant i
        people = np.column_stack(
            [rng.integers(k, size=n) for k in n_levels]
        ) if factors else np.zeros((n, 0), dtype=int)
        strata_ids = _strata_ids(people, n_levels) if stratified else np.zeros(n, dtype=int)
        if method == "simple":
            index = rng.choice(len(arms), size=n, p=w / w.sum())
        elif method == "permuted_blocks":
            index = _blocks_trial(strata_ids, weights_map, arms, block_multipliers, rng)
        else:
            index = _minimisation_trial(people, n_levels, w, p_best, rng)
        counts = np.bincount(index, minlength=len(arms)).astype(float)
        arm_counts += counts
        totals[t] = _imbalance(counts, w)
        if stratified:
            max_stratum[t] = max(
                _imbalance(np.bincount(index[strata_ids == s], minlength=len(arms)).astype(float), w)
                for s in np.unique(strata_ids)
            )
        if factors:
            max_marginal[t] = max(
                _imbalance(np.bincount(index[people[:, j] == level], minlength=len(arms))
                           .astype(float), w)
                for j, k in enumerate(n_levels) for level in range(k)
            )
    return BalanceSummary(
        method=method,
        n=n,
        n_trials=n_trials,
        ratio=tuple(weights_map.items()),
        factors=tuple(factors),
        seed=seed if isinstance(seed, int) else None,
        mean_total_imbalance=float(totals.mean()),
        p95_total_imbalance=float(np.quantile(totals, 0.95)),
        max_total_imbalance=float(totals.max()),
        mean_max_stratum_imbalance=float(max_stratum.mean()),
        mean_max_marginal_imbalance=float(max_marginal.mean()),
        p_total_imbalance_over=tuple((k, float((totals > k).mean())) for k in thresholds),
        mean_arm_counts=tuple(
            (a, float(c / n_trials)) for a, c in zip(arms, arm_counts, strict=True)
        ),
    )


def _strata_ids(people: np.ndarray, n_levels: list[int]) -> np.ndarray:
    ids = np.zeros(len(people), dtype=int)
    for j, k in enumerate(n_levels):
        ids = ids * k + people[:, j]
    return ids


def _blocks_trial(
    strata_ids: np.ndarray,
    weights_map: dict[str, int],
    arms: list[str],
    block_multipliers: Sequence[int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Permuted blocks per stratum, consumed in arrival order (same rule as the sequence)."""
    index = np.empty(len(strata_ids), dtype=int)
    position = {a: i for i, a in enumerate(arms)}
    for s in np.unique(strata_ids):
        members = np.flatnonzero(strata_ids == s)
        blocks = draw_blocks(weights_map, len(members), tuple(block_multipliers), rng)
        flat = [position[a] for block in blocks for a in block]
        index[members] = flat[: len(members)]
    return index


def _minimisation_trial(
    people: np.ndarray, n_levels: list[int], w: np.ndarray, p_best: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Sequential minimisation with running counts (same rule as ``allocate_by_minimisation``)."""
    n_arms = len(w)
    weights = [float(x) for x in w]
    counts = [[[0] * n_arms for _ in range(k)] for k in n_levels]
    ones = [1.0] * len(n_levels)
    index = np.empty(len(people), dtype=int)
    for i, row in enumerate(people.tolist()):
        level_counts = [counts[j][level] for j, level in enumerate(row)]
        probs = allocation_probabilities(imbalance_scores(level_counts, weights, ones), weights,
                                         p_best)
        arm = draw_index(probs, rng)
        index[i] = arm
        for j, level in enumerate(row):
            counts[j][level][arm] += 1
    return index
