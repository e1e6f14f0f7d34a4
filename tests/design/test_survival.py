"""Survival design: rpact's getSampleSizeSurvival reproduced; medians and hazards; properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.design.survival import (
    compute_hazard_from_median,
    compute_median_from_hazard,
    compute_schoenfeld_events,
    compute_survival_sample_size,
)
from abscopal.errors import InputError


def test_rpact_events_and_patients_from_medians() -> None:
    # rpact 3.3.4 here, rtol 1e-6:
    # getSampleSizeSurvival(alpha = 0.05, beta = 0.2, sided = 2, median2 = 6, median1 = 9,
    #                       accrualTime = c(0, 24), followUpTime = 12)
    #   maxNumberOfEvents 190.968, maxNumberOfSubjects 220.1894
    res = compute_survival_sample_size(median_control_months=6, median_treatment_months=9,
                                       alpha=0.05, power=0.8, accrual_months=24,
                                       follow_up_months=12)
    assert res.events_ == pytest.approx(190.968, rel=1e-6)
    assert res.n_total_ == pytest.approx(220.1894, rel=1e-6)
    assert (res.events, res.n_total) == (191, 221)


def test_rpact_one_sided_with_hazard_ratio() -> None:
    # getSampleSizeSurvival(alpha = 0.025, beta = 0.1, sided = 1, lambda2 = log(2)/12,
    #                       hazardRatio = 0.7, accrualTime = c(0, 18), followUpTime = 6)
    #   maxNumberOfEvents 330.3779, maxNumberOfSubjects 658.7872
    res = compute_survival_sample_size(0.7, median_control_months=12, alpha=0.025, power=0.9,
                                       sides=1, accrual_months=18, follow_up_months=6)
    assert res.events_ == pytest.approx(330.3779, rel=1e-6)
    assert res.n_total_ == pytest.approx(658.7872, rel=1e-6)


def test_rpact_with_dropout() -> None:
    # getSampleSizeSurvival(alpha = 0.05, beta = 0.2, sided = 2, median2 = 10, hazardRatio = 0.6,
    #   accrualTime = c(0, 30), followUpTime = 18, dropoutRate1 = 0.05, dropoutRate2 = 0.05,
    #   dropoutTime = 12)  ->  maxNumberOfEvents 120.3157, maxNumberOfSubjects 157.0709
    res = compute_survival_sample_size(0.6, median_control_months=10, alpha=0.05, power=0.8,
                                       accrual_months=30, follow_up_months=18, dropout_rate=0.05)
    assert res.events_ == pytest.approx(120.3157, rel=1e-6)
    assert res.n_total_ == pytest.approx(157.0709, rel=1e-6)


def test_lachin_foulkes_needs_slightly_more_patients_than_schoenfeld_here() -> None:
    kw = dict(median_control_months=10, alpha=0.05, power=0.8, accrual_months=30,
              follow_up_months=18, dropout_rate=0.05)
    lf = compute_survival_sample_size(0.6, method="lachin_foulkes", **kw)
    sch = compute_survival_sample_size(0.6, **kw)
    assert lf.n_total_ == pytest.approx(162.8683, rel=1e-5)  # value of this implementation
    assert lf.n_total_ > sch.n_total_


def test_median_and_hazard_round_trip() -> None:
    assert compute_hazard_from_median(12.0) == pytest.approx(math.log(2) / 12)
    assert compute_median_from_hazard(compute_hazard_from_median(7.5)) == pytest.approx(7.5)


def test_schoenfeld_events_closed_form() -> None:
    # R here: (qnorm(0.975) + qnorm(0.8))^2 / (0.25 * log(0.7)^2)  ->  246.7871045 (rtol 1e-9)
    assert compute_schoenfeld_events(0.7, alpha=0.05, power=0.8) == pytest.approx(246.7871045, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"hazard_ratio": 1.0}, "'hazard_ratio' must differ from 1"),
        ({"hazard_ratio": 0.7, "median_treatment_months": 20}, "contradicts the medians"),
        ({}, "give 'hazard_ratio' or 'median_treatment_months'"),
        ({"hazard_ratio": 0.7, "dropout_rate": 1.0}, "'dropout_rate' must be in"),
        ({"hazard_ratio": 0.7, "accrual_months": 0}, "'accrual_months' must be > 0"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, fragment: str) -> None:
    args = {"median_control_months": 10, "alpha": 0.05, "power": 0.8, "accrual_months": 12,
            "follow_up_months": 12, **kwargs}
    hr = args.pop("hazard_ratio", None)
    with pytest.raises(InputError, match=fragment):
        compute_survival_sample_size(hr, **args)


@settings(max_examples=30, deadline=None)
@given(hr=st.floats(0.3, 0.95), step=st.floats(0.01, 0.2))
def test_events_and_patients_non_increasing_in_effect_size(hr: float, step: float) -> None:
    stronger = max(hr - step, 0.05)
    kw = dict(median_control_months=8, alpha=0.05, power=0.8, accrual_months=20,
              follow_up_months=10)
    weak, strong = (compute_survival_sample_size(h, **kw) for h in (hr, stronger))
    assert strong.events_ <= weak.events_
    assert strong.n_total_ <= weak.n_total_
