"""Permanent I-125 implants: decay identities and Dale 1985 BED (golden values with provenance)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.radiation.implant import (
    I125_HALF_LIFE_DAYS,
    ImplantRepopulation,
    compute_dose_delivered_gy,
    compute_implant_bed,
    compute_initial_dose_rate_gy_per_h,
    compute_total_dose_gy,
)

# Provenance for every number below: ../shared/domain/radiobiology_spec.md §2 (computed there
# from D = R0/lambda, lambda = ln2/59.4 d, and Dale 1985; the BEDs were cross-checked there
# against a numerical Lea-Catcheside integration to 1e-10 Gy, repopulation cases to 1e-4 Gy).


class TestDecayIdentities:
    def test_half_life_default_is_tg43u1(self):
        assert I125_HALF_LIFE_DAYS == 59.4

    @pytest.mark.parametrize(("r0_cgy_per_h", "total_gy"), [(7.0, 143.969), (5.0, 102.835)])
    def test_total_dose_from_initial_rate(self, r0_cgy_per_h, total_gy):
        assert compute_total_dose_gy(r0_cgy_per_h / 100) == pytest.approx(total_gy, abs=5e-4)

    @pytest.mark.parametrize(
        ("total_gy", "r0_cgy_per_h"), [(145, 7.0501), (140, 6.8070), (90, 4.3759)]
    )
    def test_initial_rate_from_total_dose(self, total_gy, r0_cgy_per_h):
        assert compute_initial_dose_rate_gy_per_h(total_gy) * 100 == \
            pytest.approx(r0_cgy_per_h, abs=5e-5)

    @pytest.mark.parametrize(
        ("days", "percent"), [(30, 29.54), (59.4, 50.0), (180, 87.76), (365, 98.59)]
    )
    def test_fraction_delivered_by_day(self, days, percent):
        assert compute_dose_delivered_gy(100, days=days) == pytest.approx(percent, abs=5e-3)

    def test_total_dose_is_1_4427_half_life_times_rate(self):
        # D = 1.4427 * T1/2 * R0: 1 Gy/h for 59.4 d (1425.6 h) -> 2056.7 Gy
        assert compute_total_dose_gy(1.0) == pytest.approx(1.442695 * 1425.6, rel=1e-6)

    def test_half_life_is_a_parameter(self):
        assert compute_total_dose_gy(0.07, half_life_days=59.49) > compute_total_dose_gy(0.07)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(d=st.floats(0, 500), t=st.floats(0, 2000))
    def test_delivered_dose_never_exceeds_total(self, d, t):
        assert 0.0 <= compute_dose_delivered_gy(d, days=t) <= d


class TestDaleBed:
    #    D_gy  a/b   T_rep_h  BED       EQD2
    CASES = [
        (90,   10,   1.5,     90.851,   75.709),
        (120,  10,   1.5,    121.514,  101.261),
        (140,  10,   1.5,    142.060,  118.383),
        (140,  10,   0.5,    140.687,  117.239),
        (145,  3.1,  0.27,   146.284,   88.918),  # Wang 2003 / TG-137 prostate set
        (145,  2,    1.5,    156.050,   78.025),
    ]

    @pytest.mark.parametrize(("d", "ab", "trep", "bed", "eqd2"), CASES)
    def test_complete_decay_without_repopulation(self, d, ab, trep, bed, eqd2):
        r = compute_implant_bed(d, alpha_beta_gy=ab, repair_half_time_h=trep)
        assert r.bed_gy == pytest.approx(bed, abs=5e-4)
        assert r.eqd2_gy == pytest.approx(eqd2, abs=5e-4)
        assert math.isinf(r.evaluated_at_days)
        assert r.dose_delivered_gy == d

    def test_prostate_repopulation_case(self):
        # 145 Gy; a/b 3.1; T_rep 0.27 h; alpha 0.15; Tpot 42 d -> Teff 234.2 d, BED 111.08 Gy
        r = compute_implant_bed(145, alpha_beta_gy=3.1, repair_half_time_h=0.27,
                                repopulation=ImplantRepopulation(alpha_per_gy=0.15, tpot_days=42))
        assert r.evaluated_at_days == pytest.approx(234.2, abs=0.05)
        assert r.bed_gy == pytest.approx(111.08, abs=5e-3)

    def test_fast_tumour_repopulation_case(self):
        # 140 Gy; a/b 10; T_rep 1.5 h; alpha 0.3; Tpot 5 d -> Teff 108.2 d, BED 52.29 Gy
        r = compute_implant_bed(140, alpha_beta_gy=10, repair_half_time_h=1.5,
                                repopulation=ImplantRepopulation(alpha_per_gy=0.3, tpot_days=5))
        assert r.evaluated_at_days == pytest.approx(108.2, abs=0.05)
        assert r.bed_gy == pytest.approx(52.29, abs=5e-3)
        assert "repopulation" in r.model

    def test_finite_time_formula_tends_to_complete_decay(self):
        late = compute_implant_bed(140, alpha_beta_gy=10, repair_half_time_h=1.5, days=20000)
        assert late.bed_gy == pytest.approx(142.060, abs=5e-4)

    def test_infinite_alpha_beta_gives_physical_dose(self):
        r = compute_implant_bed(120, alpha_beta_gy=math.inf, repair_half_time_h=1.5)
        assert r.bed_gy == 120.0 and r.eqd2_gy == 120.0

    def test_parameters_are_stored_with_the_result(self):
        r = compute_implant_bed(140, alpha_beta_gy=10, repair_half_time_h=1.5)
        assert (r.alpha_beta_gy, r.repair_half_time_h, r.half_life_days) == (10, 1.5, 59.4)
        assert "Dale" in r.source

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(d=st.floats(1, 300), ab=st.floats(0.5, 20), trep=st.floats(0.1, 5))
    def test_bed_at_least_physical_dose_and_grows_with_slower_repair(self, d, ab, trep):
        fast = compute_implant_bed(d, alpha_beta_gy=ab, repair_half_time_h=trep)
        slow = compute_implant_bed(d, alpha_beta_gy=ab, repair_half_time_h=trep * 2)
        assert d <= fast.bed_gy <= slow.bed_gy

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"alpha_beta_gy": 0, "repair_half_time_h": 1.5}, r"'alpha_beta_gy' must be > 0"),
            ({"alpha_beta_gy": 10, "repair_half_time_h": 0}, r"'repair_half_time_h' must be > 0"),
            ({"alpha_beta_gy": 10, "repair_half_time_h": 1.5, "days": -1},
             r"'days' must be >= 0"),
            ({"alpha_beta_gy": 10, "repair_half_time_h": 59.4 * 24},
             r"must differ from the source half-life"),
        ],
    )
    def test_bad_input(self, kwargs, message):
        with pytest.raises(InputError, match=message):
            compute_implant_bed(140, **kwargs)

    def test_negative_dose_is_refused(self):
        with pytest.raises(InputError, match=r"'total_dose_gy' must be >= 0 \(got -5\)"):
            compute_implant_bed(-5, alpha_beta_gy=10, repair_half_time_h=1.5)
