"""Subjects of a trial (site users see and create only their own sites' subjects)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, require, subject_of, trial_of
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import Page, Reason, SubjectCreate, SubjectPublic, SubjectUpdate, Version
from abscopal.errors import InputError, PermissionDeniedError
from abscopal.store import repo
from abscopal.store.models import Site, Subject
from abscopal.store.permissions import is_site_scoped
from abscopal.store.repo import Principal

router = make_router("/trials/{trial_id}/subjects", "subjects")


def _check_site(session: SessionDep, p: Principal, site_id: int) -> None:
    site = session.get(Site, site_id)
    if site is None or site.deleted_at is not None:
        raise InputError(f"'site_id' must name an existing site (got {site_id})")
    if not p.sees_site(site_id):
        raise PermissionDeniedError(f"you may only register subjects at your own sites (got site {site_id})")


@router.get("", response_model=Page[SubjectPublic])
def list_subjects(trial_id: PathId, session: SessionDep, p: Annotated[Principal, require("subject", "read")],
                  limit: Limit = 50, offset: Offset = 0,
                  site_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> Page[SubjectPublic]:
    stmt = select(Subject).where(Subject.trial_id == trial_id, Subject.deleted_at.is_(None))
    if is_site_scoped(p.role):
        stmt = stmt.where(Subject.site_id.in_(sorted(p.site_ids)))
    if site_id is not None:
        stmt = stmt.where(Subject.site_id == site_id)
    rows, count = paginate(session, stmt.order_by(Subject.id), limit=limit, offset=offset)
    return Page(data=[SubjectPublic.model_validate(r) for r in rows], count=count)


@router.post("", response_model=SubjectPublic, status_code=status.HTTP_201_CREATED)
def create_subject(trial_id: PathId, body: SubjectCreate, request: Request, session: SessionDep,
                   p: Annotated[Principal, require("subject", "create")]) -> SubjectPublic:
    """Register a screened subject under the trial's current protocol version."""
    _check_site(session, p, body.site_id)
    trial = trial_of(request)
    subject = repo.create_record(session, Subject, actor=p.actor, values={
        **body.model_dump(), "trial_id": trial.id, "protocol_version_id": trial.current_version_id})
    session.commit()
    return SubjectPublic.model_validate(subject)


@router.get("/{subject_id}", response_model=SubjectPublic)
def get_subject(trial_id: PathId, subject_id: PathId, request: Request,
                _p: Annotated[Principal, require("subject", "read")]) -> SubjectPublic:
    return SubjectPublic.model_validate(subject_of(request))


@router.patch("/{subject_id}", response_model=SubjectPublic)
def update_subject(trial_id: PathId, subject_id: PathId, body: SubjectUpdate, request: Request,
                   session: SessionDep, p: Annotated[Principal, require("subject", "update")]) -> SubjectPublic:
    subject = subject_of(request)
    if body.site_id is not None:
        _check_site(session, p, body.site_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version", "reason"})
    repo.update_record(session, actor=p.actor, row=subject, changes=changes,
                       expected_version=body.version, reason=body.reason)
    session.commit()
    return SubjectPublic.model_validate(subject)


@router.delete("/{subject_id}", response_model=SubjectPublic)
def delete_subject(trial_id: PathId, subject_id: PathId, request: Request, session: SessionDep,
                   version: Annotated[Version, Query()], reason: Annotated[Reason, Query()],
                   p: Annotated[Principal, require("subject", "delete")]) -> SubjectPublic:
    """Soft-delete (the row and its history stay; it disappears from lists)."""
    subject = subject_of(request)
    repo.soft_delete(session, actor=p.actor, row=subject, expected_version=version, reason=reason)
    session.commit()
    return SubjectPublic.model_validate(subject)
