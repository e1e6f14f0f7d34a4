"""Stages and run-ins: where a staged trial stands, and the audited gate that opens the next stage.

The gate is an explicit admin action (``trial`` update permission) recorded with its counts,
rule outcome and reason; the stage overview is readable by whoever may read allocations (a
blinded role may not: a subject's stage can reveal its arm, e.g. the NCT06439888 run-in).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, require, trial_of
from abscopal.api.routes._common import PathId, make_router
from abscopal.api.schemas import StageGateIn, StageGatePublic, StagePublic, StagesOut
from abscopal.errors import InputError
from abscopal.randomisation import plan_stage_assignment
from abscopal.store import repo
from abscopal.store.models import ProtocolVersion, StageGate, Trial
from abscopal.store.repo import Principal

router = make_router("/trials/{trial_id}", "stages")


def _overview(session: SessionDep, trial: Trial) -> StagesOut:
    version = session.get(ProtocolVersion, trial.current_version_id)
    if version is None:
        raise InputError(f"trial {trial.id} has no current protocol version")
    protocol = repo.protocol_of(version)
    state = repo.stage_state(session, trial, protocol)
    stages = []
    for stage in protocol.design.stages:
        method: str
        try:
            method = plan_stage_assignment(protocol, stage_id=stage.id).method
        except InputError:
            method = "undefined"
        rule = stage.decision_rule
        stages.append(StagePublic(stage_id=stage.id, label=stage.label, size=stage.size,
                                  decision_rule=None if rule is None else rule.kind, method=method))
    gates = session.execute(select(StageGate).where(StageGate.trial_id == trial.id)
                            .order_by(StageGate.id)).scalars()
    return StagesOut(open_stage_id=state.open_stage, allocated_in_open_stage=state.allocated,
                     enrolment_stopped=state.closed_by_gate is not None, stages=stages,
                     gates=[StageGatePublic.model_validate(g) for g in gates])


@router.get("/stages", response_model=StagesOut)
def get_stages(trial_id: PathId, request: Request, session: SessionDep,
               _p: Annotated[Principal, require("allocation", "read")]) -> StagesOut:
    """The trial's stages, the open one, and every recorded gate decision."""
    return _overview(session, trial_of(request))


@router.post("/stages/gate", response_model=StagesOut, status_code=status.HTTP_201_CREATED)
def decide_gate(trial_id: PathId, body: StageGateIn, request: Request, session: SessionDep,
                p: Annotated[Principal, require("trial", "update")]) -> StagesOut:
    """Evaluate the open stage's gate and record it (audited); ``continue`` opens the next
    stage, ``stop`` closes enrolment, ``pending`` is refused with 409 and its reasons."""
    trial = trial_of(request)
    repo.record_stage_gate(session, actor=p.actor, trial=trial, evaluable=body.evaluable,
                           responses=body.responses, dlts=body.dlts, decision=body.decision,
                           reason=body.reason)
    session.commit()
    return _overview(session, trial)
