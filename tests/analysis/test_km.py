"""Kaplan–Meier: golden values from R survival 3.5.3 on the lung data, lifelines, properties.

Every R value was produced by tools/gen_analysis_golden.R (R 4.2.2, survival 3.5.3); the call is
pasted above each assertion.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.analysis.km import (
    DAYS_PER_MONTH,
    compute_kaplan_meier,
    compute_kaplan_meier_by_group,
    compute_landmark_survival,
)
from abscopal.errors import InputError

RTOL = 1e-12  # same arithmetic as R; only floating-point rounding differs


class TestLungAgainstR:
    # R: quantile(survfit(Surv(time, status) ~ 1, data = lung, conf.type = "log"), 0.5)
    #    quantile 310, lower 285, upper 363
    # R: ... conf.type = "log-log": quantile 310, lower 284, upper 361
    @pytest.mark.parametrize(
        ("conf_type", "median", "lower", "upper"),
        [("log", 310, 285, 363), ("log-log", 310, 284, 361)],
    )
    def test_overall_median_and_ci(self, lung: pd.DataFrame, conf_type: str, median: float,
                                   lower: float, upper: float) -> None:
        km = compute_kaplan_meier(lung.time, lung.event, conf_type=conf_type)
        assert (km.median_, km.median_ci_lower_, km.median_ci_upper_) == (median, lower, upper)
        assert km.conf_type == conf_type
        assert (km.n, km.n_events) == (228, 165)

    # R: quantile(survfit(Surv(time, status) ~ sex, data = lung, conf.type = "log"), 0.5)
    #    sex=1: 270 (212, 310); sex=2: 426 (348, 550)
    # R: ... conf.type = "log-log": sex=1: 270 (210, 306); sex=2: 426 (345, 524)
    @pytest.mark.parametrize(
        ("conf_type", "expected"),
        [
            ("log", [(270, 212, 310), (426, 348, 550)]),
            ("log-log", [(270, 210, 306), (426, 345, 524)]),
        ],
    )
    def test_median_by_sex(self, lung: pd.DataFrame, conf_type: str,
                           expected: list[tuple[float, float, float]]) -> None:
        fits = compute_kaplan_meier_by_group(lung.time, lung.event, lung.sex, conf_type=conf_type)
        assert [f.label for f in fits] == ["1", "2"]
        got = [(f.median_, f.median_ci_lower_, f.median_ci_upper_) for f in fits]
        assert got == expected

    # R: summary(survfit(Surv(time, status) ~ 1, data = lung, conf.type = ct), times = c(180, 365))
    #    time surv              std.err            lower (log)        upper (log)
    #    180  0.721670653409762 0.0298124194686373 0.665542307130596  0.782532569925231
    #    365  0.409241624460064 0.0358236381720378 0.344721581795827  0.485837603547281
    #    log-log lower/upper: 180: 0.658304528445661 0.775314690716979
    #                         365: 0.338714269088323 0.478380767646914
    @pytest.mark.parametrize(
        ("conf_type", "time", "surv", "se", "lower", "upper"),
        [
            ("log", 180, 0.721670653409762, 0.0298124194686373, 0.665542307130596,
             0.782532569925231),
            ("log", 365, 0.409241624460064, 0.0358236381720378, 0.344721581795827,
             0.485837603547281),
            ("log-log", 180, 0.721670653409762, 0.0298124194686373, 0.658304528445661,
             0.775314690716979),
            ("log-log", 365, 0.409241624460064, 0.0358236381720378, 0.338714269088323,
             0.478380767646914),
        ],
    )
    def test_landmark_rates(self, lung: pd.DataFrame, conf_type: str, time: float, surv: float,
                            se: float, lower: float, upper: float) -> None:
        km = compute_kaplan_meier(lung.time, lung.event, conf_type=conf_type)
        lm = compute_landmark_survival(km, time)
        assert lm.survival_ == pytest.approx(surv, rel=RTOL)
        assert lm.std_err_ == pytest.approx(se, rel=1e-10)
        assert lm.ci_lower_ == pytest.approx(lower, rel=1e-10)
        assert lm.ci_upper_ == pytest.approx(upper, rel=1e-10)

    # R: summary(survfit(Surv(time, status) ~ 1, data = lung), times = c(180, 365))$n.risk
    #    160 65
    def test_landmark_numbers_at_risk(self, lung: pd.DataFrame) -> None:
        km = compute_kaplan_meier(lung.time, lung.event)
        assert [km.survival_at(t).n_at_risk_ for t in (180, 365)] == [160, 65]

    # R: summary(survfit(Surv(time, status) ~ sex, data = lung, conf.type = "log-log"),
    #            times = c(180, 365))   (sex=2 rows)
    #    180 0.842401705587783 0.748380916153333 0.903504304284832
    #    365 0.526463030185906 0.403579823266731 0.635316232824086
    def test_landmark_rates_in_a_group(self, lung: pd.DataFrame) -> None:
        female = compute_kaplan_meier_by_group(lung.time, lung.event, lung.sex)[1]
        got = [(lm.survival_, lm.ci_lower_, lm.ci_upper_)
               for lm in (female.survival_at(180), female.survival_at(365))]
        want = [(0.842401705587783, 0.748380916153333, 0.903504304284832),
                (0.526463030185906, 0.403579823266731, 0.635316232824086)]
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_curve_matches_lifelines_and_its_log_log_band(lung: pd.DataFrame) -> None:
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(lung.time, lung.event)
    km = compute_kaplan_meier(lung.time, lung.event, conf_type="log-log")
    ll = kmf.survival_function_.iloc[1:, 0].to_numpy()  # lifelines adds a row at t = 0
    np.testing.assert_allclose(km.survival_, ll, rtol=1e-12)
    band = kmf.confidence_interval_.iloc[1:].to_numpy()
    ok = ~np.isnan(km.ci_lower_)
    np.testing.assert_allclose(km.ci_lower_[ok], band[ok, 0], rtol=1e-9)
    np.testing.assert_allclose(km.ci_upper_[ok], band[ok, 1], rtol=1e-9)


def test_median_on_a_flat_half_is_the_midpoint() -> None:
    # S drops to exactly 0.5 at t = 2 and stays until t = 4: R quantile.survfit gives (2 + 4) / 2.
    # R: quantile(survfit(Surv(c(1, 2, 4, 5), c(1, 1, 1, 1)) ~ 1), 0.5)$quantile  -> 3
    km = compute_kaplan_meier([1, 2, 4, 5], [1, 1, 1, 1])
    assert km.median_ == 3.0


def test_median_not_reached_is_nan_and_reads_na() -> None:
    km = compute_kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isnan(km.median_)
    assert "median NA" in km.summary
    assert km.to_dict()["median"] is None


def test_summary_states_conf_type() -> None:
    km = compute_kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1], conf_type="LOG")
    assert km.summary == "n=6, events=4, median 3 days (95% CI 2 to NA; conf.type log)"
    assert "R survfit's default" in km.method


def test_landmark_before_first_time_and_after_last() -> None:
    km = compute_kaplan_meier([10, 20, 30], [1, 1, 0])
    assert compute_landmark_survival(km, 5).survival_ == 1.0
    assert math.isnan(compute_landmark_survival(km, 31).survival_)
    assert compute_landmark_survival(km, 6 * DAYS_PER_MONTH).time == 182.625


class TestInvalidInputs:
    @pytest.mark.parametrize(
        ("time", "event", "fragment"),
        [
            ([], [], "'time' must not be empty"),
            ([1, -2], [1, 1], r"'time' must be >= 0 \(got -2.0 at row 1\)"),
            ([1, float("nan")], [1, 1], "'time' must be finite"),
            ([1, 2], [1, 2], "'event' must be 0/1 or True/False"),  # R's 1/2 status coding
            ([1, 2], [1], "'event' must have the same length"),
            (["a", "b"], [1, 1], "'time' must be numeric"),
        ],
    )
    def test_rejected_with_a_named_argument(self, time: list[object], event: list[object],
                                            fragment: str) -> None:
        with pytest.raises(InputError, match=fragment):
            compute_kaplan_meier(time, event)

    def test_unknown_conf_type(self) -> None:
        with pytest.raises(InputError, match=r"'conf_type' must be one of \['log', 'log-log'\]"):
            compute_kaplan_meier([1], [1], conf_type="plain")


survival_data = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 40), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(max_examples=150, deadline=None)
@given(data=survival_data, conf_type=st.sampled_from(["log", "log-log"]))
def test_survival_is_non_increasing_and_bounded(data: tuple[list[int], list[bool]],
                                                conf_type: str) -> None:
    time, event = data
    km = compute_kaplan_meier(time, event, conf_type=conf_type)
    assert np.all(np.diff(km.survival_) <= 1e-15)
    assert np.all((km.survival_ >= 0) & (km.survival_ <= 1))
    ok = ~np.isnan(km.ci_lower_)
    assert np.all(km.ci_lower_[ok] <= km.survival_[ok] + 1e-12)
    assert np.all(km.survival_[ok] <= km.ci_upper_[ok] + 1e-12)


@settings(max_examples=150, deadline=None)
@given(data=survival_data)
def test_median_ci_contains_the_median(data: tuple[list[int], list[bool]]) -> None:
    km = compute_kaplan_meier(*data)
    if not math.isnan(km.median_):
        assert math.isnan(km.median_ci_lower_) or km.median_ci_lower_ <= km.median_
        assert math.isnan(km.median_ci_upper_) or km.median_ <= km.median_ci_upper_


@pytest.mark.parametrize("time", [-1, float("nan"), True, "6"])
def test_landmark_time_must_be_a_non_negative_number(time: object) -> None:
    km = compute_kaplan_meier([1, 2], [1, 0])
    with pytest.raises(InputError, match="'time' must be"):
        compute_landmark_survival(km, time)  # type: ignore[arg-type]


def test_group_length_must_match() -> None:
    with pytest.raises(InputError, match="'group' must have the same length as 'time' \\(2\\)"):
        compute_kaplan_meier_by_group([1, 2], [1, 0], ["a"])


def test_curve_in_json_only_on_request() -> None:
    km = compute_kaplan_meier([1, 2, 3], [1, 0, 1])
    assert "curve" not in km.to_dict()
    curve = km.to_dict(include_curve=True)["curve"]
    assert curve["time"] == [1.0, 2.0, 3.0]  # type: ignore[index]
    assert curve["n_at_risk"] == [3, 2, 1]  # type: ignore[index]
    assert curve["survival"][-1] == 0.0  # type: ignore[index]
    assert curve["ci_lower"][-1] is None  # S = 0: no interval, as R  # type: ignore[index]
