"""Input model: the JSON format, and clear errors naming patient, lesion and assessment."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from abscopal.errors import DateOrderError, InputError, MissingColumnError
from abscopal.response import (
    NewLesionStatus,
    TargetStatus,
    dump_patient,
    parse_patient,
    parse_patients,
)

GOOD: dict[str, Any] = {
    "patient_id": "P01",
    "treatment_start_date": "2025-01-06",
    "lesions": [
        {"id": "T1", "role": "target", "organ": "liver", "in_field": True},
        {"id": "T2", "role": "target", "organ": "lymph node", "nodal": True},
        {"id": "NT1", "role": "non_target", "organ": "bone"},
        {"id": "N1", "role": "new", "organ": "lung", "new_category": "nlt"},
    ],
    "assessments": [
        {"date": "2025-01-02", "lesions": {"T1": 46.0, "T2": 17, "NT1": "present"}},
        {"date": "2025-03-01", "lesions": {
            "T1": {"fragments_mm": [12.5, 8]}, "T2": "too_small", "NT1": "absent",
            "N1": {"status": "present", "size_mm": 11}}},
    ],
}


def _bad(**edits: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    for path, value in edits.items():
        keys = path.split("__")
        node: Any = data
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        node[int(last) if last.isdigit() else last] = value
    return data


def test_parse_good_patient() -> None:
    rec = parse_patient(GOOD)
    fu = {ob.lesion_id: ob for ob in rec.assessments[1].observations}
    assert fu["T1"].fragments_mm == (Decimal("12.5"), Decimal("8"))
    assert fu["T2"].status is TargetStatus.TOO_SMALL
    assert fu["N1"].status is NewLesionStatus.PRESENT and fu["N1"].size_mm == Decimal("11")
    assert rec.baseline_date.isoformat() == "2025-01-02"


def test_dump_parse_round_trip() -> None:
    rec = parse_patient(GOOD)
    assert parse_patient(dump_patient(rec)) == rec


def test_parse_patients_accepts_a_list_and_rejects_duplicate_ids() -> None:
    assert len(parse_patients([GOOD, _bad(patient_id="P02")])) == 2
    with pytest.raises(InputError, match=r"unique \(repeated: \['P01'\]\)"):
        parse_patients([GOOD, GOOD])


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        # negative size
        (_bad(assessments__1__lesions__T2=-3), InputError,
         "patient 'P01', lesion 'T2', assessment 2025-03-01: size must be >= 0 mm (got -3)"),
        # dates out of order
        (_bad(assessments__1__date="2025-01-01"), DateOrderError,
         "patient 'P01', assessment 2025-01-01: assessment dates must be strictly increasing"),
        # a lesion changing role at an assessment
        (_bad(assessments__1__lesions__NT1={"role": "target", "status": "present"}), InputError,
         "patient 'P01', lesion 'NT1', assessment 2025-03-01: lesion changes role: declared "
         "'non_target', recorded here as 'target'"),
        # a lesion declared twice with two roles
        (_bad(lesions__3={"id": "T1", "role": "non_target"}), InputError,
         "patient 'P01', lesion 'T1': lesion changes role: declared 'target' and 'non_target'"),
        # unknown status
        (_bad(assessments__1__lesions__NT1="shrunk"), InputError,
         "patient 'P01', lesion 'NT1', assessment 2025-03-01: 'status' must be one of "
         "['present', 'absent', 'increased', 'unequivocal_progression', 'not_assessed'] "
         "(got 'shrunk')"),
        # undeclared lesion
        (_bad(assessments__1__lesions__X9=12), InputError,
         "patient 'P01', lesion 'X9', assessment 2025-03-01: lesion is not declared"),
        # a new lesion at baseline
        (_bad(assessments__0__lesions__N1="present"), InputError,
         "lesion 'N1', assessment 2025-01-02: a new lesion cannot be present at baseline"),
        # non-target with a size
        (_bad(assessments__1__lesions__NT1=12), InputError,
         "a non_target lesion takes a status, not a size (got 12)"),
        # too many decimals
        (_bad(assessments__1__lesions__T2=1.23456), InputError, "at most 4 decimals (got 1.23456)"),
        # bad date
        (_bad(assessments__1__date="01/03/2025"), InputError,
         "'date' must be an ISO date YYYY-MM-DD (got '01/03/2025')"),
        # unknown role
        (_bad(lesions__0={"id": "T1", "role": "primary"}), InputError,
         "'role' must be one of ['target', 'non_target', 'new'] (got 'primary')"),
        # no patient id
        (_bad(patient_id=""), MissingColumnError, "'patient_id' must be a non-empty string"),
        # measured without a size
        (_bad(assessments__1__lesions__T2={"status": "measured"}), MissingColumnError,
         "a measured target needs 'size_mm' or 'fragments_mm'"),
        # boolean is not a size
        (_bad(assessments__1__lesions__T2={"size_mm": True}), InputError, "size must be a number"),
    ],
)
def test_bad_input_is_named(data: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        parse_patient(data)
    assert message in str(info.value)


def test_only_new_disease_is_rejected() -> None:
    data = {"patient_id": "P", "lesions": [{"id": "N1", "role": "new"}],
            "assessments": [{"date": "2025-01-01", "lesions": {}}]}
    with pytest.raises(InputError, match="no target or non-target lesion at baseline"):
        parse_patient(data)
