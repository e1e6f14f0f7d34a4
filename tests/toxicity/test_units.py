"""Unit resolution: which criteria branch grades a unit, and the exact conversion factor."""

from __future__ import annotations

from decimal import Decimal

import pytest

from abscopal.errors import UnitError
from abscopal.toxicity import find_lab_criterion
from abscopal.toxicity.units import resolve_unit

V = "ctcae_v5"


def res(term: str, unit: str) -> tuple[str | None, Decimal, bool]:
    r = resolve_unit(find_lab_criterion(term, version=V), unit)
    return r.native_unit, r.factor, r.converted


@pytest.mark.parametrize(("unit", "expected"), [
    ("10^9/L", ("10**9/L", Decimal(1), False)),
    ("x10e9/L", ("10**9/L", Decimal(1), False)),
    ("10*9/L", ("10**9/L", Decimal(1), False)),
    ("G/L", ("10**9/L", Decimal(1), False)),
    ("10^3/µL", ("10**9/L", Decimal(1), False)),
    ("K/uL", ("10**9/L", Decimal(1), False)),
    ("/mm3", ("1/mm**3", Decimal(1), False)),
    ("cells/mm³", ("1/mm**3", Decimal(1), False)),
    ("cells/uL", ("1/mm**3", Decimal(1), False)),
    ("1/L", ("10**9/L", Decimal("1E-9"), True)),
])
def test_cell_count_units(unit: str, expected: tuple[str, Decimal, bool]) -> None:
    assert res("Lymphocyte count decreased", unit) == expected


@pytest.mark.parametrize(("term", "unit", "expected"), [
    ("Anemia", "g/dL", ("g/dL", Decimal(1), False)),
    ("Anemia", "g/L", ("g/L", Decimal(1), False)),           # own criteria, not converted
    ("Anemia", "mmol/L", ("mmol/L", Decimal(1), False)),
    ("Anemia", "mg/dL", ("g/dL", Decimal("0.001"), True)),
    ("Anemia", "umol/L", ("mmol/L", Decimal("0.001"), True)),
    ("Hypocalcemia", "mg/L", ("mg/dL", Decimal("0.1"), True)),
    ("Hypocalcemia", "mEq/L", ("mmol/L", Decimal("0.5"), True)),
    ("Hyperkalemia", "mEq/L", ("mmol/L", Decimal(1), False)),
    ("Hypomagnesemia", "mg/dL", ("mg/dL", Decimal(1), False)),
    ("Hypoalbuminemia", "g/L", ("g/L", Decimal(1), False)),
])
def test_branch_and_factor(term: str, unit: str, expected: tuple[str, Decimal, bool]) -> None:
    assert res(term, unit) == expected


def test_molar_mass_conversion_factor() -> None:
    # ionized Ca: 1 mg/dL = 10 mg/L / 40.078 g/mol = 0.24951 mmol/L
    native, factor, converted = res("Hypocalcemia (Ionized calcium)", "mg/dL")
    assert native == "mmol/L" and converted
    assert abs(factor - Decimal("0.249513")) < Decimal("0.000001")


@pytest.mark.parametrize(("term", "unit"), [
    ("Alanine aminotransferase increased", "U/L"),
    ("Alanine aminotransferase increased", "IU/L"),
    ("Alanine aminotransferase increased", "ukat/L"),
    ("Blood bilirubin increased", "umol/L"),
    ("Creatinine increased", "mg/dL"),
])
def test_ratio_terms_need_no_conversion(term: str, unit: str) -> None:
    assert res(term, unit) == (None, Decimal(1), False)


@pytest.mark.parametrize(("term", "unit"), [
    ("Alanine aminotransferase increased", "mg/dL"),  # enzyme activity, not mass
    ("Creatinine increased", "U/L"),
    ("Lymphocyte count decreased", "g/L"),
    ("Hyperkalemia", "bogus"),
])
def test_incompatible_units(term: str, unit: str) -> None:
    with pytest.raises(UnitError, match=repr(unit)):
        res(term, unit)
