"""Assessment visits with windows, and their status given actual dates and an ``as_of`` date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from abscopal.errors import DateOrderError
from abscopal.protocol import Assessment

VisitState = Literal[
    "done_in_window", "done_early", "done_late", "overdue", "due", "upcoming"
]


@dataclass(frozen=True)
class Visit:
    """One scheduled occurrence of an assessment: nominal day and its window (inclusive)."""

    assessment_id: str
    kind: str
    number: int
    nominal_date: dt.date
    window_start: dt.date
    window_end: dt.date
    description: str


@dataclass(frozen=True)
class VisitStatus:
    """Where a visit stands on ``as_of``.

    ``days_outside_window`` is how many days before the window start (early, negative) or after
    its end (late or overdue, positive); 0 when in the window or not yet due.
    """

    visit: Visit
    state: VisitState
    actual_date: dt.date | None
    days_outside_window: int
    is_flagged: bool


def schedule_visits(
    assessment: Assessment, *, anchor_date: dt.date, horizon_date: dt.date
) -> tuple[Visit, ...]:
    """The visits of one assessment, given the date of its anchor event.

    Rules
    -----
    1. Visit k (0-based) is nominally on ``anchor_date + offset_days + k × every_days``.
    2. Visits stop after ``occurrences``, after ``until_day`` days from the anchor event, or —
       only for assessments without either ("until progression") — after ``horizon_date``.
    3. The window is ``[nominal - window_before_days, nominal + window_after_days]``.
    """
    first = anchor_date + dt.timedelta(days=assessment.anchor.offset_days)
    visits: list[Visit] = []
    k = 0
    while True:
        if assessment.occurrences is not None and k >= assessment.occurrences:
            break
        if assessment.every_days is None and k >= 1:
            break
        step = k * (assessment.every_days or 0)
        nominal = first + dt.timedelta(days=step)
        if assessment.until_day is not None and (nominal - anchor_date).days > assessment.until_day:
            break
        open_ended = assessment.occurrences is None and assessment.until_day is None
        if open_ended and nominal > horizon_date:
            break
        visits.append(Visit(
            assessment_id=assessment.id,
            kind=assessment.kind.value,
            number=k + 1,
            nominal_date=nominal,
            window_start=nominal - dt.timedelta(days=assessment.window_before_days),
            window_end=nominal + dt.timedelta(days=assessment.window_after_days),
            description=assessment.description,
        ))
        k += 1
    return tuple(visits)


def classify_visits(
    visits: Sequence[Visit],
    *,
    actual_dates: Mapping[tuple[str, int], dt.date],
    as_of: dt.date,
) -> tuple[VisitStatus, ...]:
    """Flag out-of-window and overdue visits.

    Parameters
    ----------
    visits : sequence of Visit
    actual_dates : mapping of (assessment_id, number) to date
        Dates the visits actually happened.
    as_of : date
        "Today" for the classification (a parameter: the core never reads the clock).

    Rules
    -----
    1. Done visits: ``done_in_window`` if the actual date is inside the window, else
       ``done_early`` / ``done_late`` (flagged).
    2. Missing visits: ``overdue`` (flagged) once ``as_of`` is after the window end, ``due``
       while ``as_of`` is inside the window, ``upcoming`` before.

    Raises
    ------
    DateOrderError
        An actual date after ``as_of`` (data from the future).
    """
    out: list[VisitStatus] = []
    for visit in visits:
        actual = actual_dates.get((visit.assessment_id, visit.number))
        if actual is not None:
            if actual > as_of:
                raise DateOrderError(
                    f"visit {visit.assessment_id} #{visit.number} dated {actual.isoformat()} is "
                    f"after as_of {as_of.isoformat()}"
                )
            if actual < visit.window_start:
                out.append(VisitStatus(visit, "done_early", actual,
                                       (actual - visit.window_start).days, True))
            elif actual > visit.window_end:
                out.append(VisitStatus(visit, "done_late", actual,
                                       (actual - visit.window_end).days, True))
            else:
                out.append(VisitStatus(visit, "done_in_window", actual, 0, False))
        elif as_of > visit.window_end:
            out.append(VisitStatus(visit, "overdue", None, (as_of - visit.window_end).days, True))
        elif as_of >= visit.window_start:
            out.append(VisitStatus(visit, "due", None, 0, False))
        else:
            out.append(VisitStatus(visit, "upcoming", None, 0, False))
    return tuple(out)
