"""Private helpers: exact thresholds, formatting of millimetres and percentages."""

from __future__ import annotations

import pytest

from abscopal.response import RECIST_1_1_RULES
from abscopal.response._core import Thresholds, mm, pct, pct_decimal, to_mm_decimal


@pytest.mark.parametrize(
    ("units", "text"),
    [(570000, "57"), (322000, "32.2"), (1000000, "100"), (5, "0.0005"), (-60000, "-6"), (0, "0")],
)
def test_mm_has_no_trailing_zeros_or_exponent(units: int, text: str) -> None:
    assert mm(units) == text
    assert str(to_mm_decimal(units)) == text


@pytest.mark.parametrize(
    ("num", "den", "text", "dec"),
    [
        (-138, 460, "-30.0 %", "-30.0"),   # 46.0 -> 32.2
        (10, 47, "+21.3 %", "21.3"),       # 47 -> 57
        (1, 2000, "+0.0 %", "0.0"),        # 0.05 % rounds half to even -> 0.0
        (3, 2000, "+0.2 %", "0.2"),        # 0.15 % -> 0.2
        (-1, 2000, "+0.0 %", "0.0"),       # -0.05 % -> 0.0, shown without a minus sign
        (-3, 2000, "-0.2 %", "-0.2"),
    ],
)
def test_pct_rounds_half_to_even_exactly(num: int, den: int, text: str, dec: str) -> None:
    assert pct(num, den) == text
    assert str(pct_decimal(num, den)) == dec


def test_pct_of_zero_nadir() -> None:
    assert (pct(5, 0), pct_decimal(5, 0)) == ("n/a %", None)


def test_threshold_comparisons_are_exact() -> None:
    th = Thresholds.of(RECIST_1_1_RULES)
    assert th.is_pr(322000, 460000) and not th.is_pr(322001, 460000)
    assert th.is_pd(312000, 260000) and not th.is_pd(311999, 260000)
    assert not th.is_pd(288000, 240000)  # +20 % but +4.8 mm
    assert Thresholds.of(RECIST_1_1_RULES) is th  # cached per rule table
    assert (th.pr_num, th.pr_den, th.pd_num, th.pd_den, th.pd_abs) == (7, 10, 6, 5, 50000)
