"""Audit views: a trial's trail (filtered by role, site and blinding) and the admin-wide trail."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Query, Request
from sqlalchemy import or_, select

from abscopal.api.deps import SessionDep, require
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.routes.records import TABLE_RESOURCE
from abscopal.api.schemas import AuditEntryPublic, AuditVerifyOut, Page
from abscopal.store.audit import verify_audit
from abscopal.store.models import AuditEntry
from abscopal.store.permissions import Role, can, is_site_scoped
from abscopal.store.repo import Principal

router = make_router("", "audit")

TableFilter = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")]
RecordFilter = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


def entry_public(e: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        seq=e.seq, at=e.at, user_id=e.user_id, username=e.username, action=e.action,
        table_name=e.table_name, record_id=e.record_id, trial_id=e.trial_id, site_id=e.site_id,
        subject_id=e.subject_id, before=None if e.before is None else json.loads(e.before),
        after=None if e.after is None else json.loads(e.after), reason=e.reason, hash=e.hash)


@router.get("/trials/{trial_id}/audit", response_model=Page[AuditEntryPublic])
def trial_audit(trial_id: PathId, request: Request, session: SessionDep,
                p: Annotated[Principal, require("audit", "read")], limit: Limit = 50, offset: Offset = 0,
                table: TableFilter = None, record_id: RecordFilter = None) -> Page[AuditEntryPublic]:
    """The trial's audit trail: only tables the caller may read (blinding applied), own sites only."""
    blinded = bool(request.state.blinded)
    readable = sorted(t for t, res in TABLE_RESOURCE.items() if can(p.role, res, "read", blinded=blinded))
    stmt = select(AuditEntry).where(AuditEntry.trial_id == trial_id, AuditEntry.table_name.in_(readable))
    if is_site_scoped(p.role) and p.role is not Role.ADMIN:
        stmt = stmt.where(or_(AuditEntry.site_id.is_(None), AuditEntry.site_id.in_(sorted(p.site_ids))))
    if table is not None:
        stmt = stmt.where(AuditEntry.table_name == table)
    if record_id is not None:
        stmt = stmt.where(AuditEntry.record_id == record_id)
    rows, count = paginate(session, stmt.order_by(AuditEntry.seq), limit=limit, offset=offset)
    return Page(data=[entry_public(e) for e in rows], count=count)


@router.get("/audit", response_model=Page[AuditEntryPublic])
def system_audit(session: SessionDep, _p: Annotated[Principal, require("system_audit", "read")],
                 limit: Limit = 50, offset: Offset = 0, table: TableFilter = None,
                 record_id: RecordFilter = None) -> Page[AuditEntryPublic]:
    """The whole audit trail (admins only)."""
    stmt = select(AuditEntry)
    if table is not None:
        stmt = stmt.where(AuditEntry.table_name == table)
    if record_id is not None:
        stmt = stmt.where(AuditEntry.record_id == record_id)
    rows, count = paginate(session, stmt.order_by(AuditEntry.seq), limit=limit, offset=offset)
    return Page(data=[entry_public(e) for e in rows], count=count)


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify(session: SessionDep, _p: Annotated[Principal, require("system_audit", "read")]) -> AuditVerifyOut:
    """Recompute the hash chain and compare every audited row with its last audited state."""
    result = verify_audit(session)
    return AuditVerifyOut(ok=result.ok, entries_checked=result.entries_checked,
                          rows_checked=result.rows_checked, problems=[str(x) for x in result.problems])
