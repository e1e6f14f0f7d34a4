"""Rule tables (versioned data) and protocol parameters."""

from __future__ import annotations

from fractions import Fraction

import pytest

from abscopal.errors import InputError
from abscopal.response import (
    IRECIST_RULES,
    RECIST_1_1_RULES,
    RULES,
    AbscopalDefinition,
    PostPrPolicy,
    ResponseParams,
    get_rules,
)


def test_recist_1_1_thresholds_are_the_published_ones() -> None:
    r = RECIST_1_1_RULES
    assert (r.pr_max_ratio, r.pd_min_ratio, r.pd_min_increase_mm) == (
        Fraction(7, 10), Fraction(6, 5), Fraction(5))
    assert (r.node_normal_below_mm, r.too_small_mm, r.measurable_min_mm,
            r.node_measurable_min_mm, r.max_targets, r.max_targets_per_organ) == (10, 5, 10, 15, 5, 2)
    assert IRECIST_RULES.icpd_min_increase_mm == 5
    assert set(RULES) == {"recist_1_1", "irecist"}


def test_description_is_readable() -> None:
    assert RECIST_1_1_RULES.description.startswith(
        "recist_1_1: PR <= -30% vs baseline; PD >= +20% and >= +5 mm vs nadir")


def test_scaled_multiplies_absolute_thresholds_only() -> None:
    s = RECIST_1_1_RULES.scaled(3)
    assert (s.pd_min_increase_mm, s.node_normal_below_mm, s.too_small_mm) == (15, 30, 15)
    assert (s.pr_max_ratio, s.pd_min_ratio) == (RECIST_1_1_RULES.pr_max_ratio, RECIST_1_1_RULES.pd_min_ratio)
    with pytest.raises(InputError, match="'factor' must be > 0"):
        RECIST_1_1_RULES.scaled(0)


@pytest.mark.parametrize("name", ["recist1.1", "RECIST_1_1", "recist_1.1", "irecist"])
def test_get_rules_accepts_spellings(name: str) -> None:
    assert get_rules(name).version in RULES


def test_get_rules_rejects_unknown() -> None:
    with pytest.raises(InputError, match="'criteria' must be one of"):
        get_rules("mrecist")


def test_default_params_follow_the_spec() -> None:
    p = ResponseParams()
    assert (p.confirm_min_days, p.sd_min_days, p.max_ne_between_confirmation,
            p.accept_sd_between_confirmation, p.post_pr_policy, p.irecist_min_confirm_days,
            p.irecist_max_confirm_days, p.exclude_in_field_from_targets,
            p.pd_after_cr_reappearance) == (28, 42, 1, False, PostPrPolicy.STRICT, 28, 56, False, True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sd_min_days": -1}, "'sd_min_days' must be a non-negative integer number of days (got -1)"),
        ({"confirm_min_days": 2.5}, "'confirm_min_days' must be a non-negative integer"),
        ({"post_pr_policy": "lenient"}, "'post_pr_policy' must be one of ['strict', 'continuing_pr']"),
    ],
)
def test_bad_params(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as info:
        ResponseParams(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_abscopal_definition_checks_fraction() -> None:
    with pytest.raises(InputError, match="must be in"):
        AbscopalDefinition(min_decrease_fraction=Fraction(0))
