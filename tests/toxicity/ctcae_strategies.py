"""Hypothesis strategies for CTCAE lab rows: values concentrated on grade boundaries."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from abscopal.toxicity._ctcae_v5 import LAB_CRITERIA, TERMS

ALLOWED = {t.term: t.allowed_grades for t in TERMS}

UNITS: dict[str, list[str]] = {
    "1/L": ["10^9/L", "/mm3", "10^3/uL", "cells/uL", "G/L"],
    "g/dL": ["g/dL", "g/L", "mmol/L", "mg/dL"],
    "U/L": ["U/L", "IU/L", "ukat/L"],
    "mg/dL": ["mg/dL", "umol/L", "mmol/L", "mg/L"],
    "mmol/L": ["mmol/L", "mEq/L", "mg/dL"],
}
_SPECIAL = {"albumin": ["g/dL", "g/L"], "potassium": ["mmol/L", "mEq/L"],
            "sodium": ["mmol/L", "mEq/L"], "creatinine": ["mg/dL", "umol/L"],
            "total bilirubin": ["mg/dL", "umol/L"]}


def units_for(crit: Any) -> list[str]:
    return _SPECIAL.get(crit.analyte.name.lower(), UNITS[crit.analyte.unit_family])


# Absolute thresholds and multipliers of the table, plus typical reference limits.
THRESHOLDS = sorted({float(c.factor) for crit in LAB_CRITERIA for b in crit.branches
                     for r in b.rules for c in r.conditions})
REFS = [0.6, 0.67, 0.7, 0.8, 0.9, 1.0, 1.2, 1.3, 1.5, 2.0, 2.15, 3.5, 4.0, 5.0, 7.5, 12.0,
        35.0, 40.0, 60.0, 120.0, 135.0, 145.0, 150.0, 1000.0]


@st.composite
def lab_rows(draw: st.DrawFn) -> dict[str, Any]:
    crit = draw(st.sampled_from(LAB_CRITERIA))
    unit = draw(st.sampled_from(units_for(crit)))
    ref = st.one_of(st.none(), st.sampled_from(REFS),
                    st.floats(0.01, 2000, allow_nan=False, allow_infinity=False))
    lln, uln, base = draw(ref), draw(ref), draw(ref)
    if lln is not None and uln is not None and lln > uln:
        lln, uln = uln, lln
    anchor = draw(st.sampled_from([x for x in (lln, uln, base) if x is not None] or [1.0]))
    mult = draw(st.sampled_from(THRESHOLDS))
    value = draw(st.one_of(
        st.sampled_from(THRESHOLDS),
        st.just(mult * anchor),                        # binary product, e.g. 1.7999999999999998
        st.just(float(f"{mult * anchor:.10g}")),       # its decimal twin, e.g. 1.8
        st.floats(0, 5000, allow_nan=False, allow_infinity=False),
    ))
    return {"term": crit.key, "value": value, "unit": unit, "lln": lln, "uln": uln,
            "baseline": base, "baseline_uln": draw(st.one_of(st.none(), st.sampled_from(REFS))),
            "is_baseline_record": draw(st.booleans()),
            "clinical_grade": draw(st.one_of(st.none(), st.none(),
                                             st.sampled_from((0, *ALLOWED[crit.term]))))}
