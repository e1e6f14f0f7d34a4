"""Visit windows and overdue / out-of-window flags."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.calendar import classify_visits, schedule_visits
from abscopal.errors import DateOrderError
from abscopal.protocol import Assessment

D = dt.date

IMAGING = Assessment.model_validate({
    "id": "imaging", "kind": "imaging", "description": "CT",
    "anchor": {"event": "rt_first_fraction", "offset_days": 42}, "every_days": 42,
    "until_day": 126, "window_before_days": 7, "window_after_days": 7,
})


def test_imaging_every_six_weeks_until_week_eighteen() -> None:
    visits = schedule_visits(IMAGING, anchor_date=D(2026, 1, 9), horizon_date=D(2027, 1, 1))
    assert [(v.number, v.nominal_date, v.window_start, v.window_end) for v in visits] == [
        (1, D(2026, 2, 20), D(2026, 2, 13), D(2026, 2, 27)),
        (2, D(2026, 4, 3), D(2026, 3, 27), D(2026, 4, 10)),
        (3, D(2026, 5, 15), D(2026, 5, 8), D(2026, 5, 22)),
    ]


def test_open_ended_assessment_stops_at_the_horizon() -> None:
    open_ended = IMAGING.model_copy(update={"until_day": None})
    visits = schedule_visits(open_ended, anchor_date=D(2026, 1, 9), horizon_date=D(2026, 4, 3))
    assert [v.nominal_date for v in visits] == [D(2026, 2, 20), D(2026, 4, 3)]


def test_flags() -> None:
    visits = schedule_visits(IMAGING, anchor_date=D(2026, 1, 9), horizon_date=D(2027, 1, 1))
    statuses = classify_visits(
        visits, actual_dates={("imaging", 1): D(2026, 3, 2)}, as_of=D(2026, 4, 12)
    )
    assert [(s.state, s.days_outside_window, s.is_flagged) for s in statuses] == [
        ("done_late", 3, True),     # window ended 27 Feb, done 2 Mar
        ("overdue", 2, True),       # window ended 10 Apr, nothing by 12 Apr
        ("upcoming", 0, False),
    ]
    early = classify_visits(visits[:1], actual_dates={("imaging", 1): D(2026, 2, 10)},
                            as_of=D(2026, 2, 20))
    assert (early[0].state, early[0].days_outside_window) == ("done_early", -3)
    due = classify_visits(visits[:1], actual_dates={}, as_of=D(2026, 2, 13))
    assert due[0].state == "due"
    ok = classify_visits(visits[:1], actual_dates={("imaging", 1): D(2026, 2, 27)},
                         as_of=D(2026, 3, 1))
    assert (ok[0].state, ok[0].is_flagged) == ("done_in_window", False)


def test_actual_date_after_as_of_is_refused() -> None:
    visits = schedule_visits(IMAGING, anchor_date=D(2026, 1, 9), horizon_date=D(2027, 1, 1))
    with pytest.raises(DateOrderError, match="after as_of"):
        classify_visits(visits, actual_dates={("imaging", 1): D(2026, 3, 2)}, as_of=D(2026, 3, 1))


@settings(max_examples=100, deadline=None)
@given(offset=st.integers(-30, 200), every=st.one_of(st.none(), st.integers(1, 90)),
       occurrences=st.integers(1, 8), before=st.integers(0, 14), after=st.integers(0, 14),
       anchor=st.dates(D(2024, 1, 1), D(2030, 1, 1)))
def test_a_window_contains_its_nominal_day(offset: int, every: int | None, occurrences: int,
                                           before: int, after: int, anchor: dt.date) -> None:
    assessment = Assessment.model_validate({
        "id": "x", "kind": "labs", "description": "x",
        "anchor": {"event": "treatment_start", "offset_days": offset},
        "every_days": every, "occurrences": occurrences if every else 1,
        "window_before_days": before, "window_after_days": after,
    })
    visits = schedule_visits(assessment, anchor_date=anchor, horizon_date=anchor)
    assert visits
    for visit in visits:
        assert visit.window_start <= visit.nominal_date <= visit.window_end
