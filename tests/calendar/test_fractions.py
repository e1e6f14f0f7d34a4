"""RT fraction dates: weekdays only, spans, closures. Dates are written out (golden)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.calendar import is_weekday, schedule_fractions
from abscopal.errors import CriteriaError, InputError

D = dt.date


def test_first_fraction_on_a_friday_skips_the_weekend() -> None:
    # 2026-01-09 is a Friday.
    assert schedule_fractions(D(2026, 1, 9), fractions=5, weekdays_only=True, max_span_days=14) == (
        D(2026, 1, 9), D(2026, 1, 12), D(2026, 1, 13), D(2026, 1, 14), D(2026, 1, 15))


def test_nct06076135_stage_two_three_fractions_within_ten_days() -> None:
    assert schedule_fractions(D(2026, 1, 9), fractions=3, weekdays_only=True, max_span_days=10) == (
        D(2026, 1, 9), D(2026, 1, 12), D(2026, 1, 13))


def test_without_weekday_rule_fractions_are_daily() -> None:
    assert schedule_fractions(D(2026, 1, 9), fractions=3, weekdays_only=False) == (
        D(2026, 1, 9), D(2026, 1, 10), D(2026, 1, 11))


def test_closed_dates_are_skipped() -> None:
    # Monday 2026-01-12 closed: Fri 9, Tue 13, Wed 14.
    assert schedule_fractions(D(2026, 1, 9), fractions=3, weekdays_only=True,
                              closed_dates={D(2026, 1, 12)}) == (
        D(2026, 1, 9), D(2026, 1, 13), D(2026, 1, 14))


def test_min_gap_every_other_day() -> None:
    # Mon 5, Wed 7, Fri 9, Mon 12 (Sunday 11 is skipped).
    assert schedule_fractions(D(2026, 1, 5), fractions=4, weekdays_only=True, min_gap_days=2) == (
        D(2026, 1, 5), D(2026, 1, 7), D(2026, 1, 9), D(2026, 1, 12))


def test_eleven_weekday_fractions_cannot_fit_in_two_weeks() -> None:
    # Monday 2026-01-05: 10 weekdays end Fri 16 (12 days); the 11th is Mon 19 = 15 days.
    with pytest.raises(CriteriaError, match="span of 15 days; the protocol allows 14"):
        schedule_fractions(D(2026, 1, 5), fractions=11, weekdays_only=True, max_span_days=14)


def test_weekend_start_is_refused_not_shifted() -> None:
    with pytest.raises(InputError, match="is a Saturday"):
        schedule_fractions(D(2026, 1, 10), fractions=2, weekdays_only=True)


@settings(max_examples=100, deadline=None)
@given(start=st.dates(D(2024, 1, 1), D(2030, 12, 31)).filter(is_weekday),
       n=st.integers(1, 30), weekdays=st.booleans())
def test_fractions_fall_on_allowed_days_in_order(start: dt.date, n: int, weekdays: bool) -> None:
    dates = schedule_fractions(start, fractions=n, weekdays_only=weekdays)
    assert len(dates) == n and dates[0] == start
    assert all(b > a for a, b in zip(dates, dates[1:], strict=False))
    if weekdays:
        assert all(is_weekday(d) for d in dates)
        # Five treatment days per calendar week at most: span bound.
        assert (dates[-1] - dates[0]).days <= (n - 1) + 2 * ((n + 4) // 5)


def test_delivered_dates_are_checked_against_the_rules() -> None:
    from abscopal.calendar import validate_fraction_dates

    # NCT06439888: weekdays only, within 14 days. Delivered Fri 9, Sat 10, Sat 10, Mon 26 Jan.
    found = validate_fraction_dates(
        [D(2026, 1, 9), D(2026, 1, 10), D(2026, 1, 10), D(2026, 1, 26)],
        weekdays_only=True, max_span_days=14)
    assert [(f.path, f.expected, f.received) for f in found] == [
        ("fractions[1]", "a weekday (Monday to Friday)", "'2026-01-10 (Saturday)'"),
        ("fractions[2]", "a weekday (Monday to Friday)", "'2026-01-10 (Saturday)'"),
        ("fractions[2]", "at least 1 day(s) after the previous fraction (2026-01-10)",
         "'2026-01-10'"),
        ("fractions[3]", "all fractions within 14 days", "a span of 18 days"),
    ]
    assert validate_fraction_dates([D(2026, 1, 9), D(2026, 1, 12)], weekdays_only=True,
                                   max_span_days=10) == ()
