"""Radiotherapy fraction dates under a protocol's delivery rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from abscopal.errors import CriteriaError, Finding, InputError


def is_weekday(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def schedule_fractions(
    first_date: dt.date,
    *,
    fractions: int,
    weekdays_only: bool,
    max_span_days: int | None = None,
    min_gap_days: int | None = None,
    closed_dates: Collection[dt.date] = (),
) -> tuple[dt.date, ...]:
    """Dates of ``fractions`` fractions starting on ``first_date``.

    Parameters
    ----------
    first_date : date
        Day of the first fraction; it must itself be a treatment day.
    fractions : int
        Number of fractions (>= 1).
    weekdays_only : bool
        Monday to Friday only (NCT06439888 "on week days (from Monday to Friday)").
    max_span_days : int, optional
        All fractions within this many calendar days, first and last day included.
    min_gap_days : int, optional
        Days between consecutive fractions (default 1: one fraction a day).
    closed_dates : collection of date
        Department closures (public holidays); skipped like weekends.

    Rules
    -----
    1. One fraction per treatment day, on the earliest treatment day at least ``min_gap_days``
       after the previous one (daily by default, the usual practice when the protocol is
       silent).
    2. A treatment day is any day, or a weekday when ``weekdays_only``, not in ``closed_dates``.
    3. ``(last - first).days + 1 <= max_span_days``, else the regimen cannot be delivered as
       written and ``CriteriaError`` is raised.

    Examples
    --------
    >>> [d.isoformat() for d in schedule_fractions(dt.date(2026, 1, 9), fractions=3,
    ...                                             weekdays_only=True, max_span_days=10)]
    ['2026-01-09', '2026-01-12', '2026-01-13']
    """
    if not isinstance(fractions, int) or fractions < 1:
        raise InputError(f"'fractions' must be a positive int (got {fractions!r})")
    gap = 1 if min_gap_days is None else min_gap_days
    if gap < 1:
        raise InputError(f"'min_gap_days' must be >= 1 (got {min_gap_days!r})")
    closed = set(closed_dates)

    def open_day(day: dt.date) -> bool:
        return (is_weekday(day) or not weekdays_only) and day not in closed

    if not open_day(first_date):
        why = "a closed date" if first_date in closed else f"a {first_date:%A}"
        raise InputError(
            f"'first_date' {first_date.isoformat()} is {why}; fractions are given on "
            + ("weekdays only" if weekdays_only else "open days")
        )
    dates = [first_date]
    while len(dates) < fractions:
        day = dates[-1] + dt.timedelta(days=gap)
        while not open_day(day):
            day += dt.timedelta(days=1)
        dates.append(day)
    span = (dates[-1] - dates[0]).days + 1
    if max_span_days is not None and span > max_span_days:
        raise CriteriaError(
            f"{fractions} fractions from {first_date.isoformat()} end on "
            f"{dates[-1].isoformat()}, a span of {span} days; the protocol allows "
            f"{max_span_days} (delivery.max_span_days)"
        )
    return tuple(dates)


def validate_fraction_dates(
    dates: Sequence[dt.date],
    *,
    weekdays_only: bool,
    max_span_days: int | None = None,
    min_gap_days: int | None = None,
) -> tuple[Finding, ...]:
    """Check delivered fraction dates against the protocol's delivery rules (never raises).

    Returns one finding per violation, located as ``fractions[i]``: a weekend fraction under
    ``weekdays_only``, two fractions closer than ``min_gap_days`` (or on the same day), dates out
    of order, and a total span above ``max_span_days`` (inclusive count).

    Examples
    --------
    >>> [str(f) for f in validate_fraction_dates(
    ...     [dt.date(2026, 1, 9), dt.date(2026, 1, 10)], weekdays_only=True)]
    ["fractions[1]: expected a weekday (Monday to Friday) (got '2026-01-10 (Saturday)')"]
    """
    found: list[Finding] = []
    gap = 1 if min_gap_days is None else min_gap_days
    for index, day in enumerate(dates):
        if weekdays_only and not is_weekday(day):
            found.append(Finding(f"fractions[{index}]", "a weekday (Monday to Friday)",
                                 repr(f"{day.isoformat()} ({day:%A})")))
        if index and (day - dates[index - 1]).days < gap:
            found.append(Finding(
                f"fractions[{index}]", f"at least {gap} day(s) after the previous fraction "
                f"({dates[index - 1].isoformat()})", repr(day.isoformat())))
    if dates and max_span_days is not None:
        span = (max(dates) - min(dates)).days + 1
        if span > max_span_days:
            found.append(Finding(f"fractions[{len(dates) - 1}]",
                                 f"all fractions within {max_span_days} days",
                                 f"a span of {span} days"))
    return tuple(found)
