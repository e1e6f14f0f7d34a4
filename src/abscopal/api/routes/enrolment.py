"""Enrolment with concealed allocation, the allocation itself, and emergency unblinding."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, StateDep, require, subject_of
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import (
    AllocationPublic,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentPublic,
    Page,
    UnblindingIn,
    UnblindingPublic,
)
from abscopal.errors import NotFoundError
from abscopal.store import repo
from abscopal.store.models import Allocation, Enrolment, ProtocolVersion, Unblinding
from abscopal.store.repo import Principal

router = make_router("/trials/{trial_id}/subjects/{subject_id}", "enrolment")


def _arm_label(session: SessionDep, version_id: int, arm_id: str) -> str | None:
    version = session.get(ProtocolVersion, version_id)
    if version is None:
        return None
    try:
        return repo.protocol_of(version).arm(arm_id).label
    except KeyError:
        return None


def allocation_public(session: SessionDep, row: Allocation) -> AllocationPublic:
    out = AllocationPublic.model_validate(row)
    out.arm_label = _arm_label(session, row.protocol_version_id, row.arm_id)
    return out


@router.post("/enrolment", response_model=EnrolmentOut, status_code=status.HTTP_201_CREATED)
def enrol(trial_id: PathId, subject_id: PathId, body: EnrolmentIn, request: Request, session: SessionDep,
          state: StateDep, p: Annotated[Principal, require("enrolment", "create")]) -> EnrolmentOut:
    """Enrol the subject and allocate an arm from the concealed sequence (one audited event)."""
    enrolment, allocation = repo.enrol_subject(
        session, actor=p.actor, subject=subject_of(request), enrolled_on=body.enrolled_on,
        stratum=body.stratum, facts=body.facts, allocator=state.allocator)
    session.commit()
    return EnrolmentOut(enrolment=EnrolmentPublic.model_validate(enrolment),
                        allocation=allocation_public(session, allocation))


@router.get("/enrolment", response_model=EnrolmentPublic)
def get_enrolment(trial_id: PathId, subject_id: PathId, request: Request, session: SessionDep,
                  _p: Annotated[Principal, require("enrolment", "read")]) -> EnrolmentPublic:
    row = session.execute(select(Enrolment).where(Enrolment.subject_id == subject_of(request).id)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"subject {subject_id} is not enrolled")
    return EnrolmentPublic.model_validate(row)


@router.get("/allocation", response_model=AllocationPublic)
def get_allocation(trial_id: PathId, subject_id: PathId, request: Request, session: SessionDep,
                   _p: Annotated[Principal, require("allocation", "read")]) -> AllocationPublic:
    row = session.execute(select(Allocation).where(Allocation.subject_id == subject_of(request).id)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"subject {subject_id} has no allocation")
    return allocation_public(session, row)


@router.post("/unblinding", response_model=UnblindingPublic, status_code=status.HTTP_201_CREATED)
def unblind(trial_id: PathId, subject_id: PathId, body: UnblindingIn, request: Request, session: SessionDep,
            p: Annotated[Principal, require("unblinding", "create")]) -> UnblindingPublic:
    """Emergency unblinding: an explicit, audited, role-restricted action with a reason."""
    row = repo.unblind_subject(session, actor=p.actor, subject=subject_of(request), reason=body.reason)
    session.commit()
    out = UnblindingPublic.model_validate(row)
    out.arm_label = _arm_label(session, row.protocol_version_id, row.arm_id)
    return out


@router.get("/unblindings", response_model=Page[UnblindingPublic])
def list_unblindings(trial_id: PathId, subject_id: PathId, request: Request, session: SessionDep,
                     _p: Annotated[Principal, require("unblinding", "read")],
                     limit: Limit = 50, offset: Offset = 0) -> Page[UnblindingPublic]:
    stmt = select(Unblinding).where(Unblinding.subject_id == subject_of(request).id).order_by(Unblinding.id)
    rows, count = paginate(session, stmt, limit=limit, offset=offset)
    return Page(data=[UnblindingPublic.model_validate(r) for r in rows], count=count)
