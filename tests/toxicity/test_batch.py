"""The vectorised grader agrees with the scalar grader row for row."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError, MissingColumnError, UnitError
from abscopal.toxicity import grade_lab, grade_labs
from abscopal.toxicity._ctcae_v5 import LAB_CRITERIA
from tests.toxicity.ctcae_strategies import REFS, THRESHOLDS, lab_rows, units_for

V = "ctcae_v5"
COMPARED = ("grade", "value_grade", "grade_at_most", "rule_id", "needs_clinical_review")


def _scalar(row: dict[str, Any]) -> dict[str, Any]:
    def opt(x: Any) -> Any:
        return None if x is None or (isinstance(x, float) and np.isnan(x)) else x

    r = grade_lab(row["term"], row["value"], row["unit"], version=V, lln=opt(row.get("lln")),
                  uln=opt(row.get("uln")), baseline=opt(row.get("baseline")),
                  baseline_uln=opt(row.get("baseline_uln")),
                  is_baseline_record=bool(row.get("is_baseline_record", False)),
                  clinical_grade=opt(row.get("clinical_grade")))
    return {"grade": r.grade, "value_grade": r.value_grade, "grade_at_most": r.grade_at_most,
            "rule_id": r.rule_id, "needs_clinical_review": r.needs_clinical_review}


def _vector(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = grade_labs(pd.DataFrame(rows), version=V)
    cols = {k: out[k].astype(object).where(out[k].notna(), None).tolist() for k in COMPARED}
    return [{k: cols[k][i] for k in COMPARED} for i in range(len(out))]


def _disagreements(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any, Any]]:
    vec = _vector(rows)
    return [(row, s, v) for row, v in zip(rows, vec, strict=True)
            if (s := _scalar(row)) != v]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lab_rows(), min_size=1, max_size=40))
def test_vectorised_equals_scalar_row_for_row(rows: list[dict[str, Any]]) -> None:
    assert _disagreements(rows) == []


def test_vectorised_equals_scalar_on_5000_seeded_random_rows() -> None:
    rng = random.Random(20171127)
    rows = []
    for _ in range(5000):
        crit = rng.choice(LAB_CRITERIA)
        ref = [None, rng.choice(REFS), round(rng.uniform(0.5, 200), rng.randint(0, 3))]
        lln, uln, base = rng.choice(ref), rng.choice(ref), rng.choice(ref)
        if lln is not None and uln is not None and lln > uln:
            lln, uln = uln, lln
        anchor = next((x for x in (uln, lln, base) if x is not None), 1.0)
        value = rng.choice([rng.choice(THRESHOLDS) * anchor,
                            round(rng.choice(THRESHOLDS) * anchor, 6),
                            rng.choice(THRESHOLDS), rng.uniform(0, 3000)])
        rows.append({"term": crit.key, "value": value, "unit": rng.choice(units_for(crit)),
                     "lln": lln, "uln": uln, "baseline": base})
    bad = _disagreements(rows)
    assert bad == [], bad[:3]


def test_golden_file_through_the_vectorised_grader() -> None:
    from tests.toxicity.test_ctcae import GOLDEN_ROWS

    df = pd.DataFrame([{"term": r["criterion"], "value": float(r["value"]), "unit": r["unit"],
                        "lln": float(r["lln"]) if r["lln"] else np.nan,
                        "uln": float(r["uln"]) if r["uln"] else np.nan,
                        "baseline": float(r["baseline"]) if r["baseline"] else np.nan}
                       for r in GOLDEN_ROWS])
    out = grade_labs(df, version=V)
    got = ["NG" if pd.isna(g) else str(int(g)) for g in out["grade"]]
    expected = [r["expected_grade"] for r in GOLDEN_ROWS]
    wrong = [(r["case"], e, g) for r, e, g in zip(GOLDEN_ROWS, expected, got, strict=True)
             if e != g]
    assert wrong == []


def test_golden_boundary_floats_agree() -> None:
    rows = [{"term": "Creatinine increased", "value": v, "unit": "mg/dL", "uln": u}
            for v, u in ((1.8, 1.2), (3.6, 1.2), (7.2, 1.2), (1.95, 1.3), (1.5 * 1.2, 1.2))]
    out = grade_labs(pd.DataFrame(rows), version=V)
    assert list(out["grade"]) == [1, 2, 3, 1, 1]


def test_clinical_grade_and_baseline_flag_columns() -> None:
    df = pd.DataFrame([
        {"term": "Anemia", "value": 10.5, "unit": "g/dL", "lln": 12, "clinical_grade": 3},
        {"term": "Alanine aminotransferase increased", "value": 100, "unit": "U/L", "uln": 40,
         "baseline": 100, "is_baseline_record": "true"},
        {"term": "Hyperglycemia", "value": 300, "unit": "mg/dL", "clinical_grade": 2},
    ])
    out = grade_labs(df, version=V)
    assert list(out["grade"]) == [3, 1, 2]
    assert list(out["value_grade"].isna()) == [False, False, True]
    assert bool(out["needs_clinical_review"].iloc[2])


def test_output_keeps_the_input_index() -> None:
    df = pd.DataFrame({"term": ["Anemia"] * 2, "value": [9, 13], "unit": ["g/dL"] * 2,
                       "lln": [12, 12]}, index=["a", "b"])
    out = grade_labs(df, version=V)
    assert list(out.index) == ["a", "b"] and list(out["grade"]) == [2, 0]


@pytest.mark.parametrize(("df", "error", "match"), [
    (pd.DataFrame({"term": ["Anemia"], "value": [1]}), MissingColumnError, "'unit'"),
    (pd.DataFrame({"term": ["Anemia"], "value": [-1], "unit": ["g/dL"]}), InputError,
     "'value' must be a non-negative number; rows \\[0\\]"),
    (pd.DataFrame({"term": ["Anemia"], "value": ["x"], "unit": ["g/dL"]}), InputError,
     "'value' must be numeric"),
    (pd.DataFrame({"term": ["Anemia"], "value": [1], "unit": ["g/dL"], "lln": [5],
                   "uln": [4]}), InputError, "'lln' must be <= uln"),
    (pd.DataFrame({"term": ["Anemia"], "value": [1], "unit": ["U/L"]}), UnitError, "unit"),
    (pd.DataFrame({"term": ["Hepatitis"], "value": [1], "unit": ["U/L"]}), InputError,
     "Hepatitis"),
    (pd.DataFrame({"term": ["Fatigue"], "value": [1], "unit": ["U/L"]}), InputError,
     "clinical criteria"),
    (pd.DataFrame({"term": ["Lymphocyte count decreased"], "value": [1], "unit": ["10^9/L"],
                   "clinical_grade": [5]}), InputError, "clinical_grade"),
])
def test_bad_tables(df: pd.DataFrame, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        grade_labs(df, version=V)
