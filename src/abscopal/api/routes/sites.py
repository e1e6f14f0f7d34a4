"""Sites (admin writes; everyone reads the list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, require
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import Page, SiteCreate, SitePublic, SiteUpdate
from abscopal.errors import InputError, NotFoundError
from abscopal.store import repo
from abscopal.store.models import Site
from abscopal.store.repo import Principal

router = make_router("/sites", "sites")


def _get(session: SessionDep, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.deleted_at is not None:
        raise NotFoundError(f"site {site_id} not found")
    return site


@router.get("", response_model=Page[SitePublic])
def list_sites(session: SessionDep, _p: Annotated[Principal, require("site", "read")],
               limit: Limit = 50, offset: Offset = 0) -> Page[SitePublic]:
    rows, count = paginate(session, select(Site).where(Site.deleted_at.is_(None)).order_by(Site.id),
                           limit=limit, offset=offset)
    return Page(data=[SitePublic.model_validate(r) for r in rows], count=count)


@router.post("", response_model=SitePublic, status_code=status.HTTP_201_CREATED)
def create_site(body: SiteCreate, session: SessionDep, p: Annotated[Principal, require("site", "create")]) -> SitePublic:
    if session.execute(select(Site.id).where(Site.code == body.code)).first():
        raise InputError(f"'code' must be unused (got {body.code!r}, which exists)")
    site = repo.create_record(session, Site, actor=p.actor, values=body.model_dump())
    session.commit()
    return SitePublic.model_validate(site)


@router.get("/{site_id}", response_model=SitePublic)
def get_site(site_id: PathId, session: SessionDep, _p: Annotated[Principal, require("site", "read")]) -> SitePublic:
    return SitePublic.model_validate(_get(session, site_id))


@router.patch("/{site_id}", response_model=SitePublic)
def update_site(site_id: PathId, body: SiteUpdate, session: SessionDep,
                p: Annotated[Principal, require("site", "update")]) -> SitePublic:
    site = _get(session, site_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version", "reason"})
    repo.update_record(session, actor=p.actor, row=site, changes=changes,
                       expected_version=body.version, reason=body.reason)
    session.commit()
    return SitePublic.model_validate(site)
