"""Translation of stored records to the core engines (abscopal.web.derive).

Expected values are written out from the sources named in each test, not recomputed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from abscopal.protocol import parse_protocol_text
from abscopal.web import derive

TEST_PROTOCOL = Path(__file__).resolve().parents[1] / "data" / "service" / "randomised_blinded.yaml"


@pytest.mark.parametrize(("category", "diameter", "status", "expected"), [
    ("target", 12.5, None, 12.5),
    ("target", None, "absent", "disappeared"),
    ("target", None, "not_evaluable", "not_assessed"),
    ("target", None, None, "not_assessed"),
    ("non_target", None, "unequivocal_progression", "unequivocal_progression"),
    ("non_target", 14.0, None, "present"),
    ("non_target", None, None, "not_assessed"),
    ("new", None, None, "present"),
    ("new", None, "unequivocal_progression", "progressed"),
    ("new", None, "not_evaluable", "equivocal"),
])
def test_lesion_value_policy(category, diameter, status, expected) -> None:  # type: ignore[no-untyped-def]
    assert derive.lesion_value(category, diameter, status) == expected


def test_in_field_matches_rt_target_to_label_or_organ() -> None:
    lesions = [{"lesion_label": "T1", "organ": "Liver"}, {"lesion_label": "T2", "organ": "lung"},
               {"lesion_label": "N1", "organ": "bone"}]
    assert derive.in_field_labels(["liver", " t2 "], lesions) == frozenset({"T1", "T2"})
    assert derive.in_field_labels([], lesions) == frozenset()


def test_recorded_in_field_wins_over_the_name_match() -> None:
    lesions = [{"lesion_label": "T1", "organ": "liver", "in_field": None},
               {"lesion_label": "T1", "organ": "liver", "in_field": False},  # recorded later: out
               {"lesion_label": "T2", "organ": "lung", "in_field": True},   # recorded: in
               {"lesion_label": "N1", "organ": "liver"}]                    # not recorded: fallback
    assert derive.in_field_labels(["liver"], lesions) == frozenset({"T2", "N1"})


def _assessment(day: str, *rows: tuple[str, str, float | None, str | None]) -> dict[str, object]:
    return {"assessed_on": dt.date.fromisoformat(day), "timepoint": day, "criteria": "recist_1_1",
            "lesions": [{"lesion_label": label, "category": cat, "organ": "liver", "is_nodal": False,
                         "diameter_mm": d, "status": st} for label, cat, d, st in rows]}


def test_subject_response_pr_then_pd_with_reasons() -> None:
    # RECIST 1.1 §4.3.1: -35 % from baseline is PR; +92 % and +24 mm over the nadir is PD.
    rows = [_assessment("2026-01-05", ("T1", "target", 40.0, None)),
            _assessment("2026-03-02", ("T1", "target", 26.0, None)),
            _assessment("2026-04-27", ("T1", "target", 50.0, None))]
    out = derive.derive_subject_response("S1", rows, criteria="recist_1_1", require_confirmation=False)
    assert out is not None and out["error"] is None
    assert [t["overall"] for t in out["timepoints"]] == ["PR", "PD"]
    assert [t["change_from_baseline_pct"] for t in out["timepoints"]] == [-35.0, 25.0]
    assert out["bor"] == "PR" and out["progression_date"] == "2026-04-27"
    confirmed = derive.derive_subject_response("S1", rows, criteria="recist_1_1", require_confirmation=True)
    assert confirmed is not None and confirmed["bor"] != "PR"  # an unconfirmed PR is not a BOR of PR


def test_a_record_the_engine_refuses_is_reported_not_raised() -> None:
    rows = [_assessment("2026-01-05", ("T1", "target", 40.0, None)),
            _assessment("2026-03-02", ("T1", "non_target", None, "present"), ("T9", "target", 5.0, None))]
    rows[1]["lesions"][0]["category"] = "target"  # type: ignore[index]
    rows.append(_assessment("2026-01-05", ("N1", "new", None, None)))
    out = derive.derive_subject_response("S2", rows, criteria="recist_1_1", require_confirmation=False)
    assert out is not None and out["error"]
    assert derive.derive_subject_response("S3", [], criteria="recist_1_1", require_confirmation=False) is None


def test_orr_dcr_exact_intervals() -> None:
    # R: binom.test(5, 16)$conf.int = 0.1102 0.5866; binom.test(0, 4)$conf.int = 0 0.6024
    bors = ["CR", "PR", "PR", "PR", "PR"] + ["SD"] * 3 + ["PD"] * 6 + ["NE"] * 2
    orr, dcr = derive.orr_dcr(bors)
    assert (orr["events"], orr["n"]) == (5, 16)
    assert round(orr["lower"], 4) == 0.1102 and round(orr["upper"], 4) == 0.5866
    assert (dcr["events"], dcr["n"]) == (8, 16)
    none, _ = derive.orr_dcr(["PD"] * 4)
    assert none["lower"] == 0.0 and round(none["upper"], 4) == 0.6024
    empty, _ = derive.orr_dcr([])
    assert empty["estimate"] is None


def test_km_curve_steps_and_censoring() -> None:
    # 3 subjects: event at 5 (S = 2/3), censored at 10, event at 15 (S = 0).
    c = derive.km_curve([5, 10, 15], [True, False, True], label="All")
    assert c is not None
    assert c["times"] == [0.0, 5.0, 10.0, 15.0]
    assert [round(s, 4) for s in c["survival"]] == [1.0, 0.6667, 0.6667, 0.0]
    assert c["censor_times"] == [10.0] and c["median_days"] == 15.0
    assert derive.km_curve([], [], label="none") is None


def _simon_protocol() -> object:
    data = yaml.safe_load(TEST_PROTOCOL.read_text())
    data["design"]["stages"] = [{"id": "s1", "label": "Stage 1", "size": 10,
                                 "decision_rule": {"kind": "simon_two_stage", "n1": 10, "r1": 1,
                                                   "n": 29, "r": 5}},
                                {"id": "s2", "label": "Stage 2", "size": 19}]
    return parse_protocol_text(yaml.safe_dump(data), source="test")


def test_simon_stage_one_decision() -> None:
    protocol = _simon_protocol()
    pending = derive.stage_status(protocol, bors_in_order=["PR"] * 3)  # type: ignore[arg-type]
    assert pending[0]["decision"] == "pending" and "3 of 10 evaluable" in pending[0]["detail"]
    stop = derive.stage_status(protocol, bors_in_order=["PR"] + ["PD"] * 9)  # type: ignore[arg-type]
    assert stop[0]["decision"] == "stop for futility"
    go = derive.stage_status(protocol, bors_in_order=["PR", "CR"] + ["SD"] * 8)  # type: ignore[arg-type]
    assert go[0]["decision"] == "continue to stage 2" and "enrol 19 more" in go[0]["detail"]
    assert go[1]["rule"] is None


def test_spider_rows_are_percent_change_of_baseline_targets() -> None:
    rows = [_assessment("2026-01-05", ("T1", "target", 40.0, None), ("NT1", "non_target", None, "present")),
            _assessment("2026-01-19", ("T1", "target", 30.0, None))]
    out = derive.spider_rows(rows, in_field=frozenset({"T1"}))
    assert out == [{"key": "T1", "days": 0, "pct_change": 0.0, "in_field": True},
                   {"key": "T1", "days": 14, "pct_change": -25.0, "in_field": True}]
