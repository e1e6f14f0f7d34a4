"""The rule language is validated when the protocol loads; bad rules are located and explained."""

from __future__ import annotations

from typing import Any

import pytest

from abscopal.eligibility import RULE_LANGUAGE_VERSION, MeasurementRule, iter_rules
from abscopal.errors import ProtocolError
from tests.utils.protocols import exclusion, inclusion, make_protocol


def _reject(rule: dict[str, Any]) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        make_protocol([inclusion("inc01", {"kind": "age", "min": 18}), exclusion("exc01", rule)])
    return info.value


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ({"kind": "fact", "field": "ecog_score", "op": "<=", "value": 1},
         "eligibility[1].rule", "unknown patient field 'ecog_score'"),
        ({"kind": "measurement", "name": "platelets", "op": "<", "value": 100, "unit": "g/L"},
         "eligibility[1].rule", "cannot be converted to '10^9/L'"),
        ({"kind": "measurement", "name": "platelets", "op": "<", "value": 100, "unit": "blorps"},
         "eligibility[1].rule", "unknown unit 'blorps'"),
        ({"kind": "measurement", "name": "alt", "op": ">", "value": 2.5, "relative_to": "uln",
          "unit": "U/L"}, "eligibility[1].rule", "has no unit"),
        ({"kind": "measurement", "name": "ecog", "op": ">", "value": 2, "relative_to": "uln"},
         "eligibility[1].rule", "no reference range"),
        ({"kind": "measurement", "name": "hemoglobin", "op": "<", "value": 90},
         "eligibility[1].rule", "needs a 'unit'"),
        ({"kind": "event", "concept_set": "antibiotics", "within": "4 weeks"},
         "eligibility[1].rule.concept_set", "unknown concept set 'antibiotics'"),
        ({"kind": "event", "concept_set": "radiotherapy", "within": "six months"},
         "eligibility[1].rule.within", "a window like"),
        ({"kind": "measurement", "name": "anc", "op": "<", "value": 1.5, "unit": "10^9/L",
          "within": "7 dayz"}, "eligibility[1].rule.within", "a window like"),
        ({"kind": "age", "op": ">=", "min": 18}, "eligibility[1].rule",
         "either 'op' and 'value', or 'min'"),
        ({"kind": "age", "min": 80, "max": 18}, "eligibility[1].rule", "must not exceed"),
        ({"kind": "fact", "field": "liver_metastases", "op": "<", "value": True},
         "eligibility[1].rule", "is yes/no"),
        ({"kind": "all", "of": [{"kind": "fact", "field": "sex", "value": "F"},
                                {"kind": "measurment", "name": "alt"}]},
         "eligibility[1].rule.of[1]", "'measurment'"),
        ({"kind": "not", "rule": {"kind": "age", "min": 18, "extra": 1}},
         "eligibility[1].rule.rule.extra", "unknown key"),
        ({"kind": "if", "condition": {"kind": "event", "concept_set": "liver_metastases"},
          "then": {"kind": "age", "min": 18}}, "eligibility[1].rule.else", "required"),
        ({"kind": "creatinine_clearance", "op": "<", "value": 50, "unit": "mg/dL"},
         "eligibility[1].rule.unit", "cannot be converted"),
    ],
)
def test_bad_rule_is_rejected_with_its_location(rule: dict[str, Any], path: str,
                                                expected: str) -> None:
    error = _reject(rule)
    paths = [f.path for f in error.findings]
    assert path in paths, paths
    assert any(expected in f.expected or expected in f.received for f in error.findings), error


def test_valid_rules_load_and_describe_themselves() -> None:
    p = make_protocol([
        inclusion("inc01", {"kind": "age", "min": 18, "max": 75}),
        exclusion("exc01", {"kind": "if",
                            "condition": {"kind": "event", "concept_set": "liver_metastases"},
                            "then": {"kind": "measurement", "name": "alt", "op": ">",
                                     "value": 5, "relative_to": "uln", "within": "7 days"},
                            "else": {"kind": "measurement", "name": "alt", "op": ">",
                                     "value": 2.5, "relative_to": "uln", "within": "7 days"}}),
    ])
    rule = p.eligibility[1].rule
    assert rule is not None
    assert rule.describe() == (
        "IF any liver_metastases ever THEN alt > 5 x ULN (within 7 days) "
        "ELSE alt > 2.5 x ULN (within 7 days)")
    kinds = [r.kind for r in iter_rules(rule)]
    assert kinds == ["if", "event", "measurement", "measurement"]
    assert RULE_LANGUAGE_VERSION == "1"


def test_thresholds_convert_to_the_canonical_unit() -> None:
    rule = MeasurementRule(name="hemoglobin", op="<", value=9.0, unit="g/dL")
    assert rule.canonical_comparisons() == (("<", pytest.approx(90.0)),)
    rule = MeasurementRule(name="creatinine", op=">", value=133.0, unit="umol/L")
    ((op, threshold),) = rule.canonical_comparisons()
    assert (op, round(threshold, 4)) == (">", round(133.0 / 88.4017, 4))


def test_protocol_round_trips_with_rules() -> None:
    from abscopal.protocol import dump_protocol, parse_protocol_text

    p = make_protocol([
        inclusion("inc01", {"kind": "age", "min": 18}),
        exclusion("exc01", {"kind": "if",
                            "condition": {"kind": "event", "concept_set": "liver_metastases"},
                            "then": {"kind": "measurement", "name": "platelets", "op": "<",
                                     "value": 80, "unit": "10^9/L"},
                            "else": {"kind": "measurement", "name": "platelets", "op": "<",
                                     "value": 100, "unit": "10^9/L"}}),
    ])
    assert parse_protocol_text(dump_protocol(p)) == p
