"""RECIST 1.1 timepoints: R11 Tables 1-2, the worked examples and the exact thresholds (golden)."""

from __future__ import annotations

from typing import Any

import pytest

from abscopal.response import Response, combine_overall, derive_recist11, parse_patient
from tests.utils.response_cases import date, golden_cases, params_of


def _r(label: str | None) -> Response | None:
    return None if label is None else Response(label)


@pytest.mark.parametrize("case", golden_cases("recist11/table1_overall.json"))
def test_table1_row(case: dict[str, Any]) -> None:
    got, row = combine_overall(_r(case["target"]), _r(case["non_target"]), case["new"])
    assert got.value == case["expected"]
    assert row.startswith("R11 Table 1")


@pytest.mark.parametrize("case", golden_cases("recist11/table2_non_target_only.json"))
def test_table2_row(case: dict[str, Any]) -> None:
    got, row = combine_overall(None, _r(case["non_target"]), case["new"])
    assert got.value == case["expected"]
    assert row.startswith("R11 Table 2")


def check_patient_case(case: dict[str, Any], result: Any, *, bor_prefix: str = "bor") -> None:
    exp = case["expected"]
    labels = [None if t.overall is None else t.overall.value for t in result.timepoints]
    assert labels == exp["timepoints"]
    for key in ("confirmed", "unconfirmed"):
        if f"{bor_prefix}_{key}" in exp:
            assert getattr(result, f"{bor_prefix}_{key}").response.value == exp[f"{bor_prefix}_{key}"]
    bor = result.bor_confirmed if hasattr(result, "bor_confirmed") else result.ibor_confirmed
    for key in ("pd_date", "first_response_date", "confirmation_date"):
        if key in exp:
            assert getattr(bor, key) == date(exp[key]), key
    by_date = {t.assessment_date.isoformat(): t for t in result.timepoints}
    for day, text in exp.get("reason_contains", {}).items():
        assert any(text in r for r in by_date[day].reasons), (text, by_date[day].reasons)
    for day, text in exp.get("reason_equals", {}).items():
        assert text in by_date[day].reasons, by_date[day].reasons


@pytest.mark.parametrize(
    "case", golden_cases("recist11/worked_examples.json", "recist11/thresholds.json")
)
def test_golden_patient(case: dict[str, Any]) -> None:
    result = derive_recist11(parse_patient(case["patient"]), params=params_of(case))
    assert result.rule_version == "recist_1_1"
    check_patient_case(case, result)


def test_timepoints_after_pd_are_null_but_keep_the_sum() -> None:
    rec = parse_patient({
        "patient_id": "P", "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
        "assessments": [{"date": "2025-01-01", "lesions": {"T1": 30}},
                        {"date": "2025-02-01", "lesions": {"T1": 40}},
                        {"date": "2025-03-01", "lesions": {"T1": 20}}]})
    tps = derive_recist11(rec).timepoints
    assert [t.overall for t in tps] == [Response.PD, None]
    assert str(tps[1].target_sum_mm) == "20"
    assert tps[1].reasons == ("evaluation ended at PD on 2025-02-01",)


def test_change_percentages_are_rounded_for_display_only() -> None:
    rec = parse_patient({
        "patient_id": "P", "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
        "assessments": [{"date": "2025-01-01", "lesions": {"T1": 46.0}},
                        {"date": "2025-02-01", "lesions": {"T1": 32.2}}]})
    tp = derive_recist11(rec).timepoints[0]
    assert (str(tp.change_from_baseline_pct), str(tp.target_sum_mm), str(tp.nadir_mm)) == (
        "-30.0", "32.2", "46")


def test_exclude_in_field_targets_turns_them_into_non_targets() -> None:
    data = {
        "patient_id": "P", "treatment_start_date": "2025-01-01",
        "lesions": [{"id": "T1", "role": "target", "organ": "liver", "in_field": True},
                    {"id": "T2", "role": "target", "organ": "lung"}],
        "assessments": [{"date": "2025-01-01", "lesions": {"T1": 50, "T2": 20}},
                        {"date": "2025-02-26", "lesions": {"T1": 10, "T2": 19}}]}
    rec = parse_patient(data)
    # all targets: 29 from 70 is -58.6 % -> PR
    assert derive_recist11(rec).timepoints[0].overall is Response.PR
    # irradiated T1 excluded: T2 19 from 20 -> SD; T1 (present) is a non-target
    tp = derive_recist11(rec, params=params_of({"params": {"exclude_in_field_from_targets": True}})
                         ).timepoints[0]
    assert (tp.overall, tp.target, tp.non_target) == (
        Response.SD, Response.SD, Response.NON_CR_NON_PD)
