"""Log-rank test: golden values from R survival 3.5.3 (tools/gen_analysis_golden.R), lifelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.analysis.logrank import compute_logrank_test
from abscopal.errors import InputError

RTOL = 1e-10


def test_two_groups_match_r_survdiff(lung: pd.DataFrame) -> None:
    # R: survdiff(Surv(time, status) ~ sex, data = lung)
    #    obs 112 53; exp 91.5817390295728 73.4182609704272; chisq 10.3267419548856
    #    p = 1 - pchisq(chisq, 1) = 0.00131116452035551
    r = compute_logrank_test(lung.time, lung.event, lung.sex)
    assert r.groups == ("1", "2")
    assert r.observed_ == (112.0, 53.0)
    np.testing.assert_allclose(r.expected_, [91.5817390295728, 73.4182609704272], rtol=RTOL)
    assert r.chi2_ == pytest.approx(10.3267419548856, rel=RTOL)
    assert r.df == 1
    assert r.p_value_ == pytest.approx(0.00131116452035551, rel=1e-9)


def test_four_groups_match_r_survdiff(lung: pd.DataFrame) -> None:
    # R: survdiff(Surv(time, status) ~ ph.ecog, data = lung)   (1 row with NA ph.ecog dropped)
    #    chisq 21.962131682476, df 3, p 6.64253535580528e-05
    d = lung.dropna(subset=["ph.ecog"])
    r = compute_logrank_test(d.time, d.event, d["ph.ecog"])
    assert r.chi2_ == pytest.approx(21.962131682476, rel=RTOL)
    assert r.df == 3
    assert r.p_value_ == pytest.approx(6.64253535580528e-05, rel=1e-8)


def test_summary_reads_o_and_e(lung: pd.DataFrame) -> None:
    r = compute_logrank_test(lung.time, lung.event, lung.sex)
    assert r.summary == (
        "log-rank chi2 = 10.327 on 1 df, p = 0.001311; 1: O=112 E=91.6 (n=138), "
        "2: O=53 E=73.4 (n=90)"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.booleans(), st.booleans()), min_size=4,
             max_size=60)
)
def test_agrees_with_lifelines(rows: list[tuple[int, bool, bool]]) -> None:
    from lifelines.statistics import logrank_test

    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows])
    g = np.array([r[2] for r in rows])
    if g.all() or not g.any() or not e.any():
        return
    ours = compute_logrank_test(t, e, g)
    theirs = logrank_test(t[g], t[~g], e[g], e[~g])
    if np.isfinite(theirs.test_statistic):
        assert ours.chi2_ == pytest.approx(theirs.test_statistic, rel=1e-8, abs=1e-10)
    assert sum(ours.observed_) == pytest.approx(sum(ours.expected_))


class TestInvalidInputs:
    def test_one_group(self) -> None:
        with pytest.raises(InputError, match="at least 2 distinct values"):
            compute_logrank_test([1, 2], [1, 1], ["a", "a"])

    def test_no_events(self) -> None:
        with pytest.raises(InputError, match="no events"):
            compute_logrank_test([1, 2], [0, 0], ["a", "b"])

    def test_group_length(self) -> None:
        with pytest.raises(InputError, match="'group' must have the same length"):
            compute_logrank_test([1, 2], [1, 1], ["a"])
