"""Best overall response: R11 Table 3 and §4.4 rules, iR Table 3 (golden label sequences)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from abscopal.errors import DateOrderError
from abscopal.response import Response, TimepointLabel, derive_best_overall_response
from tests.utils.response_cases import date, golden_cases, params_of


@pytest.mark.parametrize(
    "case", golden_cases("recist11/table3_bor.json", "irecist/table3_ibor.json")
)
def test_golden_bor(case: dict[str, Any]) -> None:
    tps = [TimepointLabel(dt.date.fromisoformat(tp[0]), Response(tp[1]),
                          Response(tp[2]) if len(tp) > 2 else None)
           for tp in case["timepoints"]]
    bor = derive_best_overall_response(
        tps, reference_date=dt.date.fromisoformat(case["reference_date"]),
        params=params_of(case), require_confirmation=case["require_confirmation"],
        has_target_disease=case["has_target_disease"],
    )
    exp = case["expected"]
    assert bor.response.value == exp["bor"], bor.reasons
    for key in ("first_response_date", "confirmation_date", "pd_date"):
        if key in exp:
            assert getattr(bor, key) == date(exp[key]), key
    assert bor.reasons


def test_target_cr_with_non_target_ne_after_cr_is_not_disease_back() -> None:
    # overall PR only because non-targets were not evaluated; the targets are still CR
    d = dt.date
    tps = [TimepointLabel(d(2025, 2, 26), Response.CR, Response.CR),
           TimepointLabel(d(2025, 4, 23), Response.PR, Response.CR)]
    bor = derive_best_overall_response(tps, reference_date=d(2025, 1, 1))
    assert bor.response is Response.PR  # CR, then PR confirms the PR, not PD


def test_dates_must_increase() -> None:
    d = dt.date
    tps = [TimepointLabel(d(2025, 2, 26), Response.SD), TimepointLabel(d(2025, 2, 26), Response.SD)]
    with pytest.raises(DateOrderError, match="strictly increasing"):
        derive_best_overall_response(tps, reference_date=d(2025, 1, 1))


def test_no_timepoints_is_ne() -> None:
    bor = derive_best_overall_response([], reference_date=dt.date(2025, 1, 1))
    assert (bor.response, bor.pd_date, bor.sd_min_date) == (
        Response.NE, None, dt.date(2025, 2, 12))
