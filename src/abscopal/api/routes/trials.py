"""Trials and protocol versions (amendments create new versions; data keep theirs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, require, trial_of
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import (
    AmendmentIn,
    ArmPublic,
    Page,
    ProtocolVersionPublic,
    TrialCreate,
    TrialPublic,
    TrialUpdate,
)
from abscopal.errors import NotFoundError
from abscopal.store import repo
from abscopal.store.models import ProtocolVersion, Trial
from abscopal.store.repo import Principal

router = make_router("/trials", "trials")


def trial_public(session: SessionDep, trial: Trial) -> TrialPublic:
    out = TrialPublic.model_validate(trial)
    if trial.current_version_id is not None:
        version = session.get(ProtocolVersion, trial.current_version_id)
        if version is not None:
            protocol = repo.protocol_of(version)
            out.current_protocol_version = version.protocol_version
            out.arms = [ArmPublic(id=a.id, label=a.label) for a in protocol.arms]
    return out


@router.get("", response_model=Page[TrialPublic])
def list_trials(session: SessionDep, _p: Annotated[Principal, require("trial", "read")],
                limit: Limit = 50, offset: Offset = 0) -> Page[TrialPublic]:
    stmt = select(Trial).where(Trial.deleted_at.is_(None)).order_by(Trial.id)
    rows, count = paginate(session, stmt, limit=limit, offset=offset)
    return Page(data=[trial_public(session, t) for t in rows], count=count)


@router.post("", response_model=TrialPublic, status_code=status.HTTP_201_CREATED)
def create_trial(body: TrialCreate, session: SessionDep, p: Annotated[Principal, require("trial", "create")]) -> TrialPublic:
    """Register a trial from its protocol YAML (validated; findings name each path)."""
    trial = repo.create_trial(session, actor=p.actor, protocol_yaml=body.protocol_yaml)
    session.commit()
    return trial_public(session, trial)


@router.get("/{trial_id}", response_model=TrialPublic)
def get_trial(trial_id: PathId, request: Request, session: SessionDep,
              _p: Annotated[Principal, require("trial", "read")]) -> TrialPublic:
    return trial_public(session, trial_of(request))


@router.patch("/{trial_id}", response_model=TrialPublic)
def update_trial(trial_id: PathId, body: TrialUpdate, request: Request, session: SessionDep,
                 p: Annotated[Principal, require("trial", "update")]) -> TrialPublic:
    """Change trial settings (e.g. whether statisticians may see the allocation)."""
    trial = trial_of(request)
    changes = body.model_dump(exclude_unset=True, exclude={"version", "reason"})
    repo.update_record(session, actor=p.actor, row=trial, changes=changes,
                       expected_version=body.version, reason=body.reason)
    session.commit()
    return trial_public(session, trial)


@router.get("/{trial_id}/protocol-versions", response_model=Page[ProtocolVersionPublic])
def list_versions(trial_id: PathId, session: SessionDep, _p: Annotated[Principal, require("protocol_version", "read")],
                  limit: Limit = 50, offset: Offset = 0) -> Page[ProtocolVersionPublic]:
    stmt = select(ProtocolVersion).where(ProtocolVersion.trial_id == trial_id).order_by(ProtocolVersion.id)
    rows, count = paginate(session, stmt, limit=limit, offset=offset)
    return Page(data=[ProtocolVersionPublic.model_validate(r) for r in rows], count=count)


@router.post("/{trial_id}/protocol-versions", response_model=ProtocolVersionPublic,
             status_code=status.HTTP_201_CREATED)
def amend(trial_id: PathId, body: AmendmentIn, request: Request, session: SessionDep,
          p: Annotated[Principal, require("protocol_version", "create")]) -> ProtocolVersionPublic:
    """Amend the protocol: a new version becomes current; earlier records keep their version."""
    version = repo.amend_trial(session, actor=p.actor, trial=trial_of(request),
                               protocol_yaml=body.protocol_yaml, reason=body.reason)
    session.commit()
    return ProtocolVersionPublic.model_validate(version)


@router.get("/{trial_id}/protocol-versions/{version_id}", response_model=ProtocolVersionPublic)
def get_version(trial_id: PathId, version_id: PathId, session: SessionDep,
                _p: Annotated[Principal, require("protocol_version", "read")]) -> ProtocolVersionPublic:
    version = session.get(ProtocolVersion, version_id)
    if version is None or version.trial_id != trial_id:
        raise NotFoundError(f"protocol version {version_id} not found in this trial")
    return ProtocolVersionPublic.model_validate(version)
