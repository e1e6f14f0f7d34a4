"""Cox model: golden values from R survival 3.5.3 coxph (tools/gen_analysis_golden.R), lifelines."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.analysis.cox import compute_cox_ph
from abscopal.errors import InputError, StatisticalWarning

RTOL = 1e-6  # the agreement required with R; the observed agreement is ~1e-9 or better

# R: coxph(Surv(time, status) ~ age + sex, data = lung, ties = ties)
#    coef / se / exp(confint) / loglik / summary()$logtest, waldtest, sctest
LUNG_AGE_SEX = {
    "efron": {
        "coef": [0.0170453318454113, -0.5132185171083844],
        "se": [0.00922327347696912, 0.16745796235576815],
        "lower": [0.998968580290331, 0.431093578804223],
        "upper": [1.03574669979965, 0.83109851437396],
        "loglik": [-749.909801390395, -742.84824578377],
        "logtest": 14.1231112132486,
        "waldtest": 13.47,  # R prints this one rounded to 2 decimals
        "sctest": 13.7223214895153,
    },
    "breslow": {
        "coef": [0.0170128891984432, -0.5125647915187186],
        "se": [0.00922195368490265, 0.16746206314235360],
        "lower": [0.998938755627469, 0.431372020722934],
        "upper": [1.035710418858064, 0.831648686628303],
        "loglik": [-750.122018895319, -743.079654197999],
        "logtest": 14.0847293946395,
        "waldtest": 13.44,
        "sctest": 13.6852993783457,
    },
}

# R: coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss, data = lung, ties = ties), n = 213
LUNG_FOUR = {
    "efron": {
        "coef": [0.01336909448756072, -0.59077452923220153, 0.51511108918208481,
                 -0.00900605171180032],
        "se": [0.00962767157428824, 0.17533938597581822, 0.12598827541956081,
               0.00665758506726337],
        "loglik": [-675.024373318332, -659.514098530463],
    },
    "breslow": {
        "coef": [0.01333974273203871, -0.59004901091572093, 0.51403347943093536,
                 -0.00897394863316468],
        "se": [0.00962732154645346, 0.17534763954335547, 0.12597784807884124,
               0.00665687778463374],
        "loglik": [-675.212679467984, -659.754225162479],
    },
}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_age_sex_matches_r_coxph(lung: pd.DataFrame, ties: str) -> None:
    want = LUNG_AGE_SEX[ties]
    r = compute_cox_ph(lung.time, lung.event, lung[["age", "sex"]], ties=ties)
    assert r.names == ("age", "sex")
    np.testing.assert_allclose(r.coef_, want["coef"], rtol=RTOL)
    np.testing.assert_allclose(r.se_, want["se"], rtol=RTOL)
    np.testing.assert_allclose(r.hr_ci_lower_, want["lower"], rtol=RTOL)
    np.testing.assert_allclose(r.hr_ci_upper_, want["upper"], rtol=RTOL)
    np.testing.assert_allclose([r.loglik_null_, r.loglik_], want["loglik"], rtol=1e-10)
    assert r.lr_chi2_ == pytest.approx(want["logtest"], rel=RTOL)
    assert r.wald_chi2_ == pytest.approx(want["waldtest"], abs=0.005)
    assert r.score_chi2_ == pytest.approx(want["sctest"], rel=RTOL)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_four_covariates_match_r_coxph(lung: pd.DataFrame, ties: str) -> None:
    d = lung.dropna(subset=["age", "sex", "ph.ecog", "wt.loss"])
    want = LUNG_FOUR[ties]
    r = compute_cox_ph(d.time, d.event, d[["age", "sex", "ph.ecog", "wt.loss"]], ties=ties)
    assert r.n == 213
    np.testing.assert_allclose(r.coef_, want["coef"], rtol=RTOL)
    np.testing.assert_allclose(r.se_, want["se"], rtol=RTOL)
    np.testing.assert_allclose([r.loglik_null_, r.loglik_], want["loglik"], rtol=1e-10)


def test_matches_lifelines_on_small_tied_data() -> None:
    from lifelines import CoxPHFitter

    rng = np.random.default_rng(7)
    n = 120
    df = pd.DataFrame({
        "time": np.ceil(rng.exponential(10, n)),  # heavy ties
        "event": rng.integers(0, 2, n),
        "arm": rng.integers(0, 2, n),
        "age": rng.normal(60, 8, n),
    })
    cph = CoxPHFitter().fit(df, "time", "event")  # lifelines: Efron ties
    r = compute_cox_ph(df.time, df.event, df[["arm", "age"]])
    np.testing.assert_allclose(r.coef_, cph.params_[["arm", "age"]].to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(r.se_, cph.standard_errors_[["arm", "age"]].to_numpy(), rtol=1e-5)


def test_summary_names_ties_and_ci(lung: pd.DataFrame) -> None:
    r = compute_cox_ph(lung.time, lung.event, lung[["sex"]])
    assert r.summary.splitlines()[0] == "Cox PH (ties=efron), n=228, events=165"
    assert "HR 0.588 (95% CI 0.4237 to 0.816)" in r.summary
    assert r.to_dict()["ties"] == "efron"


def test_no_events_in_one_group_warns_of_monotone_likelihood() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compute_cox_ph([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1],
                       max_iterations=8)
    assert any(issubclass(w.category, StatisticalWarning) for w in caught)


class TestInvalidInputs:
    def test_collinear_covariates(self) -> None:
        x = np.column_stack([[0, 1, 0, 1, 0, 1], [0, 2, 0, 2, 0, 2]])
        with pytest.raises(InputError, match="singular"):
            compute_cox_ph([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], x)

    def test_missing_covariate_names_the_row(self) -> None:
        with pytest.raises(InputError, match=r"'covariates' must be finite \(got nan at row 1"):
            compute_cox_ph([1, 2, 3], [1, 1, 1], [0.0, float("nan"), 1.0])

    def test_text_covariate(self) -> None:
        df = pd.DataFrame({"arm": ["A", "B", "A"]})
        with pytest.raises(InputError, match=r"covariate column\(s\) \['arm'\] must be numeric"):
            compute_cox_ph([1, 2, 3], [1, 1, 1], df)

    def test_unknown_ties(self) -> None:
        with pytest.raises(InputError, match="'ties' must be one of"):
            compute_cox_ph([1, 2, 3], [1, 1, 1], [0, 1, 0], ties="exact")

    def test_no_events(self) -> None:
        with pytest.raises(InputError, match="no events"):
            compute_cox_ph([1, 2, 3], [0, 0, 0], [0, 1, 0])


def test_array_covariates_take_names_or_defaults() -> None:
    t, e = [1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 1]
    x = [0.5, 1.5, 0.2, 2.0, 1.0, 0.1]
    assert compute_cox_ph(t, e, x).names == ("x1",)
    with pytest.raises(InputError, match="'names' must have 1 entries \\(got 2\\)"):
        compute_cox_ph(t, e, x, names=["a", "b"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 100), st.booleans(), st.floats(-2, 2)), min_size=5,
                max_size=40, unique_by=lambda r: r[0]))
def test_efron_equals_breslow_without_ties(rows: list[tuple[float, bool, float]]) -> None:
    t = [r[0] for r in rows]
    e = [r[1] for r in rows]
    x = [r[2] for r in rows]
    if sum(e) < 2 or len(set(x)) < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)  # separable data may not converge
        try:
            a = compute_cox_ph(t, e, x, ties="efron", max_iterations=10)
        except InputError:
            # No spread of x in any event's risk set (e.g. the last two subjects fail with the
            # same x): not estimable, and Breslow must say so too.
            with pytest.raises(InputError, match="singular"):
                compute_cox_ph(t, e, x, ties="breslow", max_iterations=10)
            return
        b = compute_cox_ph(t, e, x, ties="breslow", max_iterations=10)
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-12, abs=1e-12)
    assert a.coef_[0] == pytest.approx(b.coef_[0], rel=1e-9, abs=1e-12)
