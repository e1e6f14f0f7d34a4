"""Catalogue of dated measurements (labs, vital signs, performance scores) rules may name.

Each entry names its LOINC codes (how a database finds it), its canonical unit (what rule
thresholds are converted to), whether it carries a reference range (ULN/LLN rules) and, for
substances reported either by mass or by amount, the molar mass used to convert between them.
Versioned data: ``MEASUREMENTS_VERSION``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pint

from abscopal.errors import UnitError

MEASUREMENTS_VERSION = "1"


@dataclass(frozen=True)
class MeasurementSpec:
    """One measurable quantity.

    Attributes
    ----------
    name : str
        The key rules use, e.g. ``platelets``.
    label : str
        Human label.
    loinc : tuple of str
        LOINC codes that report it (the first is preferred).
    unit : str
        Canonical unit; rule thresholds and patient values are converted to it.
    has_reference_range : bool
        Whether laboratories report a normal range (so ULN/LLN multiples make sense).
    molar_mass_g_per_mol : float or None
        For mass <-> amount conversion (mg/dL <-> umol/L).
    """

    name: str
    label: str
    loinc: tuple[str, ...]
    unit: str
    has_reference_range: bool = True
    molar_mass_g_per_mol: float | None = None


MEASUREMENTS: dict[str, MeasurementSpec] = {
    m.name: m
    for m in (
        MeasurementSpec("anc", "Absolute neutrophil count", ("751-8", "26499-4", "753-4"),
                        "10^9/L"),
        MeasurementSpec("platelets", "Platelet count", ("777-3", "26515-7"), "10^9/L"),
        MeasurementSpec("hemoglobin", "Haemoglobin", ("718-7",), "g/L"),
        # Bilirubin C33H36N4O6, 584.66 g/mol; creatinine C4H7N3O, 113.12 g/mol.
        MeasurementSpec("total_bilirubin", "Total bilirubin", ("1975-2",), "mg/dL",
                        molar_mass_g_per_mol=584.66),
        MeasurementSpec("alt", "Alanine aminotransferase (ALT)", ("1742-6",), "U/L"),
        MeasurementSpec("ast", "Aspartate aminotransferase (AST)", ("1920-8",), "U/L"),
        MeasurementSpec("creatinine", "Serum creatinine", ("2160-0", "38483-4"), "mg/dL",
                        molar_mass_g_per_mol=113.12),
        MeasurementSpec("aptt", "Activated partial thromboplastin time", ("3173-2", "14979-9"),
                        "s"),
        MeasurementSpec("pt", "Prothrombin time", ("5902-2",), "s"),
        MeasurementSpec("inr", "INR", ("6301-6", "34714-6"), "1"),
        MeasurementSpec("urine_protein_24h", "Protein in 24-hour urine", ("2889-4",), "g/d"),
        MeasurementSpec("urine_protein_dipstick", "Urine protein by test strip (grade 0-4, 2 = 2+)",
                        ("20454-5",), "1", has_reference_range=False),
        MeasurementSpec("sbp", "Systolic blood pressure", ("8480-6",), "mmHg",
                        has_reference_range=False),
        MeasurementSpec("dbp", "Diastolic blood pressure", ("8462-4",), "mmHg",
                        has_reference_range=False),
        MeasurementSpec("lvef", "Left ventricular ejection fraction", ("10230-1",), "%",
                        has_reference_range=False),
        MeasurementSpec("ecog", "ECOG performance status (0-5)", ("89247-1",), "1",
                        has_reference_range=False),
        MeasurementSpec("karnofsky", "Karnofsky performance status (0-100)", ("89243-0",), "1",
                        has_reference_range=False),
        MeasurementSpec("weight", "Body weight", ("29463-7",), "kg", has_reference_range=False),
        MeasurementSpec("height", "Body height", ("8302-2",), "cm", has_reference_range=False),
    )
}

# Spellings seen in registries, EHR exports and UCUM (OMOP's unit vocabulary) -> pint text.
_ALIASES: dict[str, str] = {
    "10^9/l": "1e9/L", "x10^9/l": "1e9/L", "×10^9/l": "1e9/L", "10*9/l": "1e9/L",
    "10e9/l": "1e9/L", "g/l_cells": "1e9/L", "10^3/ul": "1e3/uL", "10*3/ul": "1e3/uL",
    "k/ul": "1e3/uL", "/ul": "1/uL", "/mm3": "1/mm**3", "cells/ul": "1/uL",
    "umol/l": "umol/L", "µmol/l": "umol/L", "mmol/l": "mmol/L", "mg/dl": "mg/dL",
    "g/dl": "g/dL", "g/l": "g/L", "mg/l": "mg/L", "u/l": "U/L", "iu/l": "U/L", "[iu]/l": "U/L",
    "s": "s", "sec": "s", "seconds": "s", "1": "1", "{ratio}": "1", "ratio": "1", "{score}": "1",
    "score": "1", "%": "percent", "g/d": "g/day", "g/(24.h)": "g/day", "g/24h": "g/day",
    "g/24 h": "g/day", "mg/d": "mg/day", "mg/(24.h)": "mg/day", "mm[hg]": "mmHg", "mmhg": "mmHg",
    "kg": "kg", "g": "g", "[lb_av]": "lb", "lb": "lb", "cm": "cm", "m": "m", "[in_i]": "inch",
    "ml/min": "mL/min", "m2": "m**2", "m^2": "m**2", "/l": "1/L",
}

_UREG: Any = pint.UnitRegistry()


def normalise_unit(unit: str) -> str:
    """The catalogue spelling of a unit (case- and space-insensitive; UCUM accepted)."""
    return re.sub(r"\s+", "", unit).lower()


def _quantity(unit: str) -> Any:
    key = normalise_unit(unit)
    text = _ALIASES.get(key, unit)
    try:
        return _UREG.Quantity(1, "dimensionless") if text == "1" else _UREG.Quantity(text)
    except (pint.errors.PintError, ValueError, TypeError, AttributeError) as exc:
        raise UnitError(f"unknown unit {unit!r} (e.g. '10^9/L', 'g/L', 'umol/L')") from exc


@lru_cache(maxsize=512)
def compute_unit_factor(from_unit: str, to_unit: str, molar_mass_g_per_mol: float | None) -> float:
    """Factor f such that ``value_in_to_unit = value_in_from_unit * f``.

    Mass and amount concentrations convert through ``molar_mass_g_per_mol`` when given.

    Raises
    ------
    UnitError
        When a unit is unknown or the two are of different dimensions.
    """
    source, target = _quantity(from_unit), _quantity(to_unit)
    try:
        return float((source / target).to("dimensionless").magnitude)
    except pint.errors.DimensionalityError:
        pass
    if molar_mass_g_per_mol is not None:
        molar = _UREG.Quantity(molar_mass_g_per_mol, "g/mol")
        for candidate in (source * molar / target, source / molar / target):
            try:
                return float(candidate.to("dimensionless").magnitude)
            except pint.errors.DimensionalityError:
                continue
    raise UnitError(
        f"unit {from_unit!r} cannot be converted to {to_unit!r} (different dimensions)"
    )


def compute_factor_to_canonical(name: str, unit: str) -> float:
    """Factor converting ``unit`` to the canonical unit of measurement ``name``."""
    spec = MEASUREMENTS[name]
    return compute_unit_factor(unit, spec.unit, spec.molar_mass_g_per_mol)


KNOWN_UNITS: tuple[str, ...] = tuple(sorted(_ALIASES))
"""Unit spellings the catalogue knows (normalised); used to build the database unit map."""


def unit_factor_for(name: str, unit: str | None) -> float | None:
    """Factor to the canonical unit for a recorded unit, or None if unknown/incompatible.

    Only spellings in the catalogue's alias table are accepted (the database path uses the
    same table), so both paths accept exactly the same units. A missing unit is accepted
    only for dimensionless measurements (scores, INR).
    """
    key = normalise_unit(unit) if unit else ""
    if key == "":
        return 1.0 if MEASUREMENTS[name].unit == "1" else None
    if key not in _ALIASES:
        return None
    try:
        return compute_factor_to_canonical(name, unit or "")
    except UnitError:
        return None
