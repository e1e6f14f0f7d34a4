"""Stages and run-ins: assignment per stage and stage gates."""

from __future__ import annotations

import pytest

from abscopal.datasets import load_trial
from abscopal.errors import InputError
from abscopal.protocol import SimonTwoStageRule, Stage
from abscopal.randomisation import (
    derive_allocation_ratio,
    evaluate_stage_gate,
    next_stage,
    plan_stage_assignment,
)


def test_nct06439888_run_in_then_randomised_one_to_one() -> None:
    p = load_trial("NCT06439888")
    part1 = plan_stage_assignment(p, stage_id="part1")
    part2 = plan_stage_assignment(p, stage_id="part2")
    assert (part1.method, part1.arm_ids) == ("all", ("run_in",))
    assert (part2.method, part2.ratio) == ("randomised", (("sbrt_atra", 1), ("sbrt_alone", 1)))
    assert derive_allocation_ratio(p, stage_id="part2") == {"sbrt_atra": 1, "sbrt_alone": 1}
    with pytest.raises(InputError, match="1 randomised arm|0 randomised arm"):
        derive_allocation_ratio(p, stage_id="part1")
    next_ = next_stage(p, "part1")
    assert next_ is not None and next_.id == "part2"
    assert next_stage(p, "part2") is None


def test_nct06439888_run_in_gate_waits_for_a_recorded_decision() -> None:
    part1 = load_trial("NCT06439888").design.stages[0]
    pending = evaluate_stage_gate(part1, evaluable=6, dlts=0)
    assert (pending.status, pending.needs_decision) == ("pending", True)
    assert evaluate_stage_gate(part1, evaluable=6, dlts=0, decision=True).status == "continue"
    assert evaluate_stage_gate(part1, evaluable=6, dlts=2, decision=False).status == "stop"


def test_nct06076135_stage_one_single_arm_and_investigator_gate() -> None:
    p = load_trial("NCT06076135")
    assert plan_stage_assignment(p, stage_id="stage1").arm_ids == ("stage_1",)
    assert plan_stage_assignment(p, stage_id="stage2").arm_ids == ("stage_2",)
    gate = evaluate_stage_gate(p.design.stages[0], evaluable=16)
    assert (gate.status, gate.needs_decision) == ("pending", True)


def test_nct07277777_whole_trial_randomised() -> None:
    plan = plan_stage_assignment(load_trial("NCT07277777"))
    assert plan.ratio == (("seed_ici", 1), ("ici_alone", 1))


SIMON = Stage(id="s1", label="Stage 1",
              decision_rule=SimonTwoStageRule(n1=10, r1=1, n=29, r=5))


@pytest.mark.parametrize(
    ("evaluable", "responses", "status"),
    [
        (9, 3, "pending"),   # n1 not reached yet
        (10, 1, "stop"),     # responses <= r1: futility
        (10, 2, "continue"),  # responses > r1
    ],
)
def test_simon_gate(evaluable: int, responses: int, status: str) -> None:
    assert evaluate_stage_gate(SIMON, evaluable=evaluable, responses=responses).status == status


def test_simon_gate_needs_responses() -> None:
    with pytest.raises(InputError, match="'responses' is required"):
        evaluate_stage_gate(SIMON, evaluable=10)


def test_safety_run_in_with_numbers_stops_early_on_too_many_dlts() -> None:
    from abscopal.protocol import SafetyRunInRule

    stage = Stage(id="r", label="run-in", decision_rule=SafetyRunInRule(n=6, max_dlt=1))
    assert evaluate_stage_gate(stage, evaluable=3, dlts=2).status == "stop"
    assert evaluate_stage_gate(stage, evaluable=3, dlts=1).status == "pending"
    assert evaluate_stage_gate(stage, evaluable=6, dlts=1).status == "continue"


def test_counts_are_checked() -> None:
    with pytest.raises(InputError, match="responses <= evaluable"):
        evaluate_stage_gate(SIMON, evaluable=3, responses=4)
