"""Simon two-stage designs: golden values from Simon (1989), an independent brute force, properties."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from abscopal.design.simon import (
    classify_simon_final,
    classify_simon_stage1,
    compute_simon_characteristics,
    compute_simon_designs,
)
from abscopal.errors import InputError

# Simon R. Optimal two-stage designs for phase II clinical trials. Controlled Clinical Trials
# 1989;10:1-10, Table 1 (p1 - p0 = 0.20). Columns: p0, p1, alpha, beta, then for the optimal and
# the minimax design r1/n1, r/n, EN(p0) (1 decimal) and PET(p0) (2 decimals). The designs are the
# paper's; EN(p0) and PET(p0) were recomputed for each design with R here (independently of
# abscopal) and rounded to the paper's precision:
#   pet <- pbinom(r1, n1, p0); en0 <- n1 + (1 - pet) * (n - n1)
SIMON_1989_TABLE_1 = [
    # p0    p1    alpha beta   optimal: r1 n1 r  n  EN0   PET0   minimax: r1 n1 r  n  EN0   PET0
    (0.05, 0.25, 0.10, 0.10,  (0,  9,  2, 24, 14.5, 0.63),  (0, 13,  2, 20, 16.4, 0.51)),
    (0.05, 0.25, 0.05, 0.20,  (0,  9,  2, 17, 12.0, 0.63),  (0, 12,  2, 16, 13.8, 0.54)),
    (0.05, 0.25, 0.05, 0.10,  (0,  9,  3, 30, 16.8, 0.63),  (0, 15,  3, 25, 20.4, 0.46)),
    (0.10, 0.30, 0.10, 0.10,  (1, 12,  5, 35, 19.8, 0.66),  (1, 16,  4, 25, 20.4, 0.51)),
    (0.10, 0.30, 0.05, 0.20,  (1, 10,  5, 29, 15.0, 0.74),  (1, 15,  5, 25, 19.5, 0.55)),
    (0.10, 0.30, 0.05, 0.10,  (2, 18,  6, 35, 22.5, 0.73),  (2, 22,  6, 33, 26.2, 0.62)),
    (0.20, 0.40, 0.10, 0.10,  (3, 17, 10, 37, 26.0, 0.55),  (3, 19, 10, 36, 28.3, 0.46)),
    (0.20, 0.40, 0.05, 0.20,  (3, 13, 12, 43, 20.6, 0.75),  (4, 18, 10, 33, 22.3, 0.72)),
    (0.20, 0.40, 0.05, 0.10,  (4, 19, 15, 54, 30.4, 0.67),  (5, 24, 13, 45, 31.2, 0.66)),
    (0.30, 0.50, 0.10, 0.10,  (7, 22, 17, 46, 29.9, 0.67),  (7, 28, 15, 39, 35.0, 0.36)),
    (0.30, 0.50, 0.05, 0.20,  (5, 15, 18, 46, 23.6, 0.72),  (6, 19, 16, 39, 25.7, 0.67)),
    (0.30, 0.50, 0.05, 0.10,  (8, 24, 24, 63, 34.7, 0.73),  (7, 24, 21, 53, 36.6, 0.56)),
    (0.40, 0.60, 0.05, 0.20,  (7, 16, 23, 46, 24.5, 0.72),  (17, 34, 20, 39, 34.4, 0.91)),
]


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "optimal", "minimax"), SIMON_1989_TABLE_1)
def test_simon_designs_match_simon_1989_table_1(
    p0: float, p1: float, alpha: float, beta: float,
    optimal: tuple[int, int, int, int, float, float],
    minimax: tuple[int, int, int, int, float, float],
) -> None:
    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=100)
    for design, expected in ((res.optimal, optimal), (res.minimax, minimax)):
        r1, n1, r, n, en0, pet0 = expected
        assert (design.r1, design.n1, design.r, design.n) == (r1, n1, r, n)
        assert round(design.en0_, 1) == en0
        assert round(design.pet0_, 2) == pet0
        assert design.alpha_ <= alpha and design.power_ >= 1 - beta


def test_optimal_design_characteristics_to_four_decimals() -> None:
    # 1/10, 5/29 for p0 0.1, p1 0.3; exact figures produced by R 4 here (rtol 1e-9):
    # x1 <- 2:10; sum(dbinom(x1, 10, p) * pbinom(5 - x1, 19, p, lower.tail = FALSE))
    #   p = 0.1 -> 0.04708630664;  p = 0.3 -> 0.8050629132
    # pbinom(1, 10, 0.1) -> 0.7360989291
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    assert d.alpha_ == pytest.approx(0.04708630664, rel=1e-9)
    assert d.power_ == pytest.approx(0.8050629132, rel=1e-9)
    assert d.pet0_ == pytest.approx(0.7360989291, rel=1e-9)
    assert d.en0_ == pytest.approx(10 + (1 - 0.7360989291) * 19, rel=1e-9)


def _brute_force(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> dict[int, tuple]:
    """Per-n minimum-EN0 design by plain loops over every (n1, r1, r): an independent route."""
    def pmf(m: int, p: float) -> list[float]:
        return [math.comb(m, x) * p**x * (1 - p) ** (m - x) for x in range(m + 1)]

    def sf(m: int, p: float) -> list[float]:  # sf[k] = P(Bin(m, p) > k), k = 0..m
        b = pmf(m, p)
        return [sum(b[k + 1 :]) for k in range(m + 1)]

    tails = {(m, p): sf(m, p) for m in range(nmax + 1) for p in (p0, p1)}

    def tail(m: int, k: int, p: float) -> float:
        return 1.0 if k < 0 else tails[(m, p)][min(k, m)]

    best: dict[int, tuple] = {}
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            b0, b1 = pmf(n1, p0), pmf(n1, p1)
            for r1 in range(0, n1):
                pet0 = sum(b0[: r1 + 1])
                en0 = n1 + (1 - pet0) * n2
                for r in range(r1 + 1, n):
                    a0 = sum(b0[x] * tail(n2, r - x, p0) for x in range(r1 + 1, n1 + 1))
                    if a0 > alpha + 1e-12:
                        continue
                    a1 = sum(b1[x] * tail(n2, r - x, p1) for x in range(r1 + 1, n1 + 1))
                    if a1 >= 1 - beta - 1e-12:
                        if n not in best or en0 < best[n][4] - 1e-12:
                            best[n] = (r1, n1, r, n, en0)
                        break  # smallest feasible r for this (n1, r1)
    return best


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "nmax"),
    [(0.05, 0.25, 0.05, 0.20, 22), (0.20, 0.50, 0.10, 0.20, 20)],
)
def test_search_agrees_with_brute_force_enumeration(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> None:
    brute = _brute_force(p0, p1, alpha, beta, nmax)
    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    n_minimax = min(brute)
    n_optimal = min(brute, key=lambda n: (brute[n][4], n))
    assert (res.minimax.r1, res.minimax.n1, res.minimax.r, res.minimax.n) == brute[n_minimax][:4]
    assert (res.optimal.r1, res.optimal.n1, res.optimal.r, res.optimal.n) == brute[n_optimal][:4]
    # every frontier design is the brute-force best at its n
    for d in res.frontier:
        assert (d.r1, d.n1, d.r, d.n) == brute[d.n][:4]


def test_admissible_designs_span_q_from_one_to_zero() -> None:
    res = compute_simon_designs(0.1, 0.3, alpha=0.05, beta=0.2)
    assert res.admissible[0].q_range is not None and res.admissible[0].q_range[1] == 1.0
    assert res.admissible[-1].q_range is not None and res.admissible[-1].q_range[0] == 0.0
    for a, b in pairwise(res.admissible):
        assert a.q_range is not None and b.q_range is not None
        assert a.q_range[0] == pytest.approx(b.q_range[1])


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "nmax"), [(0.05, 0.25, 0.05, 0.10, 32)])
def test_admissible_designs_minimise_the_jung_risk_over_brute_force_designs(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> None:
    # Jung et al. (2004): a design is admissible iff it minimises q n + (1 - q) EN0 for some q.
    brute = _brute_force(p0, p1, alpha, beta, nmax)
    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    assert len(res.admissible) >= 3  # minimax, at least one in between, optimal
    for d in res.admissible:
        assert d.q_range is not None
        q = sum(d.q_range) / 2
        risks = {n: q * n + (1 - q) * b[4] for n, b in brute.items()}
        assert q * d.n + (1 - q) * d.en0_ == pytest.approx(min(risks.values()), abs=1e-9)


def test_strict_constraints_never_accept_equality() -> None:
    res = compute_simon_designs(0.2, 0.4, alpha=0.1, beta=0.1, allow_equality=False)
    assert res.optimal.alpha_ < 0.1 and res.optimal.power_ > 0.9


@pytest.mark.parametrize(
    ("responses", "expected"), [(0, "stop_for_futility"), (1, "stop_for_futility"),
                                (2, "continue_to_stage_2"), (10, "continue_to_stage_2")],
)
def test_stage1_decision_stops_at_or_below_r1(responses: int, expected: str) -> None:
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    assert classify_simon_stage1(responses, design=d).decision == expected


@pytest.mark.parametrize(
    ("responses", "expected"), [(5, "not_promising"), (6, "promising"), (29, "promising")]
)
def test_final_decision_needs_more_than_r(responses: int, expected: str) -> None:
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    assert classify_simon_final(responses, design=d).decision == expected


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"p0": 0.3, "p1": 0.1}, "'p1' must be greater than 'p0'"),
        ({"p0": 0.0, "p1": 0.3}, "'p0' must be strictly between 0 and 1"),
        ({"p0": 0.1, "p1": 0.3, "alpha": 1.5}, "'alpha'"),
        ({"p0": 0.1, "p1": 0.3, "nmax": 10}, "increase 'nmax'"),
        ({"p0": 0.1, "p1": 0.3, "nmax": 5000}, "'nmax' must be an integer between 2 and 1000"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, fragment: str) -> None:
    args = {"alpha": 0.05, "beta": 0.2, **kwargs}
    with pytest.raises(InputError, match=fragment):
        compute_simon_designs(args.pop("p0"), args.pop("p1"), **args)


def test_decision_rejects_impossible_counts() -> None:
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    with pytest.raises(InputError, match="'responses' must be an integer between 0 and 10"):
        classify_simon_stage1(11, design=d)


@settings(max_examples=25, deadline=None)
@given(
    p0=st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]),
    delta=st.sampled_from([0.15, 0.2, 0.25, 0.3]),
    alpha=st.sampled_from([0.05, 0.1]),
    beta=st.sampled_from([0.1, 0.2]),
)
def test_designs_meet_alpha_and_power(p0: float, delta: float, alpha: float, beta: float) -> None:
    p1 = p0 + delta
    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=120)
    for d in (res.optimal, res.minimax, *res.admissible):
        x1 = range(d.r1 + 1, d.n1 + 1)
        a0 = sum(stats.binom.pmf(x, d.n1, p0) * stats.binom.sf(d.r - x, d.n2, p0) for x in x1)
        a1 = sum(stats.binom.pmf(x, d.n1, p1) * stats.binom.sf(d.r - x, d.n2, p1) for x in x1)
        assert a0 <= alpha + 1e-12
        assert a1 >= 1 - beta - 1e-12
    assert res.minimax.n <= res.optimal.n
    assert res.optimal.en0_ <= res.minimax.en0_ + 1e-12


@settings(max_examples=15, deadline=None)
@given(
    p0=st.sampled_from([0.05, 0.1, 0.2, 0.3]),
    delta=st.sampled_from([0.15, 0.2, 0.25]),
    extra=st.sampled_from([0.05, 0.1]),
)
def test_sample_size_non_increasing_in_effect_size(p0: float, delta: float, extra: float) -> None:
    small = compute_simon_designs(p0, p0 + delta, alpha=0.05, beta=0.2, nmax=150)
    large = compute_simon_designs(p0, p0 + delta + extra, alpha=0.05, beta=0.2, nmax=150)
    assert large.minimax.n <= small.minimax.n
    assert large.optimal.en0_ <= small.optimal.en0_ + 1e-12
