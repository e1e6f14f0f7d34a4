"""ClinicalTrials.gov import of the five seed trials, against their hand-written protocols.

The fixtures tests/golden/ctgov/<NCT>.json are the seed records (../shared/seeds/<NCT>.txt)
transcribed into the API v2 layout (provenance: tests/golden/ctgov/README.md). The hand-written
protocols in src/abscopal/datasets/trials were written from the same seeds, independently of the
importer, so agreement between the two is evidence for both. Expected values are written out.

Criterion texts are compared *exactly*: both the fixtures and the hand-written YAML keep the
registry's Markdown backslash escapes (``\\<``, ``\\>``, ``\\^``) verbatim, so no normalisation is
needed (none is applied).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from abscopal.exchange.ctgov import ImportResult, classify_endpoint_kind, import_ctgov_record
from abscopal.protocol import Protocol, dump_protocol, parse_protocol_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "golden" / "ctgov"
SEEDS = ROOT / ".." / "shared" / "seeds"
TRIALS = ROOT / "src" / "abscopal" / "datasets" / "trials"
IDS = ["NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777"]


def _import(nct: str) -> ImportResult:
    record = json.loads((FIXTURES / f"{nct}.json").read_text(encoding="utf-8"))
    return import_ctgov_record(record, source=f"{nct}.json", imported_on=dt.date(2026, 11, 22))


def _seed_protocol(nct: str) -> Protocol:
    return parse_protocol_text((TRIALS / f"{nct}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=IDS)
def pair(request: pytest.FixtureRequest) -> tuple[str, ImportResult, Protocol]:
    nct = str(request.param)
    return nct, _import(nct), _seed_protocol(nct)


# --------------------------------------------------------------------------- fixture fidelity

# Values that are codings of the seed's words rather than copies (see README.md).
TRANSCRIBED = {
    "NCT05628038": {"2025-06-26": "Current as of June 26, 2025"},
    "NCT06439888": {"2024-06": "Start date June 2024", "2026-12": "Completion date December 2026",
                    "PHASE1": "Phase 1/Phase 2", "PHASE2": "Phase 1/Phase 2"},
}


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


@pytest.mark.parametrize("nct", IDS)
def test_every_fixture_value_comes_from_the_seed(nct: str) -> None:
    seed = (SEEDS / f"{nct}.txt").read_text(encoding="utf-8")
    seed_upper = seed.upper()
    seed_lines = {line.strip() for line in seed.splitlines()}
    transcribed = TRANSCRIBED.get(nct, {})
    assert all(words in seed for words in transcribed.values())
    record = json.loads((FIXTURES / f"{nct}.json").read_text(encoding="utf-8"))
    strays = []
    for path, value in _leaves(record["protocolSection"]):
        if isinstance(value, bool):
            continue
        text = str(value)
        if path.endswith("eligibilityCriteria"):
            # each line is a seed line; headings gain the registry's colon
            strays += [line for line in text.splitlines()
                       if line and line not in seed_lines and line.rstrip(":") not in seed_lines]
            continue
        if ": " in text and path.split(".")[-1].startswith("interventionNames"):
            text = text.split(": ", 1)[1]  # "Drug: Name": the name is the seed's
        if (text in seed or text.upper().replace("_", " ") in seed_upper.replace("_", " ")
                or text in transcribed):
            continue
        strays.append(f"{path}={text!r}")
    assert strays == []


def test_fixtures_leave_out_what_the_seeds_lack() -> None:
    modules = {nct: set(json.loads((FIXTURES / f"{nct}.json").read_text())["protocolSection"])
               for nct in IDS}
    # No seed has an outcome-measure section; two have no arms; one no eligibility text.
    assert all("outcomesModule" not in m for m in modules.values())
    assert "armsInterventionsModule" not in modules["NCT05628038"]
    assert "armsInterventionsModule" not in modules["NCT06439888"]
    assert "eligibilityModule" not in modules["NCT06439888"]
    assert "designModule" not in modules["NCT05628038"]


# --------------------------------------------------------------------------- import vs seeds


def test_each_fixture_imports_to_a_valid_draft(pair: tuple[str, ImportResult, Protocol]) -> None:
    nct, result, _ = pair
    assert result.protocol.identity.registry_id == nct
    # the dumped draft validates again on its own
    again = parse_protocol_text(dump_protocol(result.protocol))
    assert again.identity == result.protocol.identity
    assert all(c.manual and c.rule is None for c in result.protocol.eligibility)


def test_criteria_equal_the_seed_protocol_one_for_one(
    pair: tuple[str, ImportResult, Protocol],
) -> None:
    _, result, seed = pair
    imported = [(c.kind.value, c.text) for c in result.protocol.eligibility]
    assert imported == [(c.kind.value, c.text) for c in seed.eligibility]


# (inclusion, exclusion) counts, counted by hand in ../shared/seeds/<NCT>.txt
CRITERIA_COUNTS = {
    "NCT05628038": (10, 20),
    "NCT06076135": (10, 14),
    "NCT06120127": (11, 8),
    "NCT06439888": (0, 0),
    "NCT07277777": (9, 10),
}


@pytest.mark.parametrize("nct", IDS)
def test_criteria_counts_match_the_seed_record(nct: str) -> None:
    kinds = Counter(c.kind.value for c in _import(nct).protocol.eligibility)
    assert (kinds["inclusion"], kinds["exclusion"]) == CRITERIA_COUNTS[nct]


def test_nested_paragraph_stays_in_its_criterion() -> None:
    criteria = _import("NCT07277777").protocol.eligibility
    assert criteria[6].text == (
        "Adequate organ function:\n\nANC ≥ 1.5 × 10⁹/L Platelets ≥ 80 × 10⁹/L Hemoglobin ≥ 90 g/L "
        "AST/ALT ≤ 3 × ULN (≤ 5 × ULN for liver metastasis) Creatinine clearance ≥ 50 mL/min")
    assert criteria[13].text == ("Uncontrolled coagulopathy or contraindication to interventional "
                                 "seed implantation:\n\nINR \\> 1.5 Platelets \\< 50 × 10⁹/L")


# registry id, phase, status, enrolment, start, completion, record date (from the seed text)
IDENTITY = {
    "NCT05628038": (None, "RECRUITING", None, None, None, dt.date(2025, 6, 26)),
    "NCT06076135": ("PHASE2", "ACTIVE_NOT_RECRUITING", 16, dt.date(2023, 12, 26),
                    dt.date(2026, 9, 30), dt.date(2025, 6, 15)),
    "NCT06120127": ("PHASE2", "RECRUITING", 80, dt.date(2023, 9, 25), dt.date(2025, 9, 25),
                    dt.date(2023, 11, 7)),
    "NCT06439888": ("PHASE1_PHASE2", "RECRUITING", None, dt.date(2024, 6, 1),
                    dt.date(2026, 12, 1), None),
    "NCT07277777": ("PHASE2", "NOT_YET_RECRUITING", 90, dt.date(2026, 1, 31),
                    dt.date(2028, 1, 1), dt.date(2026, 1, 6)),
}


def _identity_tuple(p: Protocol) -> tuple[object, ...]:
    i = p.identity
    return (i.phase.value if i.phase else None, i.status.value, i.target_enrolment, i.start_date,
            i.completion_date, i.record_updated)


@pytest.mark.parametrize("nct", IDS)
def test_identity_agrees_with_seed_and_seed_protocol(nct: str) -> None:
    imported, seed = _import(nct).protocol, _seed_protocol(nct)
    assert imported.identity.registry_id == seed.identity.registry_id == nct
    assert _identity_tuple(imported) == IDENTITY[nct]
    assert _identity_tuple(seed) == IDENTITY[nct]


# arm label -> sorted intervention names, and the intervention kinds, as the seeds list them
ARMS = {
    "NCT06076135": {
        "Treatment Stage Ⅰ": ["Intestinal Low Dose Radiotherapy-1Gy", "PD-1/PD-L1 Inhibitors"],
        "Treatment Stage Ⅱ": ["Intestinal Low Dose Radiotherapy-2-3Gy", "PD-1/PD-L1 Inhibitors"],
    },
    "NCT06120127": {
        "chemotherapy with radiotherapy and immunotherapy": ["Chemotherapy", "PD-1 antibody",
                                                             "SBRT"],
        "chemotherapy": ["Chemotherapy"],
    },
    "NCT07277777": {
        "125I Seed Brachytherapy + Immunotherapy": ["125I Seed Implantation",
                                                    "Immune Checkpoint Inhibitors"],
        "Immunotherapy Alone": ["Immune Checkpoint Inhibitors"],
    },
}
INTERVENTION_KINDS = {
    "NCT06076135": {"Intestinal Low Dose Radiotherapy-1Gy": "radiation",
                    "Intestinal Low Dose Radiotherapy-2-3Gy": "radiation",
                    "PD-1/PD-L1 Inhibitors": "drug"},
    "NCT06120127": {"SBRT": "radiation", "Chemotherapy": "drug", "PD-1 antibody": "drug"},
    "NCT07277777": {"125I Seed Implantation": "radiation", "Immune Checkpoint Inhibitors": "drug"},
}


def _arm_map(p: Protocol) -> dict[str, list[str]]:
    return {a.label: sorted(p.intervention(i).name for i in a.interventions) for a in p.arms}


@pytest.mark.parametrize("nct", sorted(ARMS))
def test_arms_and_interventions_agree_with_seed_protocol(nct: str) -> None:
    imported, seed = _import(nct).protocol, _seed_protocol(nct)
    assert _arm_map(imported) == ARMS[nct]
    assert sorted(i.name for i in imported.interventions) == sorted(
        i.name for i in seed.interventions)
    assert {i.name: i.kind for i in imported.interventions} == INTERVENTION_KINDS[nct]
    assert {i.name: i.kind for i in seed.interventions} == INTERVENTION_KINDS[nct]
    # technique read from the name agrees with the hand-written radiation interventions
    imported_rt = {i.name: i.technique for i in imported.interventions if i.kind == "radiation"}
    seed_rt = {i.name: i.technique for i in seed.interventions if i.kind == "radiation"}
    assert imported_rt == seed_rt


def test_same_named_interventions_are_told_apart_by_arm_label() -> None:
    # NCT07277777 lists "Immune Checkpoint Inhibitors" twice, once per arm, worded differently.
    p = _import("NCT07277777").protocol
    ici_in_combination = p.intervention(p.arms[0].interventions[0])
    ici_alone = p.intervention(p.arms[1].interventions[0])
    assert ici_in_combination.id != ici_alone.id
    assert ici_alone.description == ("Same agent class and dosing schedule as the experimental arm "
                                     "Administered until disease progression, unacceptable "
                                     "toxicity, or study completion")


@pytest.mark.parametrize("nct", ["NCT05628038", "NCT06439888"])
def test_records_without_arms_get_one_labelled_placeholder(nct: str) -> None:
    # The seed protocols' arms come from prose (criterion 6 / the summary), which the importer
    # does not read: NCT05628038 has 2 cohorts and 3 interventions, NCT06439888 3 arms and 2.
    imported, seed = _import(nct).protocol, _seed_protocol(nct)
    assert (len(seed.arms), len(seed.interventions)) == {"NCT05628038": (2, 3),
                                                         "NCT06439888": (3, 2)}[nct]
    assert _arm_map(imported) == {"All participants": ["not stated in the registry record"]}
    assumed = {a.path for a in imported.assumptions}
    assert {"arms[0]", "interventions[0]", "endpoints[0]"} <= assumed


UNMAPPED = {
    "NCT05628038": [
        "designModule.phases", "designModule.enrollmentInfo.count",
        "armsInterventionsModule.interventions", "armsInterventionsModule.armGroups",
        "outcomesModule.primaryOutcomes", "assessments"],
    "NCT06076135": [
        "interventions[0].regimens", "interventions[1].regimens", "interventions[2].dose",
        "outcomesModule.primaryOutcomes", "assessments"],
    "NCT06120127": [
        "interventions[0].regimens", "interventions[1].dose", "interventions[2].dose",
        "outcomesModule.primaryOutcomes", "assessments"],
    "NCT06439888": [
        "identificationModule.briefTitle", "designModule.enrollmentInfo.count",
        "armsInterventionsModule.interventions", "armsInterventionsModule.armGroups",
        "eligibilityModule.eligibilityCriteria", "outcomesModule.primaryOutcomes",
        "assessments"],
    "NCT07277777": [
        "interventions[0].dose", "interventions[1].regimens", "interventions[2].dose",
        "outcomesModule.primaryOutcomes", "assessments"],
}
ASSUMED = {
    "NCT05628038": [
        "identity.phase: left empty", "identity.target_enrolment: left empty",
        "design.allocation: 'na'", "design.intervention_model: 'single_group'",
        "design.primary_purpose: 'treatment'", "design.masking.level: 'none'",
        "interventions[0]: a placeholder procedure 'not stated in the registry record'",
        "arms[0]: one placeholder arm 'All participants' with every intervention",
        "endpoints[0]: a placeholder primary endpoint 'not stated in the registry record'"],
    "NCT06076135": [
        "interventions[0].technique: 'intestinal_low_dose_rt'",
        "interventions[0].target_volume: 'not stated in the registry record'",
        "interventions[1].technique: 'intestinal_low_dose_rt'",
        "interventions[1].target_volume: 'not stated in the registry record'",
        "endpoints[0]: a placeholder primary endpoint 'not stated in the registry record'"],
    "NCT06120127": [
        "interventions[0].technique: 'sbrt'",
        "interventions[0].target_volume: 'not stated in the registry record'",
        "arms[0].assignment.ratio: 1 (registry states no ratio)",
        "arms[1].assignment.ratio: 1 (registry states no ratio)",
        "endpoints[0]: a placeholder primary endpoint 'not stated in the registry record'"],
    "NCT06439888": [
        "identity.title: 'NCT06439888 (no title in the registry record)'",
        "identity.target_enrolment: left empty",
        "identity.start_date: 2024-06-01 (first day of the month)",
        "identity.completion_date: 2026-12-01 (first day of the month)",
        "design.allocation: 'na'", "design.intervention_model: 'single_group'",
        "design.primary_purpose: 'treatment'", "design.masking.level: 'none'",
        "interventions[0]: a placeholder procedure 'not stated in the registry record'",
        "arms[0]: one placeholder arm 'All participants' with every intervention",
        "eligibility: left empty",
        "endpoints[0]: a placeholder primary endpoint 'not stated in the registry record'"],
    "NCT07277777": [
        "interventions[1].technique: 'i125_seed_implant'",
        "interventions[1].target_volume: 'not stated in the registry record'",
        "arms[0].assignment.ratio: 1 (registry states no ratio)",
        "arms[1].assignment.ratio: 1 (registry states no ratio)",
        "endpoints[0]: a placeholder primary endpoint 'not stated in the registry record'"],
}


@pytest.mark.parametrize("nct", IDS)
def test_report_lists_exactly_what_could_not_be_mapped(nct: str) -> None:
    report = _import(nct).report
    assert [f.path for f in report.unmapped] == UNMAPPED[nct]
    assert report.assumed == ASSUMED[nct]


@pytest.mark.parametrize("nct", IDS)
def test_every_default_is_written_into_the_draft(nct: str) -> None:
    result = _import(nct)
    paths = [a.path for a in result.protocol.assumptions]
    assert paths[0] == "identity"  # provenance: where and when the draft was imported
    assert paths[1:] == [line.split(": ", 1)[0] for line in result.report.assumed]


# --------------------------------------------------------------------------- endpoint kinds

# Every endpoint title of the hand-written seed protocols (taken there from the summaries,
# as no seed has outcome measures) and the kind the classifier gives.
ENDPOINT_TITLES = [
    ("how well this combination works in reducing the cancer", "other"),  # YAML: orr
    ("objective response rate (ORR)", "orr"),
    ("disease control rate (DCR)", "dcr"),
    ("progression free survival while receiving ILDR combined therapy (PFS2)", "pfs2"),
    ("lesion-based abscopal response rate", "abscopal_response_rate"),
    ("incidence of adverse events (AEs)", "ae_incidence"),
    ("cancer-specific survival (CSS)", "css"),
    ("overall response rate (OS)", "os"),  # the record's words say ORR, its abbreviation OS
    ("biomarker exploration for response prediction", "other"),
    ("the risk of recurrence and metastasis after surgery", "rfs"),
    ("safety of pan-metastases directed SBRT combined with ATRA", "ae_incidence"),
    ("rate of patients who will have lymphopenia of grade 2 or higher",
     "lymphopenia_grade2_at_timepoint"),
    ("progression-free survival (PFS)", "pfs"),
    ("failure-free survival (FFS)", "ffs"),
    ("overall survival (OS)", "os"),
    ("duration of response (DoR)", "dor"),
    ("local control", "local_control"),
    ("recurrence rate", "recurrence_rate"),
    ("adverse events", "ae_incidence"),
    ("quality of life", "qol"),
    ("radiomics features", "other"),
    ("subgroup responses", "other"),
    ("different patterns of recurrence", "other"),
]


@pytest.mark.parametrize(("title", "kind"), ENDPOINT_TITLES)
def test_classify_endpoint_kind_on_seed_titles(title: str, kind: str) -> None:
    assert classify_endpoint_kind(title) == kind


def test_classifier_agrees_with_the_seed_protocols_but_one() -> None:
    disagreements = []
    titles = set()
    for nct in IDS:
        for endpoint in _seed_protocol(nct).endpoints:
            titles.add(endpoint.title)
            if classify_endpoint_kind(endpoint.title) != endpoint.kind.value:
                disagreements.append((nct, endpoint.title, endpoint.kind.value))
    assert titles == {title for title, _ in ENDPOINT_TITLES}
    # A title that names no measure: the protocol's author chose ORR from the context.
    assert disagreements == [
        ("NCT05628038", "how well this combination works in reducing the cancer", "orr")]
