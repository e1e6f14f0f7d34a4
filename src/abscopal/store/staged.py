"""A stage-aware allocator: run-ins, stage I → stage II, then the stage's own method.

The default :class:`~abscopal.store.allocation.FixedRatioAllocator` looks at every arm of the
protocol at once, so a protocol whose stages each have an "all participants" arm (NCT06076135
stage I / stage II) or a run-in before a randomised part (NCT06439888 part I → part II) needs
to know which stage is open. :class:`StagedAllocator` works that out and hands the stage's arms
to the base allocator.

Rules
-----
1. A protocol without ``design.stages`` goes to the base allocator unchanged.
2. The stage is ``facts["stage"]`` when the enrolling user states it (it must name a stage of
   the protocol; the statement is stored and audited with the enrolment facts) — this is how a
   site records that the steering committee opened the next stage after a gate decision.
3. Otherwise it is the first stage, in protocol order, whose stated ``size`` is not yet reached
   by earlier allocations to that stage's arms; a stage without a size stays open (policy: the
   protocol gives no size, so only an explicit statement, rule 2, moves past it).
4. Within the stage, the arms of the stage (``abscopal.randomisation.arms_in_stage``) are
   allocated by the base allocator (randomised: permuted blocks in a stratum keyed by the stage;
   cohort rule; or the stage's single arm), and the decision carries the stage id.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from abscopal.errors import InputError
from abscopal.protocol import Protocol
from abscopal.randomisation import arms_in_stage
from abscopal.store.allocation import (
    AllocationDecision,
    AllocationRequest,
    Allocator,
    FixedRatioAllocator,
)

STAGE_FACT = "stage"


def _stage_of_arm(protocol: Protocol) -> dict[str, str]:
    """arm id → the first stage it belongs to."""
    out: dict[str, str] = {}
    for stage in protocol.design.stages:
        for arm in arms_in_stage(protocol, stage.id):
            out.setdefault(arm.id, stage.id)
    return out


def classify_open_stage(protocol: Protocol, *, prior_arm_ids: tuple[str, ...],
                        stated: object = None) -> str:
    """The stage a new enrolment falls into (module Rules 2 and 3)."""
    ids = [s.id for s in protocol.design.stages]
    if stated is not None:
        if stated not in ids:
            raise InputError(f"'facts.{STAGE_FACT}' must be one of the protocol's stages {ids} "
                             f"(got {stated!r})")
        return str(stated)
    by_arm = _stage_of_arm(protocol)
    for stage in protocol.design.stages:
        if stage.size is None:
            return stage.id
        taken = sum(1 for arm_id in prior_arm_ids if by_arm.get(arm_id) == stage.id)
        if taken < stage.size:
            return stage.id
    return ids[-1]


@dataclass(frozen=True)
class StagedAllocator:
    """Stage-aware allocation on top of a base allocator (module Rules)."""

    base: Allocator = field(default_factory=FixedRatioAllocator)
    name: str = "staged"

    def allocate(self, request: AllocationRequest) -> AllocationDecision:
        protocol = request.protocol
        if not protocol.design.stages:
            return self.base.allocate(request)
        stage_id = classify_open_stage(
            protocol, prior_arm_ids=tuple(arm for _key, arm in request.prior),
            stated=request.facts.get(STAGE_FACT))
        arms = arms_in_stage(protocol, stage_id)
        staged_protocol = protocol.model_copy(update={"arms": tuple(arms)})
        stratum = {**request.stratum, STAGE_FACT: stage_id}
        decision = self.base.allocate(dataclasses.replace(
            request, protocol=staged_protocol, stratum=stratum))
        return dataclasses.replace(decision, stage_id=stage_id)


__all__ = ["STAGE_FACT", "StagedAllocator", "classify_open_stage"]
