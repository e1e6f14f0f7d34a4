"""Body-surface area and per-patient drug doses."""

from __future__ import annotations

import math

from abscopal.errors import InputError
from abscopal.protocol import Dose, DoseUnit

BSA_FORMULA = "mosteller"


def compute_bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m² by the Mosteller formula.

    Rules
    -----
    1. ``BSA = sqrt(height_cm × weight_kg / 3600)`` (Mosteller RD. Simplified calculation of
       body-surface area. N Engl J Med 1987;317:1098).

    Examples
    --------
    >>> round(compute_bsa_mosteller(170, 70), 4)
    1.8181
    """
    if not 30 <= height_cm <= 272:
        raise InputError(f"'height_cm' must be between 30 and 272 (got {height_cm!r})")
    if not 1 <= weight_kg <= 650:
        raise InputError(f"'weight_kg' must be between 1 and 650 (got {weight_kg!r})")
    return math.sqrt(height_cm * weight_kg / 3600.0)


def compute_dose_mg(
    dose: Dose, *, bsa_m2: float | None = None, weight_kg: float | None = None
) -> tuple[float | None, str]:
    """The dose in mg for one administration day, and how it was obtained.

    Returns ``(None, reason)`` when the patient measure the unit needs is not given, or for
    ``AUC`` dosing (carboplatin-style Calvert dosing needs a GFR and is out of scope). The value
    is not rounded: rounding to vial or tablet sizes is a pharmacy policy.

    Examples
    --------
    >>> compute_dose_mg(Dose(amount=150, unit="mg/m2", per_day=True), bsa_m2=1.8)
    (270.0, '150 mg/m2 x BSA 1.80 m2')
    """
    if bsa_m2 is not None and not 0.1 <= bsa_m2 <= 5:
        raise InputError(f"'bsa_m2' must be between 0.1 and 5 (got {bsa_m2!r})")
    if weight_kg is not None and not 1 <= weight_kg <= 650:
        raise InputError(f"'weight_kg' must be between 1 and 650 (got {weight_kg!r})")
    amount = dose.amount
    if dose.unit is DoseUnit.MG:
        return amount, f"{amount:g} mg flat"
    if dose.unit is DoseUnit.MG_PER_M2:
        if bsa_m2 is None:
            return None, f"{amount:g} mg/m2: BSA needed"
        return amount * bsa_m2, f"{amount:g} mg/m2 x BSA {bsa_m2:.2f} m2"
    if dose.unit is DoseUnit.MG_PER_KG:
        if weight_kg is None:
            return None, f"{amount:g} mg/kg: weight needed"
        return amount * weight_kg, f"{amount:g} mg/kg x {weight_kg:g} kg"
    return None, f"AUC {amount:g}: dose from GFR (Calvert) is not computed here"
