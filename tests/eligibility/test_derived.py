"""Golden values for derived measures (expected values worked out by hand from the papers)."""

from __future__ import annotations

from datetime import date

import pytest

from abscopal.eligibility import (
    compare_value,
    compute_age_years,
    compute_bsa_mosteller_m2,
    compute_crcl_cockcroft_gault_ml_min,
    compute_uln_multiple,
)
from abscopal.errors import InputError


class TestCockcroftGault:
    # Cockcroft DW, Gault MH. Nephron 1976;16:31-41: CrCl = (140-age) x kg / (72 x SCr mg/dL),
    # x 0.85 for women. Hand arithmetic below each case.
    @pytest.mark.parametrize(
        ("age", "kg", "scr", "sex", "expected"),
        [
            (60, 72.0, 1.0, "M", 80.0),        # 80 x 72 / 72
            (60, 72.0, 1.0, "F", 68.0),        # 80 x 0.85
            (40, 90.0, 1.25, "M", 100.0),      # 100 x 90 / 90
            (70, 50.0, 0.8, "F", 51.649305555555556),  # 70 x 50 x 0.85 / 57.6
            (85, 60.0, 2.0, "M", 22.916666666666668),  # 55 x 60 / 144
        ],
    )
    def test_golden(self, age: int, kg: float, scr: float, sex: str, expected: float) -> None:
        got = compute_crcl_cockcroft_gault_ml_min(age, weight_kg=kg, creatinine_mg_dl=scr, sex=sex)
        assert got == pytest.approx(expected, rel=1e-12)

    def test_umol_per_l_input_via_88_4(self) -> None:
        # 88.4 umol/L = 1.0 mg/dL (creatinine molar mass 113.12 g/mol)
        from abscopal.eligibility.measurements import compute_factor_to_canonical

        scr = 88.4 * compute_factor_to_canonical("creatinine", "umol/L")
        assert scr == pytest.approx(1.0, rel=1e-3)

    @pytest.mark.parametrize("sex", ["X", "", "female"])
    def test_unknown_sex_is_rejected(self, sex: str) -> None:
        with pytest.raises(InputError, match="'sex' must be 'F' or 'M'"):
            compute_crcl_cockcroft_gault_ml_min(60, weight_kg=70, creatinine_mg_dl=1, sex=sex)

    def test_non_positive_creatinine_is_rejected(self) -> None:
        with pytest.raises(InputError, match="must be > 0"):
            compute_crcl_cockcroft_gault_ml_min(60, weight_kg=70, creatinine_mg_dl=0, sex="M")


class TestMosteller:
    # Mosteller RD. N Engl J Med 1987;317:1098: BSA = sqrt(cm x kg / 3600).
    @pytest.mark.parametrize(
        ("cm", "kg", "expected"),
        [
            (180.0, 80.0, 2.0),               # sqrt(14400/3600)
            (160.0, 90.0, 2.0),               # sqrt(14400/3600)
            (150.0, 54.0, 1.5),               # sqrt(8100/3600)
            (170.0, 70.0, 1.8181187),         # sqrt(119)/6 = 10.9087121/6
        ],
    )
    def test_golden(self, cm: float, kg: float, expected: float) -> None:
        assert compute_bsa_mosteller_m2(height_cm=cm, weight_kg=kg) == pytest.approx(expected, rel=1e-7)


class TestUlnMultiple:
    @pytest.mark.parametrize(
        ("value", "uln", "expected"),
        [(100.0, 40.0, 2.5), (120.0, 40.0, 3.0), (1.8, 1.2, 1.5), (35.0, 35.0, 1.0)],
    )
    def test_golden(self, value: float, uln: float, expected: float) -> None:
        assert compute_uln_multiple(value, uln=uln) == pytest.approx(expected)

    def test_zero_uln_is_rejected(self) -> None:
        with pytest.raises(InputError, match="'uln' must be > 0"):
            compute_uln_multiple(1.0, uln=0.0)


class TestAge:
    @pytest.mark.parametrize(
        ("birth", "on", "age"),
        [
            (date(1950, 6, 15), date(2025, 6, 14), 74),
            (date(1950, 6, 15), date(2025, 6, 15), 75),
            (date(2000, 2, 29), date(2018, 2, 28), 17),  # leap-day birthday
            (date(2000, 2, 29), date(2018, 3, 1), 18),
            (date(2007, 1, 1), date(2025, 1, 1), 18),
        ],
    )
    def test_completed_years(self, birth: date, on: date, age: int) -> None:
        assert compute_age_years(birth, on=on) == age

    def test_birth_after_date_is_rejected(self) -> None:
        with pytest.raises(InputError, match="'on' must not be before"):
            compute_age_years(date(2020, 1, 2), on=date(2020, 1, 1))


class TestTolerantComparison:
    # ctcae_spec: 1.5 x 1.2 = 1.7999999999999998 in binary floating point
    def test_exact_multiple_is_not_above(self) -> None:
        assert 1.8 > 1.5 * 1.2  # the trap
        assert not compare_value(1.8, ">", 1.5 * 1.2)
        assert compare_value(1.8, "<=", 1.5 * 1.2)

    @pytest.mark.parametrize(
        ("value", "op", "threshold", "expected"),
        [
            (1.5, "<", 1.5, False), (1.5, "<=", 1.5, True), (1.5, ">=", 1.5, True),
            (1.5, ">", 1.5, False), (1.5, "==", 1.5, True), (1.5, "!=", 1.5, False),
            (1.4999, "<", 1.5, True), (1.5001, ">", 1.5, True),
            (1.95, ">=", 1.5 * 1.3, True),  # 1.9500000000000002
        ],
    )
    def test_boundaries(self, value: float, op: str, threshold: float, expected: bool) -> None:
        assert compare_value(value, op, threshold) is expected  # type: ignore[arg-type]
