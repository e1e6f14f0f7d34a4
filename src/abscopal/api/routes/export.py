"""Trial export: every record type the caller may read, own sites only, blinding applied."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from sqlalchemy import select

from abscopal.api.deps import SessionDep, require, trial_of
from abscopal.api.routes._common import PathId, make_router
from abscopal.api.routes.enrolment import allocation_public
from abscopal.api.routes.records import RECORD_KINDS
from abscopal.api.routes.trials import trial_public
from abscopal.api.schemas import EnrolmentPublic, SubjectPublic, UnblindingPublic
from abscopal.store.models import Allocation, Enrolment, Subject, Unblinding
from abscopal.store.permissions import can, is_site_scoped
from abscopal.store.repo import Principal

router = make_router("/trials/{trial_id}", "export")


@router.get("/export", response_model=dict[str, Any])
def export_trial(trial_id: PathId, request: Request, session: SessionDep,
                 p: Annotated[Principal, require("export", "read")]) -> dict[str, Any]:
    """All visible data of the trial as one JSON document (soft-deleted rows included, flagged)."""
    blinded = bool(request.state.blinded)
    subjects_q = select(Subject).where(Subject.trial_id == trial_id)
    if is_site_scoped(p.role):
        subjects_q = subjects_q.where(Subject.site_id.in_(sorted(p.site_ids)))
    subjects = list(session.execute(subjects_q.order_by(Subject.id)).scalars())
    ids = [s.id for s in subjects]
    out: dict[str, Any] = {"trial": trial_public(session, trial_of(request)).model_dump(mode="json")}
    if can(p.role, "subject", "read", blinded=blinded):
        out["subjects"] = [SubjectPublic.model_validate(s).model_dump(mode="json") for s in subjects]
    simple: list[tuple[str, Any, Any]] = [
        ("enrolment", Enrolment, lambda r: EnrolmentPublic.model_validate(r)),
        ("allocation", Allocation, lambda r: allocation_public(session, r)),
        ("unblinding", Unblinding, lambda r: UnblindingPublic.model_validate(r)),
    ]
    simple += [(k.resource, k.model, k.public.model_validate) for k in RECORD_KINDS]
    for resource, model, to_public in simple:
        if not can(p.role, resource, "read", blinded=blinded):
            continue
        rows = session.execute(select(model).where(model.subject_id.in_(ids)).order_by(model.id)).scalars()
        out[resource] = [to_public(r).model_dump(mode="json") for r in rows]
    return out
