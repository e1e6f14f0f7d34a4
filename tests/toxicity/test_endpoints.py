"""Lymphopenia grade >= 2 at 6 weeks after RT (NCT06439888 primary endpoint)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from abscopal.errors import InputError
from abscopal.toxicity import DatedLabGrade, classify_grade_at_timepoint, grade_lab

V = "ctcae_v5"
END_RT = date(2025, 1, 10)
TARGET = END_RT + timedelta(days=42)
TERM = "Lymphocyte count decreased"


def lab(day_offset: int, alc: str, lln: str | None = "1.0") -> DatedLabGrade:
    return DatedLabGrade(TARGET + timedelta(days=day_offset),
                         grade_lab(TERM, alc, "10^9/L", version=V, lln=lln))


def classify(labs: list[DatedLabGrade], selection: str = "closest") -> object:
    return classify_grade_at_timepoint(labs, term=TERM, anchor_date=END_RT, offset_days=42,
                                       window_before_days=7, window_after_days=7, min_grade=2,
                                       selection=selection)


def test_alc_exactly_0_8_is_not_grade_2() -> None:
    r = classify([lab(0, "0.8")])
    assert (r.met, r.grade) == (False, 1)  # type: ignore[attr-defined]


def test_alc_below_0_8_meets_the_endpoint() -> None:
    r = classify([lab(2, "0.79")])
    assert (r.met, r.grade, r.n_in_window) == (True, 2, 1)  # type: ignore[attr-defined]


def test_labs_outside_the_window_are_ignored() -> None:
    r = classify([lab(-8, "0.3"), lab(8, "0.3")])
    assert r.met is None and r.n_in_window == 0  # type: ignore[attr-defined]
    assert "no Lymphocyte count decreased lab" in r.reason  # type: ignore[attr-defined]


def test_window_edges_are_inclusive() -> None:
    assert classify([lab(-7, "0.3")]).met is True  # type: ignore[attr-defined]
    assert classify([lab(7, "0.3")]).met is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(("selection", "met", "grade"), [
    ("closest", False, 1),   # day +1 (0.9) is closer than day -5 (0.4)
    ("worst", True, 3),
    ("first", True, 3),
    ("last", False, 0),
])
def test_selection_policies(selection: str, met: bool, grade: int) -> None:
    labs = [lab(-5, "0.4"), lab(1, "0.9"), lab(6, "1.2")]
    r = classify(labs, selection)
    assert (r.met, r.grade) == (met, grade)  # type: ignore[attr-defined]


def test_closest_tie_goes_to_the_higher_grade() -> None:
    r = classify([lab(-3, "0.9"), lab(3, "0.6")])
    assert (r.met, r.grade) == (True, 2)  # type: ignore[attr-defined]


def test_missing_lln_still_decides_when_alc_at_least_0_8() -> None:
    r = classify([lab(0, "1.1", lln=None)])
    assert r.met is False and r.grade is None  # type: ignore[attr-defined]


def test_other_terms_are_ignored() -> None:
    neut = DatedLabGrade(TARGET, grade_lab("Neutrophil count decreased", "0.3", "10^9/L",
                                           version=V, lln="2"))
    assert classify([neut]).met is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(("kw", "match"), [
    ({"offset_days": -1}, "'offset_days'"),
    ({"window_before_days": 1.5}, "'window_before_days'"),
    ({"min_grade": 0}, "'min_grade'"),
    ({"selection": "median"}, "median"),
])
def test_bad_parameters(kw: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"term": TERM, "anchor_date": END_RT, "offset_days": 42,
                               "window_before_days": 7, "window_after_days": 7, "min_grade": 2}
    args.update(kw)
    with pytest.raises(InputError, match=match):
        classify_grade_at_timepoint([], **args)  # type: ignore[arg-type]
