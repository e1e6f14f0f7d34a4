"""Protocol model: a table of broken protocols, each rejected with a located, readable finding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from abscopal.errors import ProtocolError
from abscopal.protocol import Protocol, parse_protocol

Doc = dict[str, Any]


def _set(path: list[Any], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _append_arm_copy(doc: Doc) -> None:
    doc["arms"].append(dict(doc["arms"][0]))


def _cohort_rule_unknown_field(doc: Doc) -> None:
    doc["design"]["allocation"] = "non_randomized"
    for arm in doc["arms"]:
        arm["assignment"] = {"kind": "all"}
    doc["arms"][1]["assignment"] = {
        "kind": "cohort_rule",
        "text": "Cohort B: progressed after first-line chemotherapy.",
        "when": [{"field": "progressed_after_chemo", "value": True}],
    }


def _cohort_rule_wrong_value_type(doc: Doc) -> None:
    _cohort_rule_unknown_field(doc)
    doc["arms"][1]["assignment"]["when"][0] = {"field": "ecog", "op": "<=", "value": "one"}


def _single_randomised_arm(doc: Doc) -> None:
    doc["arms"][1]["assignment"] = {"kind": "all"}


# (case id, mutation, located path, words expected in 'expected', words in 'received')
BROKEN: list[tuple[str, Callable[[Doc], None], str, str, str]] = [
    ("wrong type for fractions",
     _set(["interventions", 0, "regimens", 0, "fractions"], "three"),
     "interventions[0].regimens[0].fractions", "valid integer", "'three'"),
    ("negative dose per fraction",
     _set(["interventions", 0, "regimens", 0, "dose_per_fraction_gy"], -8),
     "interventions[0].regimens[0].dose_per_fraction_gy", "greater than 0", "-8"),
    ("negative drug dose",
     _set(["interventions", 1, "dose", "amount"], -200),
     "interventions[1].dose.amount", "greater than 0", "-200"),
    ("unknown dose unit",
     _set(["interventions", 1, "dose", "unit"], "mg/m^2"),
     "interventions[1].dose.unit", "'mg', 'mg/m2', 'mg/kg' or 'AUC'", "'mg/m^2'"),
    ("total dose mismatch",
     _set(["interventions", 0, "regimens", 0, "total_dose_gy"], 30),
     "interventions[0].regimens[0].total_dose_gy", "3 x 8.0 = 24", "30"),
    ("missing verbatim criterion text",
     _delete(["eligibility", 0, "text"]),
     "eligibility[0].text", "required", "missing"),
    ("blank verbatim criterion text",
     _set(["eligibility", 0, "text"], "   "),
     "eligibility[0].text", "verbatim", "'   '"),
    ("criterion neither rule nor manual",
     _set(["eligibility", 0, "manual"], False),
     "eligibility[0].rule", "'manual: true'", "missing"),
    ("manual criterion without a reason",
     _delete(["eligibility", 0, "manual_reason"]),
     "eligibility[0].manual_reason", "judgement", "missing"),
    ("arm names an unknown intervention",
     _set(["arms", 1, "interventions"], ["nivolumab"]),
     "arms[1].interventions[0]", "an intervention id (one of: pd1, sbrt)", "'nivolumab'"),
    ("arm names an unknown stage",
     _set(["arms", 0, "stages"], ["part9"]),
     "arms[0].stages[0]", "a design stage id (one of: none defined)", "'part9'"),
    ("cohort rule names an unknown patient field",
     _cohort_rule_unknown_field,
     "arms[1].assignment.when[0].field", "known patient field", "'progressed_after_chemo'"),
    ("cohort rule compares a number field with text",
     _cohort_rule_wrong_value_type,
     "arms[1].assignment.when[0].value", "a number value for field 'ecog'", "'one'"),
    ("duplicate arm id",
     _append_arm_copy,
     "arms[2].id", "an id unique in arms", "'combo'"),
    ("bad registry id",
     _set(["identity", "registry_id"], "NCT123"),
     "identity.registry_id", "NCT\\d{8}", "'NCT123'"),
    ("masking level without blinded parties",
     _set(["design", "masking"], {"level": "double"}),
     "design.masking.blinded", "at least one blinded party for masking level 'double'", "[]"),
    ("open label that blinds the participant",
     _set(["design", "masking"], {"level": "none", "blinded": ["participant"]}),
     "design.masking.blinded", "only assessor parties", "['participant']"),
    ("randomised arm in a non-randomised trial",
     _set(["design", "allocation"], "non_randomized"),
     "arms[0].assignment.kind", "not 'randomised'", "'randomised'"),
    ("a randomised arm with nothing to randomise against",
     _single_randomised_arm,
     "arms[0].assignment", "another randomised arm", "'combo'"),
    ("unknown key (typo)",
     _set(["interventions", 1, "cycle_lenght_days"], 21),
     "interventions[1].cycle_lenght_days", "unknown key", "21"),
    ("unknown intervention kind",
     _set(["interventions", 1, "kind"], "vaccine"),
     "interventions[1]", "'radiation', 'drug', 'procedure'", "'vaccine'"),
    ("drug day outside its cycle",
     _set(["interventions", 1, "days_in_cycle"], [1, 22]),
     "interventions[1].days_in_cycle[1]", "cycle_length_days 21", "22"),
    ("fractions cannot fit the span",
     _set(["interventions", 0, "delivery", "max_span_days"], 2),
     "interventions[0].delivery.max_span_days", "largest number of fractions (3)", "2"),
    ("prescription range inverted",
     _set(["interventions", 0, "prescription"], [{"metric": "D90", "min_gy": 140, "max_gy": 90}]),
     "interventions[0].prescription[0].max_gy", ">= min_gy 140", "90"),
    ("completion before start",
     _set(["identity", "start_date"], "2026-01-31"),
     "identity.completion_date", "on or after start_date 2026-01-31", "'2025-01-01'"),
    ("phase left empty without an assumption",
     _set(["identity", "phase"], None),
     "identity.phase", "assumptions entry with path 'identity.phase'", "missing"),
    ("assumption about a field that does not exist",
     _set(["assumptions"], [{"path": "arms[7].label", "assumed": "x", "why": "y"}]),
     "assumptions[0].path", "the path of a field", "'arms[7].label'"),
    ("statistical design names an unknown endpoint",
     _set(["statistical_design"], [{
         "method": "fisher_exact", "endpoint": "lymphopenia", "p_control": 0.5,
         "p_treatment": 0.15, "alpha": 0.07, "sides": 1, "power": 0.85, "n_per_arm": 26,
         "registry_text": "text"}]),
     "statistical_design[0].endpoint", "an endpoint id (one of: orr)", "'lymphopenia'"),
    ("biospecimen without a specimen",
     _set(["assessments"], [{"id": "blood", "kind": "biospecimen", "description": "x",
                             "anchor": {"event": "enrolment"}}]),
     "assessments[0].specimen", "tissue, stool, blood", "missing"),
]


def test_the_table_has_at_least_15_cases() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize(
    ("mutate", "path", "expected", "received"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_protocol_is_rejected_with_a_located_finding(
    minimal_doc: Doc,
    mutate: Callable[[Doc], None],
    path: str,
    expected: str,
    received: str,
) -> None:
    if path == "identity.completion_date":
        minimal_doc["identity"]["completion_date"] = "2025-01-01"
    mutate(minimal_doc)
    with pytest.raises(ProtocolError) as info:
        parse_protocol(minimal_doc, source="broken.yaml")
    findings = {f.path: f for f in info.value.findings}
    assert path in findings, f"no finding at {path}: {info.value}"
    finding = findings[path]
    assert expected in finding.expected
    assert received in finding.received
    message = str(info.value)
    assert message.startswith("broken.yaml: invalid protocol")
    assert f"{path}: expected" in message


def test_the_minimal_document_is_valid(minimal_doc: Doc) -> None:
    protocol = parse_protocol(minimal_doc)
    assert isinstance(protocol, Protocol)
    assert protocol.arm("io").interventions == ("pd1",)


def test_every_problem_is_reported_not_only_the_first(minimal_doc: Doc) -> None:
    minimal_doc["interventions"][0]["regimens"][0]["fractions"] = -1
    minimal_doc["interventions"][1]["dose"]["unit"] = "grams"
    with pytest.raises(ProtocolError) as info:
        parse_protocol(minimal_doc)
    assert {f.path for f in info.value.findings} == {
        "interventions[0].regimens[0].fractions",
        "interventions[1].dose.unit",
    }


def test_a_top_level_list_is_not_a_protocol() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_protocol([1, 2])
    assert info.value.findings[0].path == "(document)"
    assert info.value.findings[0].received == "list"


def test_open_label_may_blind_imaging_reviewers_when_it_says_so(minimal_doc: Doc) -> None:
    minimal_doc["design"]["masking"] = {
        "level": "none", "blinded": ["imaging_reviewer"], "description": "reviewers blinded"}
    protocol = parse_protocol(minimal_doc)
    assert [b.value for b in protocol.design.masking.blinded] == ["imaging_reviewer"]


def test_empty_eligibility_needs_an_assumption(minimal_doc: Doc) -> None:
    minimal_doc["eligibility"] = []
    with pytest.raises(ProtocolError) as info:
        parse_protocol(minimal_doc)
    assert [f.path for f in info.value.findings] == ["eligibility"]
    minimal_doc["assumptions"] = [{"path": "eligibility", "assumed": "none", "why": "silent"}]
    assert parse_protocol(minimal_doc).eligibility == ()


def test_intervention_lookup_names_known_ids(minimal_doc: Doc) -> None:
    protocol = parse_protocol(minimal_doc)
    assert protocol.intervention("sbrt").kind == "radiation"
    with pytest.raises(KeyError, match="known: sbrt, pd1"):
        protocol.intervention("x")
