"""Lesion-level response, the out-of-field subset and the abscopal flag (project convention)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from abscopal.response import (
    AbscopalBasis,
    AbscopalDefinition,
    Response,
    ResponseParams,
    compute_abscopal_response_rate,
    derive_abscopal_response,
    parse_patient,
)


def _patient(pid: str, lesions: list[dict[str, Any]], rows: list[tuple[str, dict[str, Any]]],
             new: bool = True) -> dict[str, Any]:
    les = lesions + ([{"id": "N1", "role": "new", "organ": "lung"}] if new else [])
    return {"patient_id": pid, "treatment_start_date": "2025-01-01", "lesions": les,
            "assessments": [{"date": d, "lesions": v} for d, v in rows]}


A = _patient("A", [
    {"id": "T1", "role": "target", "organ": "liver", "in_field": True},
    {"id": "T2", "role": "target", "organ": "lung"},
    {"id": "T3", "role": "target", "organ": "lymph node", "nodal": True},
], [
    ("2025-01-01", {"T1": 40, "T2": 20, "T3": 16}),
    ("2025-02-26", {"T1": 20, "T2": 15, "T3": 12}),
    ("2025-04-23", {"T1": 10, "T2": 14, "T3": 9}),
    ("2025-06-18", {"T1": 10, "T2": 20, "T3": 9, "N1": "present"}),
    ("2025-08-13", {"T1": 10, "T2": 8, "T3": 9, "N1": "present"}),
])


def test_per_lesion_course_against_own_baseline_and_nadir() -> None:
    res = derive_abscopal_response(parse_patient(A))
    t2 = next(le for le in res.lesions if le.lesion_id == "T2")
    assert [tp.response for tp in t2.timepoints] == [
        Response.SD, Response.PR, Response.PD, Response.PR]
    fu3 = t2.timepoints[2]
    assert (str(fu3.nadir_mm), str(fu3.change_from_nadir_mm), str(fu3.change_from_nadir_pct),
            str(fu3.change_from_baseline_pct)) == ("14", "6", "42.9", "0.0")
    t3 = next(le for le in res.lesions if le.lesion_id == "T3")
    assert t3.timepoints[1].response is Response.CR  # node 9 mm < 10 mm
    assert [le.in_field for le in res.lesions] == [True, False, False]


def test_out_of_field_subset_uses_its_own_baseline_and_nadir() -> None:
    res = derive_abscopal_response(parse_patient(A))
    # T2 + T3: 36 -> 27 (-25 %) -> 23 (<= 25.2) -> 29 (+26.1 %, +6 over nadir 23) -> 17
    assert [tp.response for tp in res.out_of_field] == [
        Response.SD, Response.PR, Response.PD, Response.PR]
    assert [str(tp.sum_mm) for tp in res.out_of_field] == ["27", "23", "29", "17"]


def test_abscopal_flag_counts_up_to_the_first_overall_pd() -> None:
    res = derive_abscopal_response(parse_patient(A))
    assert res.abscopal_response is True
    assert res.window_end_date is not None and res.window_end_date.isoformat() == "2025-06-18"
    # T1 responded too, but it is irradiated (local response, not abscopal)
    assert [(le.lesion_id, le.in_field) for le in res.lesions if le.responded] == [
        ("T1", True), ("T2", False), ("T3", False)]
    assert res.reasons[0].startswith("abscopal response (basis lesion): T2, T3 reached")


D = _patient("D", [{"id": "T2", "role": "target", "organ": "lung"}], [
    ("2025-01-01", {"T2": 20}),
    ("2025-02-26", {"T2": 22}),
    ("2025-04-23", {"T2": 21, "N1": "present"}),
    ("2025-06-18", {"T2": 10}),
])


def test_response_after_pd_does_not_count_by_default() -> None:
    assert derive_abscopal_response(parse_patient(D)).abscopal_response is False


def test_window_is_a_parameter() -> None:
    p = ResponseParams(abscopal=AbscopalDefinition(until_first_pd=False))
    assert derive_abscopal_response(parse_patient(D), params=p).abscopal_response is True


LESION_NOT_SUBSET = _patient("S", [
    {"id": "T2", "role": "target", "organ": "lung"},
    {"id": "T4", "role": "target", "organ": "kidney"},
], [("2025-01-01", {"T2": 20, "T4": 40}), ("2025-02-26", {"T2": 14, "T4": 40})])


def test_definition_basis_is_a_parameter() -> None:
    rec = parse_patient(LESION_NOT_SUBSET)
    assert derive_abscopal_response(rec).abscopal_response is True  # T2 -30 %
    subset = ResponseParams(abscopal=AbscopalDefinition(basis=AbscopalBasis.SUBSET_SUM))
    assert derive_abscopal_response(rec, params=subset).abscopal_response is False  # 60 -> 54
    half = ResponseParams(abscopal=AbscopalDefinition(min_decrease_fraction=Fraction(1, 2)))
    assert derive_abscopal_response(rec, params=half).abscopal_response is False


def test_no_out_of_field_target_is_not_evaluable() -> None:
    c = _patient("C", [{"id": "T1", "role": "target", "organ": "liver", "in_field": True}],
                 [("2025-01-01", {"T1": 40}), ("2025-02-26", {"T1": 10})])
    res = derive_abscopal_response(parse_patient(c))
    assert res.abscopal_response is None
    assert res.out_of_field == ()


def test_lesion_based_and_patient_based_rates() -> None:
    b = _patient("B", [{"id": "T2", "role": "target", "organ": "lung"}],
                 [("2025-01-01", {"T2": 20}), ("2025-02-26", {"T2": 18}),
                  ("2025-04-23", {"T2": 15})])
    c = _patient("C", [{"id": "T1", "role": "target", "organ": "liver", "in_field": True}],
                 [("2025-01-01", {"T1": 40}), ("2025-02-26", {"T1": 10})])
    results = [derive_abscopal_response(parse_patient(x)) for x in (A, b, c)]
    rate = compute_abscopal_response_rate(results)
    assert (rate.lesions_responding, rate.lesions_evaluable) == (2, 3)
    assert (rate.patients_responding, rate.patients_evaluable) == (1, 2)
    assert (rate.lesion_rate, rate.patient_rate) == (Fraction(2, 3), Fraction(1, 2))
