"""Audit trail per record, read through the API's own audit view (same role, site and blinding
filter), shown as field-level changes; plus export links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from abscopal.api.blinding import shape_for_caller
from abscopal.api.deps import SessionDep, trial_of
from abscopal.api.routes.audit import trial_audit
from abscopal.store.repo import Principal
from abscopal.web.access import allowed, is_caller_blinded, web_require
from abscopal.web.render import render

router = APIRouter(include_in_schema=False)

HIDDEN_KEYS = frozenset({"created_at", "created_by", "updated_at", "updated_by", "version"})


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Field-level differences between two audited images (new fields when ``before`` is None)."""
    before = before or {}
    after = after or {}
    out = []
    for key in sorted(set(before) | set(after)):
        if key in HIDDEN_KEYS:
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            out.append({"field": key, "before": old, "after": new})
    return out


@router.get("/trials/{trial_id}/audit")
def audit_page(trial_id: int, request: Request, session: SessionDep,
               p: Annotated[Principal, web_require("audit", "read")],
               table: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")] = None,
               record_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> Response:
    page = trial_audit(trial_id, request, session, p, limit=100, offset=offset, table=table,
                       record_id=record_id)
    blinded = is_caller_blinded(request)
    is_admin = bool(getattr(request.state, "is_admin", False))

    def shaped(image: dict[str, Any] | None) -> dict[str, Any] | None:
        # Shape the images before diffing: a hidden key must not turn into a visible row.
        out: dict[str, Any] | None = shape_for_caller(image, blinded=blinded, is_admin=is_admin)
        return out

    entries = [{"seq": e.seq, "at": e.at.isoformat(timespec="seconds"), "username": e.username,
                "action": e.action, "table": e.table_name, "record_id": e.record_id,
                "reason": e.reason, "changes": changes(shaped(e.before), shaped(e.after))} for e in page.data]
    trial = trial_of(request)
    return render(request, "audit.html", {
        "trial": {"id": trial.id, "registry_id": trial.registry_id, "title": trial.title},
        "entries": entries, "count": page.count, "table": table, "record_id": record_id,
        "offset": offset, "can_export": allowed(request, p, "export")})


__all__ = ["changes", "router"]
