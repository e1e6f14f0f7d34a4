"""The patient file: validation with located, readable errors."""

from __future__ import annotations

from datetime import date

import pytest

from abscopal.eligibility import parse_patient
from abscopal.errors import InputError


def test_minimal_patient() -> None:
    p = parse_patient({"patient_id": "A", "facts": {"birth_date": "1950-02-03", "sex": "M"}})
    assert p.facts["birth_date"] == date(1950, 2, 3)
    assert p.observation_periods is None  # complete history assumed


def test_measurement_by_loinc_resolves_its_name() -> None:
    p = parse_patient({"patient_id": "A", "measurements": [
        {"loinc": "718-7", "value": 120, "unit": "g/L", "date": "2025-01-01"}]})
    assert p.measurements[0].key == "hemoglobin"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"patient_id": "A", "facts": {"ecog_score": 1}}, "facts.ecog_score: unknown patient field"),
        ({"patient_id": "A", "facts": {"liver_metastases": "yes"}}, "expected true/false"),
        ({"patient_id": "A", "facts": {"birth_date": "03/02/1950"}}, "expected a date"),
        ({"patient_id": "A", "measurements": [{"value": 1, "date": "2025-01-01"}]},
         "needs a 'name' or a 'loinc'"),
        ({"patient_id": "A", "measurements": [{"name": "ALT", "date": "2025-01-01"}]},
         "unknown measurement 'ALT'"),
        ({"patient_id": "A", "events": [{"domain": "drug", "date": "2025-01-05",
                                         "end_date": "2025-01-01",
                                         "codes": [{"vocabulary": "RxNorm", "code": "723"}]}]},
         "before 'date'"),
        ({"patient_id": "A", "events": [{"domain": "lab", "date": "2025-01-05",
                                         "codes": [{"vocabulary": "X", "code": "1"}]}]},
         "events.0.domain"),
        ({"patient_id": "A", "surprise": 1}, "surprise"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_invalid_patient_files_are_explained(doc: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_patient(doc, source="p.json")
    assert message in str(info.value)
    assert str(info.value).startswith("p.json")
