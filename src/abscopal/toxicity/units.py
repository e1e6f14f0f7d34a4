"""Lab units for CTCAE grading: parse with pint, pick the criteria branch, give an exact factor.

Rules
-----
1. Cell counts: ``/mm3`` = cells/uL; 1 x 10^9/L = 1000/mm3 = 1 x 10^3/uL (CTCAE v5.0 front
   matter uses both ``/mm3`` and ``x 10e9 /L``).
2. A value is graded against the CTCAE criteria written in *its own* unit when CTCAE has them
   (mg/dL and mmol/L cut-offs are rounded independently, e.g. Ca 8.0 mg/dL = 1.996 mmol/L),
   otherwise it is converted to the first native unit of the same dimension, otherwise (mass
   <-> substance) through the analyte's molar mass (cited in ``_ctcae_v5``).
3. ``mEq/L`` = ``mmol/L`` x valence (K, Na: 1; Ca, Mg: 2). ``IU/L`` = ``U/L``.
4. Factors are made exact ``Decimal`` values (15 significant digits of pint's float factor),
   so that ``1500 /mm3`` becomes exactly ``1.500 x 10^9/L``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pint

from abscopal.errors import UnitError
from abscopal.toxicity._schema import LabCriterion

# Spellings pint cannot read (or reads wrongly: "G/L" is gauss per litre to pint).
_ALIASES: dict[str, str] = {
    "/mm3": "1/mm**3", "/mm^3": "1/mm**3", "cells/mm3": "1/mm**3", "cells/mm^3": "1/mm**3",
    "mm-3": "1/mm**3", "1/mm3": "1/mm**3", "/ul": "1/uL", "cells/ul": "1/uL", "1/ul": "1/uL",
    "10^9/l": "10**9/L", "10e9/l": "10**9/L", "x10^9/l": "10**9/L", "x10e9/l": "10**9/L",
    "10*9/l": "10**9/L", "10**9/l": "10**9/L", "giga/l": "10**9/L",
    "10^3/ul": "10**3/uL", "10e3/ul": "10**3/uL", "x10^3/ul": "10**3/uL", "10*3/ul": "10**3/uL",
    "10**3/ul": "10**3/uL", "k/ul": "10**3/uL", "thou/ul": "10**3/uL",
    "10^3/mm3": "10**3/mm**3", "10e3/mm3": "10**3/mm**3",
    "iu/l": "U/L", "u/l": "U/L", "ukat/l": "ukat/L", "mg/dl": "mg/dL", "g/dl": "g/dL",
    "g/l": "g/L", "mg/l": "mg/L", "mmol/l": "mmol/L", "umol/l": "umol/L",
}
_CASE_SENSITIVE = {"G/L": "10**9/L"}  # French "giga par litre"; "g/L" stays grams per litre


@dataclass(frozen=True)
class UnitResolution:
    """How a value in a given unit is graded for one criterion.

    Attributes
    ----------
    branch_index : int or None
        Index of the unit branch to use; None for unit-free (multiple-of-ULN) criteria.
    factor : Decimal
        Multiply the value (and LLN/ULN/baseline, given in the same unit) by this to get the
        native unit. Exactly 1 when no conversion is needed.
    native_unit : str or None
        The unit the criteria are written in, or None for unit-free criteria.
    converted : bool
        True when the value had to be converted (factor != 1).
    """

    branch_index: int | None
    factor: Decimal
    native_unit: str | None
    converted: bool


@functools.cache
def _registry() -> Any:
    return pint.UnitRegistry()


def _normalise(unit: str) -> str:
    u = unit.strip().replace("µ", "u").replace("μ", "u").replace("³", "3")
    if u in _CASE_SENSITIVE:
        return _CASE_SENSITIVE[u]
    compact = u.replace(" ", "").lower()
    return _ALIASES.get(compact, u)


def _quantity(unit: str, valence: int | None, criterion: LabCriterion) -> Any:
    """Parse ``unit`` into a pint quantity of magnitude 1 (or 10^k, 1/valence) in that unit."""
    ureg = _registry()
    compact = unit.strip().replace(" ", "").lower()
    if compact in ("meq/l", "meq/dl"):
        if valence is None:
            raise UnitError(
                f"'unit' for {criterion.term!r} ({criterion.analyte.name}) cannot be mEq: no "
                f"valence is defined for this analyte; use {criterion.analyte.examples} "
                f"(got {unit!r})"
            )
        base = "mmol/L" if compact == "meq/l" else "mmol/dL"
        return ureg.Quantity(1, base) / valence
    try:
        return ureg.Quantity(_normalise(unit))
    except Exception as exc:  # pint raises several unrelated types for bad strings
        raise UnitError(
            f"'unit' {unit!r} is not a unit abscopal can read; for {criterion.term!r} use "
            f"{criterion.analyte.examples}"
        ) from exc


def _to_decimal(x: float) -> Decimal:
    return Decimal(f"{x:.15g}").normalize()


@functools.lru_cache(maxsize=4096)
def resolve_unit(criterion: LabCriterion, unit: str) -> UnitResolution:
    """Decide which criteria branch grades a value reported in ``unit``, and the factor.

    Parameters
    ----------
    criterion : LabCriterion
        The lab criterion (from the versioned table).
    unit : str
        The unit the value, LLN, ULN and baseline are reported in.

    Returns
    -------
    UnitResolution

    Raises
    ------
    UnitError
        If the unit is unknown or of the wrong dimension for the analyte.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError(f"'unit' must be a non-empty unit string such as "
                        f"{criterion.analyte.examples} (got {unit!r})")
    analyte = criterion.analyte
    q = _quantity(unit, analyte.valence, criterion)
    family = _registry().Quantity(analyte.unit_family)
    ureg = _registry()
    mass = ureg.Quantity("g/L").dimensionality
    subst = ureg.Quantity("mol/L").dimensionality
    molar = analyte.molar_mass_g_per_mol
    convertible = q.dimensionality == family.dimensionality or (
        molar is not None and {q.dimensionality, family.dimensionality} == {mass, subst}
    )
    if not convertible:
        raise UnitError(
            f"'unit' for {criterion.term!r} ({analyte.name}) must be one of "
            f"{analyte.examples} or a unit of the same kind (got {unit!r})"
        )
    unit_branches = [(i, b) for i, b in enumerate(criterion.branches) if b.unit is not None]
    if not unit_branches:
        return UnitResolution(None, Decimal(1), None, False)

    def factor_to(native: str) -> float | None:
        target = ureg.Quantity(native)
        if q.dimensionality == target.dimensionality:
            return float((q / target).to("dimensionless").magnitude)
        if molar is None:
            return None
        m = float(molar)
        if q.dimensionality == mass and target.dimensionality == subst:
            return float((q.to("g/L").magnitude / m) / target.to("mol/L").magnitude)
        if q.dimensionality == subst and target.dimensionality == mass:
            return float((q.to("mol/L").magnitude * m) / target.to("g/L").magnitude)
        return None

    factors = [(i, b.unit, factor_to(b.unit)) for i, b in unit_branches if b.unit]
    for i, native, f in factors:  # 1. the value's own unit
        if f is not None and _to_decimal(f) == 1:
            return UnitResolution(i, Decimal(1), native, False)
    for i, native, f in factors:  # 2. same dimension
        if f is not None and ureg.Quantity(native).dimensionality == q.dimensionality:
            return UnitResolution(i, _to_decimal(f), native, True)
    for i, native, f in factors:  # 3. through the molar mass
        if f is not None:
            return UnitResolution(i, _to_decimal(f), native, True)
    raise UnitError(  # pragma: no cover - guarded by the dimension check above
        f"'unit' {unit!r} cannot be converted to the criteria units of {criterion.term!r}"
    )
