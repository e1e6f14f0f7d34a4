"""ClinicalTrials.gov v2 import, against the real record in ../shared/data/ctgov."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from abscopal.errors import InputError
from abscopal.exchange.ctgov import import_ctgov_record, slugify, split_criteria

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REAL_RECORD = SHARED / "data" / "ctgov" / "NCT06341426.json"


@pytest.fixture(scope="module")
def real() -> dict:
    return json.loads(REAL_RECORD.read_text(encoding="utf-8"))


def test_real_record_identity(real: dict) -> None:
    p = import_ctgov_record(real, imported_on=dt.date(2026, 11, 22)).protocol
    assert p.identity.registry_id == "NCT06341426"
    assert p.identity.phase.value == "PHASE2"
    assert p.identity.status.value == "RECRUITING"
    assert p.identity.target_enrolment == 92
    assert p.identity.start_date == dt.date(2024, 2, 5)
    assert p.identity.sponsor == "University Health Network, Toronto"


def test_real_record_design_and_arms(real: dict) -> None:
    p = import_ctgov_record(real).protocol
    assert p.design.allocation.value == "randomized"
    assert p.design.masking.level.value == "quadruple"
    assert [b.value for b in p.design.masking.blinded] == [
        "participant", "care_provider", "investigator", "outcomes_assessor"]
    assert [a.type.value for a in p.arms] == ["active_comparator", "placebo_comparator"]
    assert [a.interventions for a in p.arms] == [
        ("two_psychedelic_doses_psilocybin",), ("single_psychedelic_dose_psilocybin",)]


def test_real_record_criteria_split_verbatim(real: dict) -> None:
    # The record numbers 15 inclusion and 16 exclusion items (counted by hand).
    p = import_ctgov_record(real).protocol
    kinds = [c.kind.value for c in p.eligibility]
    assert kinds.count("inclusion") == 15
    assert kinds.count("exclusion") == 16
    assert p.eligibility[0].text == "Adults 18 to 65 years old."
    assert p.eligibility[15].text.startswith("Lifetime history of mania, hypomania or psychosis")
    raw = real["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert all(c.text in raw for c in p.eligibility)
    assert all(c.manual and c.rule is None for c in p.eligibility)


def test_real_record_endpoints(real: dict) -> None:
    p = import_ctgov_record(real).protocol
    levels = [e.level.value for e in p.endpoints]
    assert levels.count("primary") == 1
    assert p.endpoints[0].title == "Antidepressant Efficacy"
    assert p.endpoints[0].time_frame == "Baseline to Week 8 (Primary Endpoint)"


def test_report_names_what_could_not_be_mapped(real: dict) -> None:
    report = import_ctgov_record(real).report
    paths = [f.path for f in report.unmapped]
    assert paths == ["interventions[0].dose", "interventions[1].dose", "assessments"]
    assert "arms[0].assignment.ratio: 1 (registry states no ratio)" in report.assumed


def test_not_a_record_is_an_input_error() -> None:
    with pytest.raises(InputError, match="protocolSection"):
        import_ctgov_record({"studies": []}, source="x.json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inclusion Criteria:\n\n* a\n* b\n\nExclusion Criteria:\n\n* c",
         [("inclusion", "a"), ("inclusion", "b"), ("exclusion", "c")]),
        # continuation lines stay with their item
        ("Inclusion Criteria:\n1. first line\n   second line\n2. next",
         [("inclusion", "first line\nsecond line"), ("inclusion", "next")]),
        # no heading: inclusion by default
        ("- only item", [("inclusion", "only item")]),
        ("", []),
    ],
)
def test_split_criteria(text: str, expected: list[tuple[str, str]]) -> None:
    assert split_criteria(text) == expected


def test_slugify_prefixes_ids_that_start_with_a_digit() -> None:
    assert slugify("125I seeds + ICI", prefix="iv") == "iv_125i_seeds_ici"
    assert slugify("!!!", prefix="arm") == "arm"
