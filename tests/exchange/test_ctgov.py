"""ClinicalTrials.gov v2 import, against the real record in ../shared/data/ctgov."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from abscopal.errors import InputError
from abscopal.exchange.ctgov import (
    classify_radiation_technique,
    import_ctgov_record,
    slugify,
    split_criteria,
)

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
        # a bulleted heading (ClinConnect renders every line as a bullet)
        ("• Inclusion Criteria:\n• a\n• Exclusion Criteria:\n• b",
         [("inclusion", "a"), ("exclusion", "b")]),
        # "Key" headings, no colon
        ("Key Inclusion Criteria\n* a\nKey Exclusion Criteria\n* b",
         [("inclusion", "a"), ("exclusion", "b")]),
        # indented sub-items stay in their parent, marker kept
        ("Inclusion Criteria:\n1. Adequate organ function:\n   * ANC >= 1.5\n   * PLT >= 100\n"
         "2. ECOG 0-1",
         [("inclusion", "Adequate organ function:\n* ANC >= 1.5\n* PLT >= 100"),
          ("inclusion", "ECOG 0-1")]),
        # a blank line inside an item is kept once; trailing blanks are dropped
        ("* Adequate organ function:\n\n\nANC >= 1.5\n\n* next",
         [("inclusion", "Adequate organ function:\n\nANC >= 1.5"), ("inclusion", "next")]),
        # a number followed by a digit is text, not a marker
        ("1. AST or ALT >\n2.5 ULN\n2. RECIST\n1.1 measurable",
         [("inclusion", "AST or ALT >\n2.5 ULN"), ("inclusion", "RECIST\n1.1 measurable")]),
        # a marker may touch its text
        ("1.Age >= 18\n2)ECOG 0-1\n(3) consent",
         [("inclusion", "Age >= 18"), ("inclusion", "ECOG 0-1"), ("inclusion", "consent")]),
        # "e.g." at the start of a line is not a lettered item
        ("a. first\ne.g. an example\nb. second",
         [("inclusion", "first\ne.g. an example"), ("inclusion", "second")]),
        # a section without markers: one item per line
        ("Inclusion Criteria:\nAge >= 18\nECOG 0-1\n\nExclusion Criteria:\n- pregnancy",
         [("inclusion", "Age >= 18"), ("inclusion", "ECOG 0-1"), ("exclusion", "pregnancy")]),
    ],
)
def test_split_criteria(text: str, expected: list[tuple[str, str]]) -> None:
    assert split_criteria(text) == expected


def test_slugify_prefixes_ids_that_start_with_a_digit() -> None:
    assert slugify("125I seeds + ICI", prefix="iv") == "iv_125i_seeds_ici"
    assert slugify("!!!", prefix="arm") == "arm"


def test_slugify_folds_compatibility_characters() -> None:
    assert slugify("Treatment Stage Ⅱ", prefix="arm") == "treatment_stage_ii"


@pytest.mark.parametrize(
    ("name", "technique"),
    [
        ("125I Seed Implantation", "i125_seed_implant"),
        ("I-125 seeds", "i125_seed_implant"),
        ("Iodine-125 brachytherapy", "i125_seed_implant"),
        ("Intestinal Low Dose Radiotherapy-1Gy", "intestinal_low_dose_rt"),
        ("SBRT", "sbrt"),
        ("Stereotactic ablative radiotherapy", "sbrt"),
        ("Hypofractionated radiotherapy", "hypofractionated_ebrt"),
        ("Radiotherapy", None),  # names no technique
        ("Pembrolizumab", None),
    ],
)
def test_classify_radiation_technique(name: str, technique: str | None) -> None:
    assert classify_radiation_technique(name) == technique


def _record(**modules: object) -> dict:
    base: dict = {
        "identificationModule": {"nctId": "NCT00000001", "briefTitle": "T"},
        "statusModule": {"overallStatus": "RECRUITING"},
        "sponsorCollaboratorsModule": {"leadSponsor": {"name": "S"}},
        "designModule": {"phases": ["PHASE2"], "enrollmentInfo": {"count": 10},
                         "designInfo": {"allocation": "NA", "interventionModel": "SINGLE_GROUP",
                                        "primaryPurpose": "TREATMENT",
                                        "maskingInfo": {"masking": "NONE"}}},
        "armsInterventionsModule": {
            "armGroups": [{"label": "A", "type": "EXPERIMENTAL", "interventionNames": ["Drug: X"]}],
            "interventions": [{"type": "DRUG", "name": "X"}]},
        "outcomesModule": {"primaryOutcomes": [{"measure": "Objective response rate"}]},
        "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n* a"},
    }
    base.update(modules)
    return {"protocolSection": base}


def test_complete_minimal_record_needs_no_defaults() -> None:
    result = import_ctgov_record(_record())
    assert result.report.assumed == []
    assert [f.path for f in result.report.unmapped] == ["interventions[0].dose", "assessments"]
    assert result.protocol.endpoints[0].kind.value == "orr"


def test_missing_phase_and_enrolment_are_left_empty_not_invented() -> None:
    result = import_ctgov_record(_record(designModule={"designInfo": {
        "allocation": "NA", "interventionModel": "SINGLE_GROUP", "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": "NONE"}}}))
    identity = result.protocol.identity
    assert (identity.phase, identity.target_enrolment) == (None, None)
    assert result.report.assumed == ["identity.phase: left empty",
                                     "identity.target_enrolment: left empty"]


def test_month_only_dates_become_the_first_and_say_so() -> None:
    result = import_ctgov_record(_record(statusModule={
        "overallStatus": "RECRUITING", "startDateStruct": {"date": "2024-06"},
        "completionDateStruct": {"date": "2026-12", "type": "ESTIMATED"}}))
    assert result.protocol.identity.start_date == dt.date(2024, 6, 1)
    assert result.protocol.identity.completion_date == dt.date(2026, 12, 1)
    assumptions = {a.path: a.assumed for a in result.protocol.assumptions}
    assert assumptions["identity.start_date"] == "2024-06-01 (first day of the month)"


def test_unreadable_date_is_reported_and_left_out() -> None:
    result = import_ctgov_record(_record(statusModule={
        "overallStatus": "RECRUITING", "startDateStruct": {"date": "June 2024"}}))
    assert result.protocol.identity.start_date is None
    assert str(result.report.unmapped[0]) == (
        "statusModule.startDateStruct: expected a date YYYY-MM-DD or YYYY-MM (got 'June 2024')")


def test_radiation_named_by_technique_becomes_a_radiation_intervention() -> None:
    arms = {"armGroups": [{"label": "A", "type": "EXPERIMENTAL",
                           "interventionNames": ["Radiation: SBRT", "Radiation: Radiotherapy"]}],
            "interventions": [{"type": "RADIATION", "name": "SBRT", "description": "8 Gy x 3"},
                              {"type": "RADIATION", "name": "Radiotherapy"}]}
    result = import_ctgov_record(_record(armsInterventionsModule=arms))
    sbrt, plain = result.protocol.interventions
    assert (sbrt.kind, sbrt.technique.value, sbrt.dose_note) == ("radiation", "sbrt", "8 Gy x 3")
    assert plain.kind == "procedure"  # no technique named: written by hand
    assert [f.path for f in result.report.unmapped][:2] == ["interventions[0].regimens",
                                                             "interventions[1]"]


def test_seed_implant_filed_as_other_is_radiation_with_isotope() -> None:
    arms = {"armGroups": [{"label": "A", "type": "EXPERIMENTAL",
                           "interventionNames": ["Other: 125I Seed Implantation"]}],
            "interventions": [{"type": "OTHER", "name": "125I Seed Implantation"}]}
    seed = import_ctgov_record(_record(armsInterventionsModule=arms)).protocol.interventions[0]
    assert (seed.kind, seed.technique.value, seed.isotope) == (
        "radiation", "i125_seed_implant", "I-125")


def test_same_names_without_arm_labels_take_the_first_and_say_so() -> None:
    arms = {"armGroups": [{"label": "A", "type": "EXPERIMENTAL", "interventionNames": ["Drug: X"]}],
            "interventions": [{"type": "DRUG", "name": "X"}, {"type": "DRUG", "name": "X"}]}
    result = import_ctgov_record(_record(armsInterventionsModule=arms))
    assert result.protocol.arms[0].interventions == ("x",)
    assert [i.id for i in result.protocol.interventions] == ["x", "x_2"]
    assert "arms[0].interventions: 'Drug: X' taken as the first of 2 interventions so named" in (
        result.report.assumed)


def test_reference_without_type_label_still_resolves() -> None:
    arms = {"armGroups": [{"label": "A", "type": "EXPERIMENTAL", "interventionNames": ["X"]}],
            "interventions": [{"type": "DRUG", "name": "X"}]}
    result = import_ctgov_record(_record(armsInterventionsModule=arms))
    assert result.protocol.arms[0].interventions == ("x",)


def test_record_without_title_or_sponsor_gets_named_placeholders() -> None:
    result = import_ctgov_record(_record(identificationModule={"nctId": "NCT00000001"},
                                         sponsorCollaboratorsModule={}))
    identity = result.protocol.identity
    assert identity.title == "NCT00000001 (no title in the registry record)"
    assert identity.sponsor == "not stated in the registry record"
    assert [f.path for f in result.report.unmapped][:2] == [
        "identificationModule.briefTitle", "sponsorCollaboratorsModule.leadSponsor.name"]


def test_real_record_endpoint_kinds(real: dict) -> None:
    # docs/guides/import.md: 2 of the 19 psychiatric outcome titles name an endpoint kind
    kinds = {e.title: e.kind.value for e in import_ctgov_record(real).protocol.endpoints
             if e.kind.value != "other"}
    assert len(import_ctgov_record(real).protocol.endpoints) == 19
    assert kinds == {
        "Self-Reported Quality of Life": "qol",
        "Incidence of Treatment Emergent Adverse Events (Safety and Tolerability)": "ae_incidence",
    }
