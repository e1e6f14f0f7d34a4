"""DVH metrics on hand-built cumulative DVHs (values worked out by hand in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.radiation.dvh import (
    INTERPOLATION,
    CumulativeDVH,
    compute_dose_at_volume_cc,
    compute_dose_at_volume_percent,
    compute_dvh_max_gy,
    compute_dvh_mean_gy,
    compute_dvh_min_gy,
    compute_dvh_summary,
    compute_volume_cc_at_dose,
    compute_volume_percent_at_dose,
    compute_volume_percent_of_prescription,
)

# radiobiology_spec.md §2 analytic check: uniform dose on [112, 252] Gy, Rx 140 Gy
# -> D90 = 252 - 0.9*140 = 126 Gy, V100 = (252-140)/140 = 80 %, V150 = (252-210)/140 = 30 %.
UNIFORM = CumulativeDVH.from_points([0.0, 112.0, 252.0], [50.0, 50.0, 0.0], name="PTV")


class TestUniformDoseAnalytic:
    def test_d90(self):
        assert compute_dose_at_volume_percent(UNIFORM, 90) == pytest.approx(126.0, abs=1e-12)

    def test_v100_v150(self):
        assert compute_volume_percent_of_prescription(UNIFORM, 100, prescription_gy=140) == \
            pytest.approx(80.0, abs=1e-12)
        assert compute_volume_percent_of_prescription(UNIFORM, 150, prescription_gy=140) == \
            pytest.approx(30.0, abs=1e-12)

    def test_mean_min_max(self):
        assert compute_dvh_mean_gy(UNIFORM) == pytest.approx(182.0, abs=1e-12)  # (112+252)/2
        assert compute_dvh_min_gy(UNIFORM) == 112.0
        assert compute_dvh_max_gy(UNIFORM) == 252.0

    def test_d100_is_min_and_d0_is_max(self):
        assert compute_dose_at_volume_percent(UNIFORM, 100) == 112.0
        assert compute_dose_at_volume_percent(UNIFORM, 0) == 252.0

    def test_dcc_and_vgy(self):
        # 50 cm3 over 140 Gy: D2cc = 252 - 2/50*140 = 246.4; V200Gy = 52/140*50 = 18.5714 cm3
        assert compute_dose_at_volume_cc(UNIFORM, 2) == pytest.approx(246.4, abs=1e-12)
        assert compute_volume_cc_at_dose(UNIFORM, 200) == pytest.approx(18.571429, abs=1e-6)
        assert compute_volume_percent_at_dose(UNIFORM, 200) == pytest.approx(37.142857, abs=1e-6)

    def test_dcc_larger_than_structure_is_none(self):
        assert compute_dose_at_volume_cc(UNIFORM, 60) is None


class TestFlatSegments:
    # Two dose levels: 4 cm3 at 10 Gy, 6 cm3 at 20 Gy (bins 1 Gy wide, so the cumulative
    # DVH is flat between 11 and 20 Gy at 6 cm3).
    DVH = CumulativeDVH.from_differential(np.arange(22.0), [0] * 10 + [4] + [0] * 9 + [6])

    def test_dx_on_a_plateau_takes_the_highest_dose(self):
        # 60 % = 6 cm3: V(D) >= 6 up to 20 Gy -> D60 = 20 (ABS: minimum dose to hottest 60 %)
        assert compute_dose_at_volume_percent(self.DVH, 60) == pytest.approx(20.0)

    def test_dx_inside_a_bin_interpolates(self):
        # 3 cm3 lies inside the 20-21 Gy bin (6 -> 0 cm3): 20 + 3/6 = 20.5
        assert compute_dose_at_volume_cc(self.DVH, 3) == pytest.approx(20.5)

    def test_mean_is_bin_centre_weighted(self):
        # (4 * 10.5 + 6 * 20.5) / 10 = 16.5
        assert compute_dvh_mean_gy(self.DVH) == pytest.approx(16.5)

    def test_min_is_lower_edge_of_first_bin_and_max_upper_edge_of_last(self):
        assert (compute_dvh_min_gy(self.DVH), compute_dvh_max_gy(self.DVH)) == (10.0, 21.0)


class TestConstruction:
    def test_dicom_bins_cumulative(self):
        d = CumulativeDVH.from_dicom_bins([0.5, 0.5, 0.5], [10, 8, 2])
        assert d.dose_gy.tolist() == [0.0, 0.5, 1.0, 1.5]
        assert d.volume_cc.tolist() == [10.0, 8.0, 2.0, 0.0]

    def test_unclosed_dvh_is_closed_one_bin_later(self):
        d = CumulativeDVH.from_points([0, 1, 2], [5, 3, 1])
        assert d.dose_gy.tolist() == [0, 1, 2, 3] and d.volume_cc[-1] == 0

    def test_tps_roundoff_reads_as_zero(self):
        # Eclipse exports e.g. -2.1e-12 cm3 in the tail (dicompyler example rtdose.dcm, Heart)
        d = CumulativeDVH.from_dicom_bins([1, 1, 1], [400.0, 3.0, -2.1e-12])
        assert d.volume_cc.tolist() == [400.0, 3.0, 0.0, 0.0]
        assert compute_dvh_max_gy(d) == 2.0

    def test_empty_structure(self):
        d = CumulativeDVH.from_points([0, 0.01], [0, 0])
        s = compute_dvh_summary(d, prescription_gy=14)
        assert (s.volume_cc, s.mean_gy, s.max_gy) == (0.0, 0.0, 0.0)
        assert s.dose_at_volume_percent_gy == {} and s.dose_at_volume_cc_gy == {2.0: None}
        assert "empty" in s.notes[0]
        with pytest.raises(InputError, match="empty"):
            compute_dose_at_volume_percent(d, 90)

    @pytest.mark.parametrize(
        ("dose", "volume", "message"),
        [
            ([0, 1], [1], "equal length"),
            ([], [], "non-empty"),
            ([0, 1, 1], [2, 1, 0], "strictly increasing"),
            ([0, 1, 2], [1, 2, 0], "must not increase"),
            ([0, 1], [1, -1], ">= 0"),
            ([0, np.nan], [1, 0], "finite"),
        ],
    )
    def test_invalid_points(self, dose, volume, message):
        with pytest.raises(InputError, match=message):
            CumulativeDVH.from_points(dose, volume)

    def test_invalid_differential(self):
        with pytest.raises(InputError, match="one more entry"):
            CumulativeDVH.from_differential([0, 1], [1, 2])

    def test_invalid_bins(self):
        with pytest.raises(InputError, match="bin width"):
            CumulativeDVH.from_dicom_bins([1, 0], [2, 1])


class TestSummary:
    def test_summary_fields_and_interpolation_statement(self):
        s = compute_dvh_summary(UNIFORM, prescription_gy=140, dose_levels_gy=(200,))
        assert s.dose_at_volume_percent_gy == {90.0: pytest.approx(126.0)}
        assert s.volume_percent_of_prescription == {100.0: pytest.approx(80.0),
                                                    150.0: pytest.approx(30.0)}
        assert s.interpolation == INTERPOLATION and "linear" in s.interpolation
        assert s.volume_cc_at_dose_gy == {200.0: pytest.approx(18.571429, abs=1e-6)}

    def test_no_prescription_no_vrx(self):
        assert compute_dvh_summary(UNIFORM).volume_percent_of_prescription == {}

    @pytest.mark.parametrize("bad", [0, -1, float("nan")])
    def test_bad_prescription(self, bad):
        with pytest.raises(InputError, match="prescription_gy"):
            compute_dvh_summary(UNIFORM, prescription_gy=bad)

    def test_bad_percent(self):
        with pytest.raises(InputError, match=r"'volume_percent' must be <= 100 \(got 101\)"):
            compute_dose_at_volume_percent(UNIFORM, 101)

    def test_not_a_dvh(self):
        with pytest.raises(InputError, match="must be a CumulativeDVH"):
            compute_dvh_mean_gy([1, 2])  # type: ignore[arg-type]


@st.composite
def differential_dvhs(draw):
    counts = draw(st.lists(st.floats(0, 100), min_size=1, max_size=30))
    counts[-1] = draw(st.floats(0.01, 100))  # keep it non-empty
    width = draw(st.floats(0.01, 5))
    return CumulativeDVH.from_differential(np.arange(len(counts) + 1) * width, counts)


class TestProperties:
    @settings(deadline=None)  # 2 shared cores: no timing flakes
    @given(dvh=differential_dvhs(), a=st.floats(0, 100), b=st.floats(0, 100))
    def test_dx_non_increasing_in_x(self, dvh, a, b):
        lo, hi = sorted((a, b))
        assert compute_dose_at_volume_percent(dvh, lo) >= compute_dose_at_volume_percent(dvh, hi)

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(dvh=differential_dvhs())
    def test_min_mean_max_ordered(self, dvh):
        assert compute_dvh_min_gy(dvh) <= compute_dvh_mean_gy(dvh) + 1e-9
        assert compute_dvh_mean_gy(dvh) <= compute_dvh_max_gy(dvh) + 1e-9

    @settings(deadline=None)  # 2 shared cores: no timing flakes

    @given(dvh=differential_dvhs(), x=st.floats(1, 99))
    def test_volume_at_dx_gives_back_x(self, dvh, x):
        d = compute_dose_at_volume_percent(dvh, x)
        assert compute_volume_percent_at_dose(dvh, d) == pytest.approx(x, abs=1e-6)
