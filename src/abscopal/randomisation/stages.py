"""Stages and run-ins: which stage is open, and whether a stage's gate lets the next one start.

NCT06439888 runs a single-arm safety run-in (part I) before a 1:1 randomised part II;
NCT06076135 enrols 16 in stage I and decides stage II on its results. The gate is evaluated from
counts the service supplies; when the protocol gives no formal rule (or not all its numbers), the
gate needs an explicit, recorded decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from abscopal.errors import InputError
from abscopal.protocol import (
    AllParticipants,
    CohortRule,
    Protocol,
    Randomised,
    SafetyRunInRule,
    SimonTwoStageRule,
    Stage,
)
from abscopal.randomisation.ratio import arms_in_stage

STAGE_GATE_VERSION = "stage_gate/1"

GateStatus = Literal["pending", "continue", "stop"]
AssignmentMethod = Literal["randomised", "cohort_rule", "all"]


@dataclass(frozen=True)
class GateResult:
    """Outcome of a stage's decision rule.

    ``continue``: the next stage may open; ``stop``: it may not; ``pending``: not enough data
    yet, or a decision by the investigators is awaited (``needs_decision``).
    """

    stage_id: str
    status: GateStatus
    needs_decision: bool
    reasons: tuple[str, ...]
    rule_version: str = STAGE_GATE_VERSION


@dataclass(frozen=True)
class StagePlan:
    """How participants of one stage are assigned to its arms."""

    stage_id: str | None
    method: AssignmentMethod
    arm_ids: tuple[str, ...]
    ratio: tuple[tuple[str, int], ...]


def plan_stage_assignment(protocol: Protocol, *, stage_id: str | None = None) -> StagePlan:
    """The assignment method of a stage: ``randomised`` (with ratio), ``cohort_rule`` or ``all``.

    Raises
    ------
    InputError
        When the stage mixes methods or has several ``all`` arms (who goes where is undefined).
    """
    arms = arms_in_stage(protocol, stage_id)
    kinds = {type(a.assignment) for a in arms}
    where = f"stage {stage_id!r}" if stage_id else "the trial"
    if kinds == {Randomised}:
        ratio = tuple(
            (a.id, a.assignment.ratio) for a in arms if isinstance(a.assignment, Randomised)
        )
        return StagePlan(stage_id, "randomised", tuple(a.id for a in arms), ratio)
    if kinds == {CohortRule}:
        return StagePlan(stage_id, "cohort_rule", tuple(a.id for a in arms), ())
    if kinds == {AllParticipants} and len(arms) == 1:
        return StagePlan(stage_id, "all", (arms[0].id,), ())
    raise InputError(
        f"{protocol.identity.registry_id}: {where} has arms {[a.id for a in arms]} with "
        f"assignments {sorted(k.__name__ for k in kinds)}; give each stage one method "
        "(use design.stages to separate a run-in from a randomised part)"
    )


def next_stage(protocol: Protocol, stage_id: str) -> Stage | None:
    """The stage after ``stage_id`` in protocol order, or None for the last one."""
    ids = [s.id for s in protocol.design.stages]
    if stage_id not in ids:
        raise InputError(f"'stage_id' must be one of {ids} (got {stage_id!r})")
    index = ids.index(stage_id)
    return protocol.design.stages[index + 1] if index + 1 < len(ids) else None


def evaluate_stage_gate(
    stage: Stage,
    *,
    evaluable: int,
    responses: int | None = None,
    dlts: int | None = None,
    decision: bool | None = None,
) -> GateResult:
    """Evaluate whether the stage after ``stage`` may open.

    Parameters
    ----------
    stage : Stage
    evaluable : int
        Participants of the stage evaluable for its rule so far.
    responses : int, optional
        Responders among them (Simon rule).
    dlts : int, optional
        Participants with a dose-limiting toxicity (safety run-in).
    decision : bool, optional
        The recorded decision of the investigators/DSMB (True = continue); required when the
        rule is ``investigator_review`` or lacks numbers, and it overrides nothing otherwise.

    Rules
    -----
    1. Simon two-stage (Simon 1989, Control Clin Trials 10:1): pending until ``n1`` are
       evaluable; then continue iff responses > ``r1``, else stop for futility.
    2. Safety run-in with ``n`` and ``max_dlt``: stop as soon as dlts > ``max_dlt``; continue
       once ``n`` are evaluable with dlts <= ``max_dlt``; pending before.
    3. Safety run-in without those numbers, and investigator review: pending until ``decision``
       is given; then continue or stop as decided.
    4. No rule: continue once the stage's ``size`` (if any) is evaluable.
    """
    if evaluable < 0 or (responses is not None and not 0 <= responses <= evaluable):
        raise InputError(
            f"need 0 <= responses <= evaluable (got responses={responses}, evaluable={evaluable})"
        )
    if dlts is not None and not 0 <= dlts <= evaluable:
        raise InputError(f"need 0 <= dlts <= evaluable (got dlts={dlts}, evaluable={evaluable})")
    rule = stage.decision_rule
    sid = stage.id
    if isinstance(rule, SimonTwoStageRule):
        if evaluable < rule.n1:
            return GateResult(sid, "pending", False, (f"{evaluable} of n1={rule.n1} evaluable",))
        if responses is None:
            raise InputError(f"stage {sid!r} has a Simon rule: 'responses' is required")
        status: GateStatus = "continue" if responses > rule.r1 else "stop"
        return GateResult(sid, status, False, (
            f"{responses} responses in {evaluable} evaluable; continue iff > r1={rule.r1} "
            "(Simon 1989)",))
    if isinstance(rule, SafetyRunInRule) and rule.n is not None and rule.max_dlt is not None:
        if dlts is None:
            raise InputError(f"stage {sid!r} has a safety run-in rule: 'dlts' is required")
        if dlts > rule.max_dlt:
            return GateResult(sid, "stop", False, (f"{dlts} DLTs > max_dlt={rule.max_dlt}",))
        if evaluable < rule.n:
            return GateResult(sid, "pending", False, (f"{evaluable} of n={rule.n} evaluable",))
        return GateResult(sid, "continue", False, (
            f"{dlts} DLTs <= max_dlt={rule.max_dlt} in n={rule.n}",))
    if rule is not None:
        if decision is None:
            what = "investigator review" if rule.kind == "investigator_review" else (
                "safety run-in without a stated size and DLT bound")
            return GateResult(sid, "pending", True, (
                f"{what}: awaiting the recorded decision ({evaluable} evaluable)",))
        return GateResult(sid, "continue" if decision else "stop", False, (
            f"recorded decision: {'continue' if decision else 'stop'}",))
    if stage.size is not None and evaluable < stage.size:
        return GateResult(sid, "pending", False, (f"{evaluable} of size={stage.size} evaluable",))
    return GateResult(sid, "continue", False, ("no decision rule; stage complete",))
