"""EDIC (Jin et al.): worked examples and bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.radiation.lymphocyte import EDIC_JIN_THORAX, compute_edic


class TestWorkedExamples:
    def test_thorax_example(self):
        # radiobiology_spec.md §4: MLD 15, MHD 10, MBD 5, n 30 -> 6.065 Gy. By hand:
        # 1.8 + 0.8 + (0.45 + 0.2975 * 0.8164966 = 0.6929077) * 5 = 6.0645386
        r = compute_edic(15, mean_heart_dose_gy=10, mean_body_dose_gy=5, fractions=30)
        assert r.edic_gy == pytest.approx(6.0645386, abs=1e-6)
        assert round(r.edic_gy, 3) == 6.065
        assert (r.lung_component_gy, r.heart_component_gy) == pytest.approx((1.8, 0.8))

    def test_liver_sbrt_like_example(self):
        # radiobiology_spec.md §4: MLD 1, MHD 0.5, MBD 1.5, n 5 -> 0.984 Gy. By hand:
        # 0.12 + 0.04 + (0.45 + 0.2975/3) * 1.5 = 0.98375
        r = compute_edic(1, mean_heart_dose_gy=0.5, mean_body_dose_gy=1.5, fractions=5)
        assert r.edic_gy == pytest.approx(0.98375, abs=1e-9)

    def test_at_reference_fractions_body_coefficient_is_0_7475(self):
        # n = 45: 0.45 + 0.35 * 0.85 = 0.7475
        r = compute_edic(0, mean_heart_dose_gy=0, mean_body_dose_gy=1, fractions=45)
        assert r.edic_gy == pytest.approx(0.7475, abs=1e-12)

    def test_result_names_model_formula_and_references(self):
        r = compute_edic(1, mean_heart_dose_gy=1, mean_body_dose_gy=1, fractions=1)
        assert r.model == "edic_jin_thorax"
        assert r.formula == "EDIC = 0.12*MLD + 0.08*MHD + [0.45 + 0.35*0.85*sqrt(n/45)]*MBD"
        assert any("Jin" in ref for ref in r.references)

    def test_model_has_no_liver_term(self):
        assert not hasattr(EDIC_JIN_THORAX, "liver")


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ((-1, 1, 1, 5), r"'mean_lung_dose_gy' must be >= 0 \(got -1\)"),
            ((1, math.nan, 1, 5), r"'mean_heart_dose_gy' must be a finite number"),
            ((1, 1, -0.1, 5), r"'mean_body_dose_gy' must be >= 0"),
            ((1, 1, 1, 0), r"'fractions' must be an integer >= 1 \(got 0\)"),
        ],
    )
    def test_messages(self, args, message):
        mld, mhd, mbd, n = args
        with pytest.raises(InputError, match=message):
            compute_edic(mld, mean_heart_dose_gy=mhd, mean_body_dose_gy=mbd, fractions=n)


@settings(deadline=None)  # 2 shared cores: no timing flakes


@given(
    mld=st.floats(0, 30), mhd=st.floats(0, 30), mbd=st.floats(0, 30), n=st.integers(1, 44)
)
def test_edic_grows_with_fractions(mld, mhd, mbd, n):
    a = compute_edic(mld, mean_heart_dose_gy=mhd, mean_body_dose_gy=mbd, fractions=n)
    b = compute_edic(mld, mean_heart_dose_gy=mhd, mean_body_dose_gy=mbd, fractions=n + 1)
    assert a.edic_gy <= b.edic_gy
