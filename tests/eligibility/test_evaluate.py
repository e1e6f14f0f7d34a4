"""Single-patient evaluation: three-valued results, missing data named, trial status."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from abscopal.eligibility import (
    Status,
    TrialStatus,
    Verdict,
    evaluate_protocol,
    evaluate_rule,
    parse_patient,
)
from abscopal.eligibility.language import Rule
from tests.utils.protocols import exclusion, inclusion, make_protocol

AS_OF = date(2025, 1, 15)


def _patient(**parts: Any) -> Any:
    doc = {"patient_id": "P1", "facts": {"sex": "F", "birth_date": "1960-01-20"}}
    for key, value in parts.items():
        if key == "facts":
            doc["facts"] = {**doc["facts"], **value}
        else:
            doc[key] = value
    return parse_patient(doc)


def _rule(spec: dict[str, Any]) -> Rule:
    p = make_protocol([inclusion("inc01", spec)])
    rule = p.eligibility[0].rule
    assert rule is not None
    return rule


def _lab(name: str, value: float | None, unit: str | None, day: str = "2025-01-10",
         **ref: float) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "date": day, **ref}


PLT_RULE = {"kind": "if", "condition": {"kind": "event", "concept_set": "liver_metastases"},
            "then": {"kind": "measurement", "name": "platelets", "op": "<", "value": 80,
                     "unit": "10^9/L", "within": "7 days"},
            "else": {"kind": "measurement", "name": "platelets", "op": "<", "value": 100,
                     "unit": "10^9/L", "within": "7 days"}}
LIVER_MET = {"domain": "condition", "date": "2024-06-01",
             "codes": [{"vocabulary": "SNOMED", "code": "94381002"}]}


class TestMeasurements:
    def test_missing_lab_is_unknown_and_named(self) -> None:
        out = evaluate_rule(_rule({"kind": "measurement", "name": "anc", "op": ">=",
                                   "value": 1.5, "unit": "10^9/L", "within": "7 days"}),
                            _patient(), as_of=AS_OF)
        assert out.status is Status.UNKNOWN
        assert out.missing == ("anc on or after 2025-01-08",)

    def test_lab_older_than_window_is_unknown(self) -> None:
        p = _patient(measurements=[_lab("anc", 2.0, "10^9/L", "2025-01-07")])
        rule = _rule({"kind": "measurement", "name": "anc", "op": ">=", "value": 1.5,
                      "unit": "10^9/L", "within": "7 days"})
        assert evaluate_rule(rule, p, as_of=AS_OF).status is Status.UNKNOWN
        p = _patient(measurements=[_lab("anc", 2.0, "10^9/L", "2025-01-08")])
        assert evaluate_rule(rule, p, as_of=AS_OF).status is Status.MET

    def test_latest_value_wins_and_future_values_are_ignored(self) -> None:
        p = _patient(measurements=[_lab("anc", 1.0, "10^9/L", "2025-01-09"),
                                   _lab("anc", 2.0, "10^9/L", "2025-01-12"),
                                   _lab("anc", 0.5, "10^9/L", "2025-01-20")])
        rule = _rule({"kind": "measurement", "name": "anc", "op": ">=", "value": 1.5,
                      "unit": "10^9/L"})
        out = evaluate_rule(rule, p, as_of=AS_OF)
        assert out.status is Status.MET
        assert out.values == (("anc", "2 10^9/L (2025-01-12)"),)

    @pytest.mark.parametrize(
        ("value", "unit", "status"),
        [
            (9.0, "g/dL", Status.NOT_MET),   # 90 g/L is not < 90
            (8.99, "g/dL", Status.MET),
            (90.0, "g/L", Status.NOT_MET),
            (89.9, "g/L", Status.MET),
            (90.0, "mg", Status.UNKNOWN),    # wrong dimension: unknown, not an error
            (90.0, None, Status.UNKNOWN),
            (None, "g/L", Status.UNKNOWN),
        ],
    )
    def test_units_convert_and_bad_units_are_unknown(self, value: float | None,
                                                     unit: str | None, status: Status) -> None:
        rule = _rule({"kind": "measurement", "name": "hemoglobin", "op": "<", "value": 90,
                      "unit": "g/L"})
        p = _patient(measurements=[_lab("hemoglobin", value, unit)])
        assert evaluate_rule(rule, p, as_of=AS_OF).status is status

    def test_uln_multiple_uses_the_labs_own_range(self) -> None:
        rule = _rule({"kind": "measurement", "name": "creatinine", "op": ">", "value": 1.5,
                      "relative_to": "uln"})
        at = _patient(measurements=[_lab("creatinine", 1.8, "mg/dL", ref_high=1.2)])
        above = _patient(measurements=[_lab("creatinine", 1.81, "mg/dL", ref_high=1.2)])
        no_range = _patient(measurements=[_lab("creatinine", 3.0, "mg/dL")])
        assert evaluate_rule(rule, at, as_of=AS_OF).status is Status.NOT_MET  # 1.8 = 1.5 x 1.2
        assert evaluate_rule(rule, above, as_of=AS_OF).status is Status.MET
        out = evaluate_rule(rule, no_range, as_of=AS_OF)
        assert out.status is Status.UNKNOWN
        assert out.missing == ("creatinine reference range (ULN, 2025-01-10)",)

    def test_loinc_code_identifies_the_measurement(self) -> None:
        p = _patient(measurements=[{"loinc": "26515-7", "value": 95, "unit": "10*3/uL",
                                    "date": "2025-01-10"}])
        out = evaluate_rule(_rule(PLT_RULE), p, as_of=AS_OF)
        assert out.status is Status.MET


class TestLiverMetastasisException:
    @pytest.mark.parametrize(
        ("platelets", "liver_mets", "status"),
        [
            (90.0, False, Status.MET),       # < 100 without liver metastases
            (90.0, True, Status.NOT_MET),    # >= 80 with liver metastases
            (79.0, True, Status.MET),
            (80.0, True, Status.NOT_MET),    # boundary
            (100.0, False, Status.NOT_MET),  # boundary
        ],
    )
    def test_threshold_depends_on_liver_metastases(self, platelets: float, liver_mets: bool,
                                                   status: Status) -> None:
        p = _patient(measurements=[_lab("platelets", platelets, "10^9/L")],
                     events=[LIVER_MET] if liver_mets else [])
        assert evaluate_rule(_rule(PLT_RULE), p, as_of=AS_OF).status is status

    def test_unknown_condition_with_agreeing_branches_is_known(self) -> None:
        periods = [{"start": "2020-01-01", "end": "2025-01-01"}]  # record ends before as_of
        low = _patient(measurements=[_lab("platelets", 50, "10^9/L")],
                       observation_periods=periods)
        mid = _patient(measurements=[_lab("platelets", 90, "10^9/L")],
                       observation_periods=periods)
        assert evaluate_rule(_rule(PLT_RULE), low, as_of=AS_OF).status is Status.MET
        out = evaluate_rule(_rule(PLT_RULE), mid, as_of=AS_OF)
        assert out.status is Status.UNKNOWN
        assert "complete record of liver_metastases since ever" in out.missing[0]


class TestEvents:
    RT = {"kind": "event", "concept_set": "radiotherapy_abdomen_pelvis", "within": "6 months"}

    def _rt(self, day: str) -> dict[str, Any]:
        return {"domain": "procedure", "date": day,
                "codes": [{"vocabulary": "ABSCOPAL", "code": "rt_abdomen_pelvis"}]}

    @pytest.mark.parametrize(
        ("day", "status"),
        [("2024-07-15", Status.MET),       # first day of the window
         ("2024-07-14", Status.NOT_MET),   # one day before
         ("2025-01-15", Status.MET),       # on the screening date
         ("2025-01-16", Status.NOT_MET)],  # after it: ignored
    )
    def test_window_edges(self, day: str, status: Status) -> None:
        p = _patient(events=[self._rt(day)])
        assert evaluate_rule(_rule(self.RT), p, as_of=AS_OF).status is status

    def test_drug_exposure_overlapping_the_window_counts(self) -> None:
        rule = _rule({"kind": "event", "concept_set": "anti_infectives_probiotics",
                      "within": "4 weeks"})
        drug = {"domain": "drug", "date": "2024-12-01", "end_date": "2024-12-20",
                "codes": [{"vocabulary": "RxNorm", "code": "723"}], "label": "amoxicillin"}
        out = evaluate_rule(rule, _patient(events=[drug]), as_of=AS_OF)
        assert out.status is Status.MET
        assert out.values == (("anti_infectives_probiotics", "amoxicillin 2024-12-01"),)
        atc = {**drug, "codes": [{"vocabulary": "ATC", "code": "J01CA04"}]}
        assert evaluate_rule(rule, _patient(events=[atc]), as_of=AS_OF).status is Status.MET

    def test_absence_is_unknown_when_the_record_does_not_cover_the_window(self) -> None:
        short = [{"start": "2024-12-01", "end": "2025-06-01"}]
        full = [{"start": "2020-01-01", "end": "2025-06-01"}]
        ended = [{"start": "2020-01-01", "end": "2025-01-01"}]
        rule = _rule(self.RT)
        assert evaluate_rule(rule, _patient(observation_periods=short),
                             as_of=AS_OF).status is Status.UNKNOWN
        assert evaluate_rule(rule, _patient(observation_periods=full),
                             as_of=AS_OF).status is Status.NOT_MET
        assert evaluate_rule(rule, _patient(observation_periods=ended),
                             as_of=AS_OF).status is Status.UNKNOWN
        found = _patient(observation_periods=short, events=[self._rt("2024-12-10")])
        assert evaluate_rule(rule, found, as_of=AS_OF).status is Status.MET

    @pytest.mark.parametrize(
        ("op", "count", "n", "covered", "status"),
        [("<=", 1, 2, False, Status.NOT_MET), ("<=", 1, 1, False, Status.UNKNOWN),
         ("<=", 1, 1, True, Status.MET), ("==", 1, 2, False, Status.NOT_MET),
         ("!=", 1, 2, False, Status.MET), (">=", 2, 2, False, Status.MET),
         (">", 2, 2, True, Status.NOT_MET)],
    )
    def test_counts(self, op: str, count: int, n: int, covered: bool, status: Status) -> None:
        periods = [{"start": "2000-01-01" if covered else "2025-01-01", "end": "2025-12-31"}]
        rule = _rule({**self.RT, "op": op, "count": count})
        p = _patient(events=[self._rt("2024-12-0" + str(i + 1)) for i in range(n)],
                     observation_periods=periods)
        assert evaluate_rule(rule, p, as_of=AS_OF).status is status


class TestDerived:
    CRCL = {"kind": "creatinine_clearance", "op": "<", "value": 50, "unit": "mL/min"}

    def test_crcl_names_every_missing_input(self) -> None:
        p = parse_patient({"patient_id": "x", "facts": {}})
        out = evaluate_rule(_rule(self.CRCL), p, as_of=AS_OF)
        assert out.status is Status.UNKNOWN
        assert out.missing == ("birth_date", "sex (F/M)", "weight on or after 2024-10-17",
                               "creatinine on or after 2024-12-18")

    def test_crcl_in_umol_per_l(self) -> None:
        # woman, 65 on 2025-01-15; 60 kg; 100 umol/L = 1.1312 mg/dL
        # (140-65) x 60 x 0.85 / (72 x 1.1312) = 3825 / 81.4464 = 46.96
        p = _patient(facts={"birth_date": "1959-06-01"},
                     measurements=[_lab("weight", 60, "kg"), _lab("creatinine", 100, "umol/L")])
        out = evaluate_rule(_rule(self.CRCL), p, as_of=AS_OF)
        assert out.status is Status.MET
        assert dict(out.values)["crcl_ml_min"] == "46.96"

    def test_bsa(self) -> None:
        p = _patient(measurements=[_lab("weight", 80, "kg"), _lab("height", 180, "cm")])
        out = evaluate_rule(_rule({"kind": "bsa", "op": ">=", "value": 2.0}), p, as_of=AS_OF)
        assert out.status is Status.MET
        assert dict(out.values)["bsa_m2"] == "2"

    @pytest.mark.parametrize(("birth", "status"), [("2007-01-15", Status.MET),
                                                   ("2007-01-16", Status.NOT_MET),
                                                   ("1949-01-16", Status.MET),
                                                   ("1949-01-15", Status.NOT_MET)])
    def test_age_boundaries(self, birth: str, status: Status) -> None:
        rule = _rule({"kind": "age", "min": 18, "max": 75})
        p = _patient(facts={"birth_date": birth})
        assert evaluate_rule(rule, p, as_of=AS_OF).status is status


class TestLogicAndTrial:
    def test_kleene_logic(self) -> None:
        met = {"kind": "fact", "field": "sex", "value": "F"}
        not_met = {"kind": "fact", "field": "sex", "value": "M"}
        unknown = {"kind": "fact", "field": "metastatic_lesion_count", "op": "<=", "value": 5}
        p = _patient()
        cases = [({"kind": "all", "of": [met, unknown]}, Status.UNKNOWN),
                 ({"kind": "all", "of": [not_met, unknown]}, Status.NOT_MET),
                 ({"kind": "any", "of": [met, unknown]}, Status.MET),
                 ({"kind": "any", "of": [not_met, unknown]}, Status.UNKNOWN),
                 ({"kind": "not", "rule": unknown}, Status.UNKNOWN),
                 ({"kind": "not", "rule": met}, Status.NOT_MET)]
        for spec, status in cases:
            assert evaluate_rule(_rule(spec), p, as_of=AS_OF).status is status, spec

    def test_trial_status_and_manual_criteria(self) -> None:
        crit = [inclusion("inc01", {"kind": "age", "min": 18}),
                exclusion("exc01", {"kind": "event", "concept_set": "checkpoint_inhibitors"})]
        manual = {"id": "inc02", "kind": "inclusion", "text": "Life expectancy >= 3 months",
                  "manual": True, "manual_reason": "investigator judgement"}
        p = _patient()
        assert evaluate_protocol(make_protocol(crit), p,
                                 as_of=AS_OF).status is TrialStatus.ELIGIBLE
        result = evaluate_protocol(make_protocol([*crit, manual]), p, as_of=AS_OF)
        assert result.status is TrialStatus.TO_CONFIRM
        assert result.criteria[2].status is Status.MANUAL
        assert result.criteria[2].manual_reason == "investigator judgement"
        assert result.counts == {"pass": 2, "to_confirm": 1}
        ici = {"domain": "drug", "date": "2023-01-01",
               "codes": [{"vocabulary": "RxNorm", "code": "1547545"}]}
        failed = evaluate_protocol(make_protocol([*crit, manual]), _patient(events=[ici]),
                                   as_of=AS_OF)
        assert failed.status is TrialStatus.NOT_ELIGIBLE
        assert failed.criteria[1].verdict is Verdict.FAIL
