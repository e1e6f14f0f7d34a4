"""End-to-end entry points, and the Hypothesis properties of the whole derivation.

Scale invariance: RECIST mixes a relative rule (+20 %) with absolute millimetre rules
(+5 mm for PD, 10 mm normal node, 5 mm "too small"), so scaling sizes alone is *not*
invariant (see ``test_scaling_sizes_alone_is_not_invariant``). The property scales every
size *and* the absolute thresholds of the rule table by the same integer constant
(``ResponseRules.scaled``) - which keeps the 5 mm rule meaningful - and asserts that no
label, BOR or date changes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abscopal.response import (
    IRECIST_RULES,
    RECIST_1_1_RULES,
    Response,
    ResponseParams,
    derive_abscopal_response,
    derive_irecist,
    derive_patient_evaluation,
    derive_recist11,
    derive_response_summary,
    parse_patient,
    to_jsonable,
)
from tests.utils.response_cases import patients, response_params, scale_patient

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RANK = {
    Response.CR: 0, Response.PR: 1, Response.SD: 2, Response.NON_CR_NON_PD: 2,
    Response.PD: 3, Response.NE: 4,
    Response.ICR: 0, Response.IPR: 1, Response.ISD: 2, Response.NON_ICR_NON_IUPD: 2,
    Response.IUPD: 3, Response.ICPD: 3,
}
# for "appending a PD never improves": progression and NE are both "no benefit"
BENEFIT = {**RANK, Response.NE: 3}

SIMPLE = {
    "patient_id": "P1", "treatment_start_date": "2025-01-01",
    "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
    "assessments": [{"date": "2025-01-01", "lesions": {"T1": 46.0}},
                    {"date": "2025-02-26", "lesions": {"T1": 32.2}},
                    {"date": "2025-04-02", "lesions": {"T1": 30}},
                    {"date": "2025-05-07", "lesions": {"T1": 37}}],
}


def test_summary_recist11() -> None:
    s = derive_response_summary(parse_patient(SIMPLE))
    assert [t.response for t in s.timepoints] == [Response.PR, Response.PR, Response.PD]
    assert (s.best_overall_response, s.first_response_date, s.progression_date) == (
        Response.PR, dt.date(2025, 2, 26), dt.date(2025, 5, 7))
    assert s.rule_version == "recist_1_1" and s.require_confirmation


def test_summary_irecist_progression_date_is_the_confirmed_iupd() -> None:
    data = copy.deepcopy(SIMPLE)
    data["assessments"].append({"date": "2025-06-04", "lesions": {"T1": 43}})
    s = derive_response_summary(parse_patient(data), criteria="irecist")
    assert [t.response for t in s.timepoints] == [
        Response.IPR, Response.IPR, Response.IUPD, Response.ICPD]
    assert (s.best_overall_response, s.progression_date) == (Response.IPR, dt.date(2025, 5, 7))


def test_evaluation_is_json_ready() -> None:
    ev = derive_patient_evaluation(parse_patient(SIMPLE), criteria="irecist")
    data = to_jsonable(ev)
    text = json.dumps(data)
    assert data["recist11"]["best_overall_response"]["response"] == "PR"
    assert data["recist11"]["timepoints"][0]["target_sum_mm"] == 32.2
    assert data["irecist"]["rule_version"] == "irecist"
    assert data["abscopal"]["abscopal_response"] is True  # T1 is out-of-field: -30 %
    assert '"rule_version": "recist_1_1"' in text


def test_scaling_sizes_alone_is_not_invariant() -> None:
    # 24 -> 28.8 is +20 % but only +4.8 mm: SD. Doubled, +9.6 mm meets the 5 mm rule: PD.
    base = {"patient_id": "P", "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
            "assessments": [{"date": "2025-01-01", "lesions": {"T1": 24}},
                            {"date": "2025-02-26", "lesions": {"T1": 28.8}}]}
    assert derive_recist11(parse_patient(base)).timepoints[0].overall is Response.SD
    doubled = parse_patient(scale_patient(base, 2))
    assert derive_recist11(doubled).timepoints[0].overall is Response.PD
    assert derive_recist11(doubled, rules=RECIST_1_1_RULES.scaled(2)).timepoints[0].overall is (
        Response.SD)


def _labels(res: Any) -> list[Any]:
    return [t.overall for t in res.timepoints]


def _tp_ranks(res: Any) -> list[int]:
    return [RANK[t.overall] for t in res.timepoints if t.overall is not None]


@FAST
@given(patients(), response_params())
def test_bor_never_better_than_best_timepoint(data: dict[str, Any], params: ResponseParams) -> None:
    rec = parse_patient(data)
    r11 = derive_recist11(rec, params=params)
    ir = derive_irecist(rec, params=params)
    for res, bors in ((r11, (r11.bor_confirmed, r11.bor_unconfirmed)),
                      (ir, (ir.ibor_confirmed, ir.ibor_unconfirmed))):
        ranks = _tp_ranks(res)
        for bor in bors:
            assert RANK[bor.response] >= min(ranks, default=4), (bor, _labels(res))


@FAST
@given(patients(max_followups=5), response_params())
def test_appending_a_pd_never_improves_bor(data: dict[str, Any], params: ResponseParams) -> None:
    rec = parse_patient(data)
    more = copy.deepcopy(data)
    last = more["assessments"][-1]
    day = dt.date.fromisoformat(last["date"]) + dt.timedelta(days=30)
    # a further, never-seen new lesion: PD under RECIST 1.1, iUPD or iCPD under iRECIST
    more["lesions"].append({"id": "N2", "role": "new", "organ": "liver"})
    more["assessments"].append({"date": day.isoformat(),
                                "lesions": {**last["lesions"], "N2": "present"}})
    rec2 = parse_patient(more)
    assert derive_recist11(rec2, params=params).timepoints[-1].overall in (Response.PD, None)
    for derive, names in ((derive_recist11, ("bor_confirmed", "bor_unconfirmed")),
                          (derive_irecist, ("ibor_confirmed", "ibor_unconfirmed"))):
        before = derive(rec, params=params)  # type: ignore[operator]
        after = derive(rec2, params=params)  # type: ignore[operator]
        for name in names:
            b, a = getattr(before, name).response, getattr(after, name).response
            assert BENEFIT[a] >= BENEFIT[b], (name, b, a)


@FAST
@given(patients(), st.sampled_from([2, 3, 5, 10]), response_params())
def test_scaling_sizes_and_absolute_thresholds_changes_nothing(
    data: dict[str, Any], factor: int, params: ResponseParams
) -> None:
    rec, big = parse_patient(data), parse_patient(scale_patient(data, factor))
    for derive, rules in ((derive_recist11, RECIST_1_1_RULES), (derive_irecist, IRECIST_RULES)):
        a = derive(rec, rules=rules, params=params)  # type: ignore[operator]
        b = derive(big, rules=rules.scaled(factor), params=params)  # type: ignore[operator]
        assert _labels(a) == _labels(b)
        assert [(t.target, t.non_target) for t in a.timepoints] == [
            (t.target, t.non_target) for t in b.timepoints]
        bor_a = a.best_overall_response
        bor_b = b.best_overall_response
        assert (bor_a.response, bor_a.first_response_date, bor_a.pd_date) == (
            bor_b.response, bor_b.first_response_date, bor_b.pd_date)
    assert derive_abscopal_response(rec, params=params).abscopal_response == (
        derive_abscopal_response(big, rules=RECIST_1_1_RULES.scaled(factor), params=params)
        .abscopal_response)


@FAST
@given(patients(), st.randoms(use_true_random=False), response_params())
def test_lesion_order_changes_nothing(
    data: dict[str, Any], rnd: random.Random, params: ResponseParams
) -> None:
    shuffled = copy.deepcopy(data)
    rnd.shuffle(shuffled["lesions"])
    for a in shuffled["assessments"]:
        items = list(a["lesions"].items())
        rnd.shuffle(items)
        a["lesions"] = dict(items)
    rec, rec2 = parse_patient(data), parse_patient(shuffled)
    assert derive_recist11(rec, params=params) == derive_recist11(rec2, params=params)
    assert derive_irecist(rec, params=params) == derive_irecist(rec2, params=params)
    assert derive_abscopal_response(rec, params=params) == derive_abscopal_response(
        rec2, params=params)
