"""Design checks recompute registry claims exactly and say whether they hold."""

from __future__ import annotations

import pytest

from abscopal.design.check import validate_statistical_design
from abscopal.errors import InputError
from tests.utils.design_protocols import NCT06439888_FISHER, make_protocol


def test_nct06439888_fisher_claim_holds_only_within_rounding() -> None:
    res = validate_statistical_design(make_protocol([NCT06439888_FISHER]))
    (check,) = res.checks
    assert check.status == "agrees_within_rounding"
    # exact figures cross-checked with R's fisher.test enumeration (tests/design/test_fisher.py)
    assert check.computed["exact_power"] == pytest.approx(0.84938384965, rel=1e-9)
    assert check.computed["attained_alpha_at_control_rate"] == pytest.approx(0.03546201241,
                                                                            rel=1e-9)
    assert check.computed["smallest_n_per_arm_for_stated_power"] == 27
    text = res.describe()
    assert "84.94 %" in text and "0.06 percentage points below" in text
    assert not res.has_discrepancy


def test_overstated_power_is_a_discrepancy() -> None:
    res = validate_statistical_design(make_protocol([{**NCT06439888_FISHER, "power": 0.9}]))
    assert res.checks[0].status == "discrepancy"
    assert res.has_discrepancy


def test_simon_stated_design_is_recomputed() -> None:
    simon = {"method": "simon_two_stage", "endpoint": "lymphopenia", "p0": 0.1, "p1": 0.3,
             "alpha": 0.05, "power": 0.8, "r1": 1, "n1": 10, "r": 5, "n": 29,
             "registry_text": "Simon optimal design 1/10, 5/29"}
    (check,) = validate_statistical_design(make_protocol([simon])).checks
    assert check.status == "agrees"
    assert check.computed["optimal"]["n"] == 29  # type: ignore[index]
    assert "The stated design is the optimal design." in check.reasons


def test_simon_without_rates_is_incomplete() -> None:
    simon = {"method": "simon_two_stage", "endpoint": "lymphopenia", "n1": 16, "r1": 1,
             "n": 30, "r": 5, "registry_text": "Sixteen subjects in stage I"}
    (check,) = validate_statistical_design(make_protocol([simon])).checks
    assert check.status == "incomplete"
    assert "p0 and p1" in check.reasons[0]


def test_survival_total_below_requirement_is_flagged() -> None:
    surv = {"method": "logrank", "endpoint": "lymphopenia", "hazard_ratio": 0.6,
            "median_control_months": 10, "alpha": 0.05, "sides": 2, "power": 0.8,
            "accrual_months": 30, "follow_up_months": 18, "n_total": 90,
            "registry_text": "90 patients"}
    (check,) = validate_statistical_design(make_protocol([surv])).checks
    assert check.status == "discrepancy"  # about 150 patients are needed, 90 are stated
    assert check.computed["power_at_stated_n"] < 0.8  # type: ignore[operator]


def test_unstated_design_is_not_checkable() -> None:
    un = {"method": "unstated", "n_total": 80, "registry_text": "80 participants"}
    (check,) = validate_statistical_design(make_protocol([un])).checks
    assert check.status == "not_checkable"


def test_rejects_non_protocol() -> None:
    with pytest.raises(InputError, match="'protocol' must be an abscopal.protocol.Protocol"):
        validate_statistical_design({"identity": {}})  # type: ignore[arg-type]
