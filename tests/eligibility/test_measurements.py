"""Measurement catalogue: unit conversions (pint) and the accepted unit spellings."""

from __future__ import annotations

import pytest

from abscopal.eligibility import MEASUREMENTS, compute_unit_factor, unit_factor_for
from abscopal.errors import UnitError


@pytest.mark.parametrize(
    ("name", "unit", "factor"),
    [
        ("hemoglobin", "g/dL", 10.0),          # 1 g/dL = 10 g/L
        ("hemoglobin", "g/L", 1.0),
        ("platelets", "10*3/uL", 1.0),         # 10^3/uL = 10^9/L
        ("platelets", "/mm3", 0.001),          # 1/mm3 = 10^6/L
        ("creatinine", "umol/L", 0.011312),    # 113.12 g/mol: 1 umol/L = 0.011312 mg/dL
        ("total_bilirubin", "umol/L", 0.058466),  # 584.66 g/mol
        ("urine_protein_24h", "mg/d", 0.001),
        ("urine_protein_24h", "g/(24.h)", 1.0),
        ("sbp", "mm[Hg]", 1.0),
        ("ecog", None, 1.0),                   # dimensionless: no unit needed
        ("inr", "{ratio}", 1.0),
    ],
)
def test_factor_to_canonical(name: str, unit: str | None, factor: float) -> None:
    assert unit_factor_for(name, unit) == pytest.approx(factor, rel=1e-6)


@pytest.mark.parametrize(
    ("name", "unit"),
    [("hemoglobin", None), ("hemoglobin", "mg"), ("platelets", "g/L"), ("alt", "furlong"),
     ("creatinine", "mmol")],
)
def test_unknown_or_incompatible_units_give_none(name: str, unit: str | None) -> None:
    assert unit_factor_for(name, unit) is None


def test_incompatible_dimensions_raise_a_unit_error() -> None:
    with pytest.raises(UnitError, match="cannot be converted"):
        compute_unit_factor("g/L", "10^9/L", None)


def test_every_entry_has_loinc_codes_and_a_parseable_unit() -> None:
    for spec in MEASUREMENTS.values():
        assert spec.loinc and all("-" in code for code in spec.loinc), spec.name
        assert unit_factor_for(spec.name, spec.unit) == pytest.approx(1.0), spec.name
