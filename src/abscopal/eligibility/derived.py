"""Derived measures used by eligibility rules, and threshold comparison without float traps."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from abscopal.errors import InputError

Op = Literal["<", "<=", ">", ">=", "==", "!="]

RELATIVE_TOLERANCE = 1e-9
"""Values within this relative distance of a threshold count as equal to it.

Binary floating point makes ``1.5 * 1.2 == 1.7999999999999998``; without a tolerance a
creatinine of 1.8 mg/dL with ULN 1.2 would "exceed 1.5 x ULN". The same shifted thresholds
are bound into the SQL path, so both paths decide boundaries identically.
"""


def compute_tolerant_threshold(op: Op, threshold: float) -> tuple[float, float]:
    """The (lower, upper) bounds a value is compared against for ``op threshold``.

    ``<`` and ``>=`` use the lower bound ``t - tol``; ``<=`` and ``>`` use the upper
    ``t + tol``; ``==``/``!=`` use both (``tol = 1e-9 x |t|``).
    """
    tol = RELATIVE_TOLERANCE * abs(threshold)
    return threshold - tol, threshold + tol


def compare_value(value: float, op: Op, threshold: float) -> bool:
    """``value op threshold`` with the relative tolerance (see ``RELATIVE_TOLERANCE``)."""
    low, high = compute_tolerant_threshold(op, threshold)
    if op == "<":
        return value < low
    if op == "<=":
        return value <= high
    if op == ">":
        return value > high
    if op == ">=":
        return value >= low
    inside = low <= value <= high
    return inside if op == "==" else not inside


def compute_age_years(birth_date: date, *, on: date) -> int:
    """Age in completed years on date ``on``.

    Rules
    -----
    1. One year is completed on each birthday (same month and day).
    2. Someone born on 29 February completes a year on 1 March in non-leap years (policy:
       the month/day comparison treats 28 Feb as before the birthday).

    Examples
    --------
    >>> compute_age_years(date(1950, 6, 15), on=date(2025, 6, 14))
    74
    >>> compute_age_years(date(1950, 6, 15), on=date(2025, 6, 15))
    75
    """
    if on < birth_date:
        raise InputError(f"'on' must not be before 'birth_date' (got {on} < {birth_date})")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def compute_crcl_cockcroft_gault_ml_min(
    age_years: int, *, weight_kg: float, creatinine_mg_dl: float, sex: str
) -> float:
    """Creatinine clearance (mL/min) by the Cockcroft–Gault equation.

    Rules
    -----
    1. CrCl = (140 - age) x weight / (72 x serum creatinine [mg/dL]), x 0.85 for women
       (Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
       Nephron 1976;16:31-41).
    2. Actual body weight is used (the original paper; protocols rarely specify ideal weight).
    3. Creatinine in umol/L is converted first: 1 mg/dL = 88.40 umol/L (molar mass 113.12).

    Permitted values: age >= 0 years; weight and creatinine > 0; sex 'F' or 'M'.

    Examples
    --------
    >>> round(compute_crcl_cockcroft_gault_ml_min(60, weight_kg=72, creatinine_mg_dl=1.0, sex="M"), 6)
    80.0
    >>> round(compute_crcl_cockcroft_gault_ml_min(60, weight_kg=72, creatinine_mg_dl=1.0, sex="F"), 6)
    68.0
    """
    if sex not in ("F", "M"):
        raise InputError(f"'sex' must be 'F' or 'M' (got {sex!r}) - Cockcroft & Gault 1976")
    if weight_kg <= 0 or creatinine_mg_dl <= 0:
        raise InputError(
            f"'weight_kg' and 'creatinine_mg_dl' must be > 0 (got {weight_kg}, {creatinine_mg_dl})"
        )
    factor = 0.85 if sex == "F" else 1.0
    return (140 - age_years) * weight_kg * factor / (72 * creatinine_mg_dl)


def compute_bsa_mosteller_m2(*, height_cm: float, weight_kg: float) -> float:
    """Body-surface area (m²) by Mosteller's formula.

    Rules
    -----
    1. BSA = sqrt(height [cm] x weight [kg] / 3600) (Mosteller RD. Simplified calculation of
       body-surface area. N Engl J Med 1987;317:1098).

    Examples
    --------
    >>> compute_bsa_mosteller_m2(height_cm=180, weight_kg=80)
    2.0
    """
    if height_cm <= 0 or weight_kg <= 0:
        raise InputError(f"'height_cm' and 'weight_kg' must be > 0 (got {height_cm}, {weight_kg})")
    return math.sqrt(height_cm * weight_kg / 3600)


def compute_uln_multiple(value: float, *, uln: float) -> float:
    """``value / ULN`` using the laboratory's own upper limit of normal.

    Examples
    --------
    >>> compute_uln_multiple(100.0, uln=40.0)
    2.5
    """
    if uln <= 0:
        raise InputError(f"'uln' must be > 0 (got {uln})")
    return value / uln
