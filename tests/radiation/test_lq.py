"""LQ BED/EQD2: golden seed regimens, inverse, repopulation, summation, bad input, properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.radiation.lq import (
    SEED_REGIMENS,
    Course,
    Repopulation,
    compute_bed,
    compute_dose_per_fraction_for_bed,
    compute_eqd2,
    compute_eqdx,
    compute_eqdx_from_bed,
    compute_lq,
    compute_summed_bed,
    compute_summed_eqd2,
)

# Provenance: ../shared/domain/radiobiology_spec.md §1 "Worked examples: seed-trial regimens"
# (3 decimals, computed there from BED = n*d*(1 + d/(a/b)), EQD2 = BED/(1 + 2/(a/b))).
# Spot-checked by hand: 1.8 x 28 at a/b 10: 50.4 * 1.18 = 59.472; EQD2 = 59.472/1.2 = 49.560.
#      d_gy   n   BED10     EQD2(10)  BED3      EQD2(3)
SEED_TABLE = [
    (1.0,   1,   1.100,    0.917,    1.333,    0.800),   # 1 Gy x 1 (NCT06076135 ILDR)
    (1.0,   2,   2.200,    1.833,    2.667,    1.600),
    (1.0,   3,   3.300,    2.750,    4.000,    2.400),
    (2.0,   1,   2.400,    2.000,    3.333,    2.000),
    (3.0,   1,   3.900,    3.250,    6.000,    3.600),
    (5.0,   5,  37.500,   31.250,   66.667,   40.000),   # hypofractionated, NCT05628038-type
    (8.0,   3,  43.200,   36.000,   88.000,   52.800),
    (6.0,   5,  48.000,   40.000,   90.000,   54.000),
    (15.0,  3, 112.500,   93.750,  270.000,  162.000),   # SBRT
    (8.0,   5,  72.000,   60.000,  146.667,   88.000),
    (10.0,  5, 100.000,   83.333,  216.667,  130.000),
    (24.0,  1,  81.600,   68.000,  216.000,  129.600),
    (2.0,  30,  72.000,   60.000,  100.000,   60.000),   # identity: EQD2 = D
    (1.8,  28,  59.472,   49.560,   80.640,   48.384),
]


class TestSeedRegimensGolden:
    @pytest.mark.parametrize(("d", "n", "bed10", "eqd2_10", "bed3", "eqd2_3"), SEED_TABLE)
    def test_bed_and_eqd2_match_spec_table(self, d, n, bed10, eqd2_10, bed3, eqd2_3):
        assert round(compute_bed(d, n, alpha_beta_gy=10), 3) == pytest.approx(bed10, abs=1e-9)
        assert round(compute_eqd2(d, n, alpha_beta_gy=10), 3) == pytest.approx(eqd2_10, abs=1e-9)
        assert round(compute_bed(d, n, alpha_beta_gy=3), 3) == pytest.approx(bed3, abs=1e-9)
        assert round(compute_eqd2(d, n, alpha_beta_gy=3), 3) == pytest.approx(eqd2_3, abs=1e-9)

    def test_every_documented_seed_regimen_is_in_the_golden_table(self):
        table = {(d, n) for d, n, *_ in SEED_TABLE}
        assert {(r.dose_per_fraction_gy, r.fractions) for r in SEED_REGIMENS} <= table

    def test_seed_regimens_say_what_the_record_states(self):
        stated = [r for r in SEED_REGIMENS if r.record_says.startswith("stated")]
        assert {r.trial for r in stated} == {"NCT06076135"}
        assert all("assumed" in r.record_says or "example" in r.record_says
                   for r in SEED_REGIMENS if r not in stated)


class TestEqdx:
    def test_eqdx_at_reference_3gy(self):
        # 2 Gy x 30, a/b 10: BED 72; EQD3 = 72/(1 + 3/10) = 55.3846...
        assert compute_eqdx(2, 30, alpha_beta_gy=10, reference_dose_per_fraction_gy=3) == \
            pytest.approx(55.384615, abs=1e-6)

    def test_infinite_alpha_beta_gives_physical_dose(self):
        assert compute_bed(15, 3, alpha_beta_gy=math.inf) == 45.0
        assert compute_eqd2(15, 3, alpha_beta_gy=math.inf) == 45.0


class TestInverse:
    @pytest.mark.parametrize(
        ("bed", "n", "ab", "d"),
        [
            (112.5, 3, 10, 15.0),  # 15 Gy x 3 at a/b 10 (table above)
            (100.0, 30, 3, 2.0),  # 2 Gy x 30 at a/b 3
            (66.667, 5, 3, 5.0),  # 5 Gy x 5 at a/b 3 (BED rounded to 3 dp)
            (45.0, 3, math.inf, 15.0),
        ],
    )
    def test_dose_per_fraction_for_target_bed(self, bed, n, ab, d):
        assert compute_dose_per_fraction_for_bed(bed, fractions=n, alpha_beta_gy=ab) == \
            pytest.approx(d, abs=2e-4)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(
        d=st.floats(0.0, 30.0),
        n=st.integers(1, 40),
        ab=st.floats(0.5, 20.0),
    )
    def test_inverse_round_trips(self, d, n, ab):
        bed = compute_bed(d, n, alpha_beta_gy=ab)
        assert compute_dose_per_fraction_for_bed(bed, fractions=n, alpha_beta_gy=ab) == \
            pytest.approx(d, rel=1e-9, abs=1e-9)


class TestRepopulation:
    def test_dprolif_from_tpot(self):
        # ln2/(0.3 * 3) = 0.770164 Gy/day
        r = Repopulation.from_tpot(kickoff_days=28, tpot_days=3, alpha_per_gy=0.3)
        assert r.dprolif_gy_per_day == pytest.approx(0.770164, abs=1e-6)

    def test_repopulation_subtracts_only_after_kickoff(self):
        r = Repopulation(kickoff_days=28, dprolif_gy_per_day=0.9)
        # 2 Gy x 35 over 46 days, a/b 10: 84 - 0.9 * 18 = 67.8
        assert compute_bed(2, 35, alpha_beta_gy=10, repopulation=r, overall_time_days=46) == \
            pytest.approx(67.8, abs=1e-12)
        assert compute_bed(2, 20, alpha_beta_gy=10, repopulation=r, overall_time_days=26) == \
            pytest.approx(48.0, abs=1e-12)

    def test_result_names_the_model_and_parameters(self):
        r = Repopulation.from_tpot(kickoff_days=21, tpot_days=3, alpha_per_gy=0.3)
        res = compute_lq(2, 35, alpha_beta_gy=10, repopulation=r, overall_time_days=46)
        assert res.model == "LQ + repopulation (Tk=21 d, Tpot=3 d, alpha=0.3/Gy)"
        # 25 days beyond Tk x ln2/(0.3 x 3) = 25 x 0.7701635 = 19.254088
        assert res.repopulation_gy == pytest.approx(19.254088, abs=1e-6)

    def test_time_without_model_is_refused(self):
        with pytest.raises(InputError, match="'overall_time_days' was given without"):
            compute_bed(2, 30, alpha_beta_gy=10, overall_time_days=40)

    def test_model_without_time_is_refused(self):
        r = Repopulation(kickoff_days=28, dprolif_gy_per_day=0.9)
        with pytest.raises(InputError, match="'overall_time_days' is required"):
            compute_bed(2, 30, alpha_beta_gy=10, repopulation=r)


class TestSummation:
    def test_ebrt_plus_boost(self):
        # 2 Gy x 25 (BED10 60) + 5 Gy x 5 (BED10 37.5) = 97.5
        assert compute_summed_bed([Course(2, 25), Course(5, 5)], alpha_beta_gy=10) == 97.5

    def test_summed_eqd2_at_one_alpha_beta(self):
        # 2 Gy x 30 (EQD2 60) + 5 Gy x 5 at a/b 3 (EQD2 40) = 100
        assert compute_summed_eqd2([Course(2, 30), Course(5, 5)], alpha_beta_gy=3) == \
            pytest.approx(100.0, abs=1e-12)

    @pytest.mark.parametrize("bad", [[], "2x30", [(2, 30)], None])
    def test_bad_courses(self, bad):
        with pytest.raises(InputError, match="courses"):
            compute_summed_bed(bad, alpha_beta_gy=10)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(
        a=st.tuples(st.floats(0, 25), st.integers(1, 40)),
        b=st.tuples(st.floats(0, 25), st.integers(1, 40)),
        ab=st.floats(0.5, 20),
    )
    def test_summation_is_additive(self, a, b, ab):
        total = compute_summed_bed([Course(*a), Course(*b)], alpha_beta_gy=ab)
        assert total == pytest.approx(
            compute_bed(*a, alpha_beta_gy=ab) + compute_bed(*b, alpha_beta_gy=ab), rel=1e-12
        )


class TestCaveatsAndLabels:
    def test_sbrt_dose_carries_lq_caveat(self):
        res = compute_lq(15, 3, alpha_beta_gy=10)
        assert res.bed_label == "BED10" and res.eqd2_label == "EQD2(a/b=10)"
        assert "LQ model is questioned" in res.caveats[0]

    def test_low_dose_carries_bookkeeping_caveat(self):
        assert "bookkeeping only" in compute_lq(1, 1, alpha_beta_gy=3).caveats[0]

    def test_conventional_dose_has_no_caveat(self):
        assert compute_lq(2, 30, alpha_beta_gy=3).caveats == ()


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"dose_per_fraction_gy": -1, "fractions": 3, "alpha_beta_gy": 10},
             r"'dose_per_fraction_gy' must be >= 0 \(got -1\)"),
            ({"dose_per_fraction_gy": 2, "fractions": 0, "alpha_beta_gy": 10},
             r"'fractions' must be an integer >= 1 \(got 0\)"),
            ({"dose_per_fraction_gy": 2, "fractions": 2.5, "alpha_beta_gy": 10},
             r"'fractions' must be an integer >= 1 \(got 2.5\)"),
            ({"dose_per_fraction_gy": 2, "fractions": True, "alpha_beta_gy": 10},
             r"'fractions' must be an integer"),
            ({"dose_per_fraction_gy": 2, "fractions": 3, "alpha_beta_gy": 0},
             r"'alpha_beta_gy' must be > 0 \(got 0\)"),
            ({"dose_per_fraction_gy": float("nan"), "fractions": 3, "alpha_beta_gy": 3},
             r"'dose_per_fraction_gy' must be a finite number"),
            ({"dose_per_fraction_gy": "2", "fractions": 3, "alpha_beta_gy": 3},
             r"'dose_per_fraction_gy' must be a number \(got '2'\)"),
        ],
    )
    def test_messages_name_argument_expectation_and_value(self, kwargs, message):
        with pytest.raises(InputError, match=message) as exc:
            compute_bed(kwargs.pop("dose_per_fraction_gy"), kwargs.pop("fractions"), **kwargs)
        assert "LQ model" in str(exc.value)


class TestProperties:
    @settings(deadline=None)  # 2 shared cores: no timing flakes
    @given(n=st.integers(1, 60), ab=st.floats(0.1, 1e6) | st.just(math.inf))
    def test_eqd2_equals_physical_dose_at_2gy_per_fraction(self, n, ab):
        assert compute_eqd2(2.0, n, alpha_beta_gy=ab) == pytest.approx(2.0 * n, rel=1e-12)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(
        d1=st.floats(0.0, 50.0),
        d2=st.floats(0.0, 50.0),
        n=st.integers(1, 40),
        ab=st.floats(0.1, 100.0),
    )
    def test_bed_monotonic_in_dose_per_fraction(self, d1, d2, n, ab):
        lo, hi = sorted((d1, d2))
        assert compute_bed(lo, n, alpha_beta_gy=ab) <= compute_bed(hi, n, alpha_beta_gy=ab)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(bed=st.floats(0.0, 500.0), ab=st.floats(0.1, 100.0))
    def test_eqdx_from_bed_decreases_with_reference_fraction(self, bed, ab):
        assert compute_eqdx_from_bed(bed, alpha_beta_gy=ab, reference_dose_per_fraction_gy=3) <= \
            compute_eqdx_from_bed(bed, alpha_beta_gy=ab, reference_dose_per_fraction_gy=2)
