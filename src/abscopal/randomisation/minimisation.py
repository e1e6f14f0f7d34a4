"""Pocock–Simon minimisation: allocate to the arm that least increases marginal imbalance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from abscopal.errors import InputError
from abscopal.randomisation._rng import SeedLike, make_rng
from abscopal.randomisation.ratio import check_ratio

MINIMISATION_VERSION = "pocock_simon/1"
_TOL = 1e-9


def imbalance_scores(
    level_counts: Sequence[Sequence[int]], w: Sequence[float], factor_weights: Sequence[float]
) -> list[float]:
    """``G_a`` for each arm ``a`` given, per factor, the arm counts at the participant's level."""
    scores = []
    for a in range(len(w)):
        total = 0.0
        for counts, fw in zip(level_counts, factor_weights, strict=True):
            scaled = [(c + (1 if b == a else 0)) / w[b] for b, c in enumerate(counts)]
            total += fw * (max(scaled) - min(scaled))
        scores.append(total)
    return scores


def allocation_probabilities(scores: Sequence[float], w: Sequence[float], p_best: float) -> list[float]:
    """Rule 3 of ``allocate_by_minimisation``: probabilities from the imbalance scores."""
    best = min(scores)
    tied = [s - best <= _TOL for s in scores]
    n_others = tied.count(False)
    tie_total = sum(wi for wi, t in zip(w, tied, strict=True) if t)
    share = 1.0 if n_others == 0 else p_best
    return [
        share * wi / tie_total if t else (1.0 - p_best) / n_others
        for wi, t in zip(w, tied, strict=True)
    ]


def draw_index(probabilities: Sequence[float], rng: np.random.Generator) -> int:
    """Index drawn with the given probabilities from one uniform variate."""
    u = float(rng.random())
    cumulative = 0.0
    for index, p in enumerate(probabilities):
        cumulative += p
        if u < cumulative:
            return index
    return max(i for i, p in enumerate(probabilities) if p > 0)


@dataclass(frozen=True)
class MinimisationResult:
    """The arm chosen for one participant, with the scores that led to it.

    Attributes
    ----------
    arm_id : str
        The allocated arm.
    imbalance : tuple of (arm_id, float)
        Total weighted imbalance ``G`` if the participant joined each arm.
    probabilities : tuple of (arm_id, float)
        The allocation probability each arm had.
    reasons : tuple of str
        Plain-language account (for the audit trail).
    rule_version : str
    """

    arm_id: str
    imbalance: tuple[tuple[str, float], ...]
    probabilities: tuple[tuple[str, float], ...]
    reasons: tuple[str, ...]
    rule_version: str = MINIMISATION_VERSION


def allocate_by_minimisation(
    factors: Mapping[str, object],
    *,
    history: Sequence[tuple[Mapping[str, object], str]],
    ratio: Mapping[str, int],
    seed: SeedLike,
    weights: Mapping[str, float] | None = None,
    p_best: float = 0.8,
) -> MinimisationResult:
    """Allocate one participant by Pocock–Simon minimisation.

    Parameters
    ----------
    factors : mapping
        The participant's prognostic factor levels, e.g. ``{"ecog": 1, "liver_metastases": True}``.
    history : sequence of (factors, arm_id)
        Everyone allocated so far (same factor names).
    ratio : mapping of arm id to positive int
        Target allocation weights; counts are divided by the weight before comparing, so 2:1
        targets are balanced in proportion.
    seed : int or numpy.random.Generator
    weights : mapping of factor to float, optional
        Factor weights ``w_f`` (default 1 each).
    p_best : float
        Probability of the arm with the smallest imbalance, in (0, 1]; the rest share
        ``1 - p_best`` equally. 1 gives deterministic minimisation (Taves 1974).

    Returns
    -------
    MinimisationResult

    Rules
    -----
    1. For each candidate arm ``a``, add the participant to ``a`` hypothetically; for each factor
       ``f`` take the counts of arms among earlier participants with the same level of ``f``,
       divided by the arm's weight; the factor's imbalance is the range (max - min) of these.
    2. ``G_a = sum_f w_f * range_f`` (Pocock & Simon 1975, Biometrics 31:103, range measure).
    3. A unique minimum ``G`` gets probability ``p_best``; tied minima share ``p_best`` in
       proportion to their weights; the remaining arms share ``1 - p_best`` equally. When every
       arm ties (e.g. the first participant under 1:1) probabilities are proportional to the
       weights.
    """
    arm_weights = check_ratio(ratio)
    if not 0 < p_best <= 1:
        raise InputError(f"'p_best' must be in (0, 1] (got {p_best!r})")
    names = list(factors)
    factor_weights = {f: 1.0 for f in names} if weights is None else dict(weights)
    unknown = [f for f in names if f not in factor_weights]
    if unknown:
        raise InputError(f"'weights' lacks factor(s) {unknown}")
    for index, (past, arm) in enumerate(history):
        if arm not in arm_weights:
            raise InputError(f"history[{index}] names unknown arm {arm!r} (known: {list(arm_weights)})")
        missing = [f for f in names if f not in past]
        if missing:
            raise InputError(f"history[{index}] lacks factor(s) {missing}")
    arms = list(arm_weights)
    counts = {f: dict.fromkeys(arms, 0) for f in names}
    for past, arm in history:
        for f in names:
            if past[f] == factors[f]:
                counts[f][arm] += 1
    w = [float(arm_weights[a]) for a in arms]
    score_list = imbalance_scores(
        [[counts[f][a] for a in arms] for f in names], w, [factor_weights[f] for f in names]
    )
    prob_list = allocation_probabilities(score_list, w, p_best)
    rng = make_rng(seed)
    chosen = arms[draw_index(prob_list, rng)]
    scores = dict(zip(arms, score_list, strict=True))
    probs = dict(zip(arms, prob_list, strict=True))
    best = min(score_list)
    tied = [a for a in arms if scores[a] - best <= _TOL]
    reasons = (
        "imbalance if allocated: " + ", ".join(f"{a}={scores[a]:g}" for a in arms),
        f"minimum {best:g} at {', '.join(tied)}; probabilities "
        + ", ".join(f"{a}={probs[a]:.3f}" for a in arms),
    )
    return MinimisationResult(
        arm_id=chosen,
        imbalance=tuple((a, scores[a]) for a in arms),
        probabilities=tuple((a, probs[a]) for a in arms),
        reasons=reasons,
    )
