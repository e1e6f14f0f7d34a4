"""Look-back windows: parse "6 months" / "4 weeks" / "30 days" and find their start date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

WindowUnit = Literal["days", "weeks", "months", "years"]

_WINDOW_RE = re.compile(r"^\s*(\d{1,4})\s*(day|days|week|weeks|month|months|year|years)\s*$")


@dataclass(frozen=True)
class Window:
    """A look-back window of ``amount`` calendar ``unit`` ending on the screening date.

    Rules
    -----
    1. Days and weeks are exact (1 week = 7 days).
    2. Months and years are calendar steps back from the screening date; a day that does not
       exist in the target month is clamped to that month's last day (31 Aug - 6 months =
       28/29 Feb). Policy: registry texts say "within 6 months" without defining a month.
    3. The window includes both its start date and the screening date.
    """

    amount: int
    unit: WindowUnit

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

    def start_date(self, as_of: date) -> date:
        """The first day inside the window that ends on ``as_of``."""
        if self.unit == "days":
            return as_of - timedelta(days=self.amount)
        if self.unit == "weeks":
            return as_of - timedelta(days=7 * self.amount)
        months = self.amount * (12 if self.unit == "years" else 1)
        total = as_of.year * 12 + (as_of.month - 1) - months
        year, month = divmod(total, 12)
        month += 1
        day = min(as_of.day, calendar.monthrange(year, month)[1])
        return date(year, month, day)


@lru_cache(maxsize=256)
def parse_window(text: str) -> Window:
    """Parse ``"6 months"``, ``"4 weeks"``, ``"30 days"``, ``"5 years"`` (singular allowed).

    Raises
    ------
    ValueError
        When the text is not ``<positive integer> <days|weeks|months|years>``.
    """
    match = _WINDOW_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"a window like '30 days', '4 weeks', '6 months' or '5 years' (got {text!r})"
        )
    amount = int(match.group(1))
    if amount <= 0:
        raise ValueError(f"a window of at least 1 day (got {text!r})")
    unit = match.group(2)
    if not unit.endswith("s"):
        unit += "s"
    return Window(amount, unit)  # type: ignore[arg-type]
