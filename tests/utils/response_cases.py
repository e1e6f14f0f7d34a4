"""Shared helpers for the response tests: golden-file loading and Hypothesis strategies."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from abscopal.response import PostPrPolicy, ResponseParams

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def load_golden(relpath: str) -> dict[str, Any]:
    """Load one golden file; each case must carry an id and a provenance."""
    data: dict[str, Any] = json.loads((GOLDEN / relpath).read_text(encoding="utf-8"))
    assert data.get("source"), f"{relpath}: golden file without a source"
    for case in data["cases"]:
        assert case.get("id") and case.get("provenance"), f"{relpath}: case without provenance"
    return data


def golden_cases(*relpaths: str) -> list[Any]:
    """pytest params (id = file:case) over the cases of the given golden files."""
    import pytest

    out = []
    for rel in relpaths:
        data = load_golden(rel)
        for case in data["cases"]:
            merged = {**data.get("defaults", {}), **case}
            out.append(pytest.param(merged, id=f"{Path(rel).stem}:{case['id']}"))
    return out


def params_of(case: dict[str, Any]) -> ResponseParams:
    raw = dict(case.get("params", {}))
    if "post_pr_policy" in raw:
        raw["post_pr_policy"] = PostPrPolicy(raw["post_pr_policy"])
    return ResponseParams(**raw)


def date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


# --- Hypothesis strategies ---------------------------------------------------------------

ORGANS = ("liver", "lung", "bone", "adrenal", "kidney")
TARGET_VALUES = st.one_of(
    st.integers(min_value=0, max_value=900).map(lambda t: t / 10),  # tenths of mm
    st.sampled_from(["too_small", "disappeared", "not_assessed"]),
)
NT_VALUES = st.sampled_from(
    ["present", "present", "absent", "increased", "unequivocal_progression", "not_assessed"]
)
NEW_VALUES = st.sampled_from(["absent", "absent", "absent", "equivocal", "present"])


@st.composite
def patients(draw: st.DrawFn, *, max_followups: int = 6) -> dict[str, Any]:
    """A random but valid patient in the documented JSON form."""
    n_t = draw(st.integers(min_value=0, max_value=5))
    n_nt = draw(st.integers(min_value=0 if n_t else 1, max_value=2))
    n_fu = draw(st.integers(min_value=1, max_value=max_followups))
    lesions: list[dict[str, Any]] = []
    for i in range(n_t):
        nodal = draw(st.booleans())
        lesions.append({"id": f"T{i + 1}", "role": "target", "nodal": nodal,
                        "organ": "lymph node" if nodal else draw(st.sampled_from(ORGANS)),
                        "in_field": draw(st.booleans())})
    for i in range(n_nt):
        lesions.append({"id": f"NT{i + 1}", "role": "non_target", "organ": "bone"})
    lesions.append({"id": "N1", "role": "new", "organ": "lung"})
    day = dt.date(2025, 1, 1)
    base: dict[str, Any] = {}
    for les in lesions[:n_t]:
        base[les["id"]] = draw(st.integers(min_value=100, max_value=900)) / 10
    for les in lesions[n_t:n_t + n_nt]:
        base[les["id"]] = "present"
    assessments = [{"date": day.isoformat(), "lesions": base}]
    for _ in range(n_fu):
        day = day + dt.timedelta(days=draw(st.integers(min_value=14, max_value=70)))
        obs: dict[str, Any] = {}
        for les in lesions[:n_t]:
            obs[les["id"]] = draw(TARGET_VALUES)
        for les in lesions[n_t:n_t + n_nt]:
            obs[les["id"]] = draw(NT_VALUES)
        obs["N1"] = draw(NEW_VALUES)
        assessments.append({"date": day.isoformat(), "lesions": obs})
    return {"patient_id": "H", "treatment_start_date": "2025-01-01", "lesions": lesions,
            "assessments": assessments}


def scale_patient(data: dict[str, Any], factor: int) -> dict[str, Any]:
    """Multiply every size in a patient's JSON form by ``factor`` (exact: tenths x int)."""
    out = json.loads(json.dumps(data))
    for a in out["assessments"]:
        for lid, v in list(a["lesions"].items()):
            if isinstance(v, int | float) and not isinstance(v, bool):
                a["lesions"][lid] = float(Fraction(str(v)) * factor)
            elif isinstance(v, dict) and "size_mm" in v:
                v["size_mm"] = float(Fraction(str(v["size_mm"])) * factor)
    return out


@st.composite
def response_params(draw: st.DrawFn) -> ResponseParams:
    """Random protocol parameters (every policy switch)."""
    return ResponseParams(
        require_confirmation=draw(st.booleans()),
        confirm_min_days=draw(st.sampled_from([21, 28, 35])),
        sd_min_days=draw(st.sampled_from([28, 42, 56])),
        max_ne_between_confirmation=draw(st.integers(min_value=0, max_value=2)),
        accept_sd_between_confirmation=draw(st.booleans()),
        post_pr_policy=draw(st.sampled_from(list(PostPrPolicy))),
        pd_after_cr_reappearance=draw(st.booleans()),
        exclude_in_field_from_targets=draw(st.booleans()),
    )
