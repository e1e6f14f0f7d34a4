"""Shared route plumbing: the shaped router class, path/query types, pagination."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from abscopal.api.blinding import ShapedRoute
from abscopal.api.schemas import ErrorResponse

PathId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Rows to skip")]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "Not authenticated"),
        (403, "Role not allowed"),
        (404, "Not found (or not visible to you)"),
        (409, "Conflict: someone saved first, or duplicate"),
        (422, "Validation error"),
    )
}


def make_router(prefix: str, tag: str) -> APIRouter:
    """A router whose every route shapes its responses for the caller (blinding)."""
    return APIRouter(prefix=prefix, tags=[tag], route_class=ShapedRoute, responses=ERRORS)


def paginate(session: Session, stmt: Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``stmt``'s rows and the total count."""
    count = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = list(session.execute(stmt.limit(limit).offset(offset)).scalars())
    return rows, int(count)


__all__ = ["ERRORS", "Limit", "Offset", "PathId", "make_router", "paginate"]
