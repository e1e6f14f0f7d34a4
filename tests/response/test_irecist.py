"""iRECIST timepoints, iUPD -> iCPD, reset, iBOR (golden, iR Tables 2-3 and FAQ-i)."""

from __future__ import annotations

from typing import Any

import pytest

from abscopal.response import Response, derive_irecist, derive_recist11, parse_patient
from tests.utils.response_cases import date, golden_cases, params_of


@pytest.mark.parametrize("case", golden_cases("irecist/table2_timepoints.json"))
def test_golden_irecist_patient(case: dict[str, Any]) -> None:
    rec = parse_patient(case["patient"])
    res = derive_irecist(rec, params=params_of(case))
    exp = case["expected"]
    assert res.rule_version == "irecist"
    labels = [None if t.overall is None else t.overall.value for t in res.timepoints]
    assert labels == exp["timepoints"], [t.reasons for t in res.timepoints]
    for key in ("ibor_confirmed", "ibor_unconfirmed"):
        if key in exp:
            assert getattr(res, key).response.value == exp[key]
    for key in ("first_iupd_date", "confirmed_iupd_date", "icpd_date"):
        if key in exp:
            assert getattr(res, key) == date(exp[key]), key
    by_date = {t.assessment_date.isoformat(): t for t in res.timepoints}
    for day, text in exp.get("reason_contains", {}).items():
        assert any(text in r for r in by_date[day].reasons), by_date[day].reasons
    if "recist11_timepoints" in exp or "recist11_bor_confirmed" in exp:
        r11 = derive_recist11(rec, params=params_of(case))
        if "recist11_timepoints" in exp:
            assert [None if t.overall is None else t.overall.value for t in r11.timepoints] == (
                exp["recist11_timepoints"])
        if "recist11_bor_confirmed" in exp:
            assert r11.bor_confirmed.response.value == exp["recist11_bor_confirmed"]


def test_timepoints_after_icpd_are_null() -> None:
    rec = parse_patient({
        "patient_id": "P", "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
        "assessments": [{"date": "2025-01-01", "lesions": {"T1": 50}},
                        {"date": "2025-02-01", "lesions": {"T1": 62}},
                        {"date": "2025-03-01", "lesions": {"T1": 70}},
                        {"date": "2025-04-01", "lesions": {"T1": 20}}]})
    res = derive_irecist(rec)
    assert [t.overall for t in res.timepoints] == [Response.IUPD, Response.ICPD, None]


def test_late_confirmation_is_accepted_with_a_note() -> None:
    rec = parse_patient({
        "patient_id": "P", "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
        "assessments": [{"date": "2025-01-01", "lesions": {"T1": 50}},
                        {"date": "2025-02-01", "lesions": {"T1": 62}},
                        {"date": "2025-04-15", "lesions": {"T1": 70}}]})
    tp = derive_irecist(rec).timepoints[1]
    assert tp.overall is Response.ICPD
    assert any("beyond the advised 56 days" in r for r in tp.reasons)
