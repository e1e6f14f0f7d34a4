"""Look-back windows: parsing and calendar arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from abscopal.eligibility import parse_window


@pytest.mark.parametrize(
    ("text", "as_of", "start"),
    [
        ("30 days", date(2025, 3, 31), date(2025, 3, 1)),
        ("4 weeks", date(2025, 3, 31), date(2025, 3, 3)),
        ("1 week", date(2025, 1, 3), date(2024, 12, 27)),
        ("6 months", date(2025, 6, 30), date(2024, 12, 30)),
        ("6 months", date(2025, 8, 31), date(2025, 2, 28)),  # clamped to month end
        ("6 months", date(2024, 8, 31), date(2024, 2, 29)),  # leap year
        ("2 months", date(2025, 1, 15), date(2024, 11, 15)),
        ("5 years", date(2024, 2, 29), date(2019, 2, 28)),
        (" 12 month ", date(2025, 5, 5), date(2024, 5, 5)),
    ],
)
def test_window_start(text: str, as_of: date, start: date) -> None:
    assert parse_window(text).start_date(as_of) == start


@pytest.mark.parametrize(
    "text",
    ["6", "six months", "6 fortnights", "-3 days", "6 months ago", "", "1.5 weeks"],
)
def test_malformed_window_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="window like"):
        parse_window(text)


def test_window_text_round_trips() -> None:
    assert str(parse_window("1 months")) == "1 month"
    assert str(parse_window("4 week")) == "4 weeks"


def test_zero_length_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        parse_window("0 days")
