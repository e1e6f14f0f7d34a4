"""A'Hern exact single-stage designs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.design.single_stage import compute_ahern_design
from abscopal.errors import InputError

# Expected values produced by R 4 here with an independent exact-binomial search (A'Hern 2001's
# definition: smallest n with some r such that P(X >= r | p0) <= alpha, P(X >= r | p1) >= 1-beta):
# ahern <- function(p0, p1, alpha, beta) for (n in 1:500) { r <- 0:(n + 1)
#   rr <- r[pbinom(r - 1, n, p0, lower.tail = FALSE) <= alpha][1]
#   if (pbinom(rr - 1, n, p1, lower.tail = FALSE) >= 1 - beta) return(c(n, rr, ...)) }
# A'Hern (2001, Stat Med 20:859-866) Table 1 itself was not available here, so these golden
# values come from that independent R search, not from the paper. rtol for the probabilities: 1e-7.
AHERN = [
    # p0    p1    alpha beta    n   r   exact alpha   exact power
    (0.05, 0.20, 0.05, 0.20,   27,  4, 0.043735945, 0.817716654),
    (0.10, 0.30, 0.05, 0.20,   25,  6, 0.033399945, 0.806511558),
    (0.20, 0.40, 0.05, 0.20,   35, 12, 0.034357401, 0.804825497),
    (0.10, 0.25, 0.05, 0.10,   55, 10, 0.044416714, 0.911187367),
    (0.30, 0.50, 0.05, 0.10,   53, 22, 0.049491515, 0.915511089),
    (0.05, 0.15, 0.05, 0.20,   52,  6, 0.044535573, 0.811894339),
]


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "n", "r", "a", "pw"), AHERN)
def test_ahern_design_matches_exact_binomial_search_in_r(
    p0: float, p1: float, alpha: float, beta: float, n: int, r: int, a: float, pw: float
) -> None:
    d = compute_ahern_design(p0, p1, alpha=alpha, beta=beta)
    assert (d.n, d.r) == (n, r)
    assert d.alpha_ == pytest.approx(a, rel=1e-7)
    assert d.power_ == pytest.approx(pw, rel=1e-7)


def test_stable_convention_is_never_smaller() -> None:
    first = compute_ahern_design(0.2, 0.4, alpha=0.05, beta=0.2)
    stable = compute_ahern_design(0.2, 0.4, alpha=0.05, beta=0.2, convention="stable", nmax=150)
    assert stable.n >= first.n
    assert stable.convention == "stable"


def test_no_design_below_nmax_says_to_increase_it() -> None:
    with pytest.raises(InputError, match="increase 'nmax'"):
        compute_ahern_design(0.1, 0.15, alpha=0.05, beta=0.1, nmax=30)


@settings(max_examples=20, deadline=None)
@given(
    p0=st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.5]),
    delta=st.sampled_from([0.1, 0.15, 0.2]),
    extra=st.sampled_from([0.05, 0.1]),
)
def test_sample_size_non_increasing_in_effect_size(p0: float, delta: float, extra: float) -> None:
    small = compute_ahern_design(p0, p0 + delta, alpha=0.05, beta=0.2)
    large = compute_ahern_design(p0, p0 + delta + extra, alpha=0.05, beta=0.2)
    assert large.n <= small.n
    assert small.alpha_ <= 0.05 and small.power_ >= 0.8
