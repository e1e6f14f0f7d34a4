"""User accounts (admin only): create with a random password shown once, change role/sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import status
from sqlalchemy import select

from abscopal.api.deps import SessionDep, StateDep, require
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import (
    Page,
    PasswordResetIn,
    PasswordResetOut,
    UserCreate,
    UserCreated,
    UserPublic,
    UserUpdate,
)
from abscopal.errors import ConflictError, InputError, NotFoundError
from abscopal.store import accounts, audit, repo
from abscopal.store.models import User, utcnow
from abscopal.store.permissions import Role
from abscopal.store.repo import Principal

router = make_router("/users", "users")


def _get(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFoundError(f"user {user_id} not found")
    return user


@router.get("", response_model=Page[UserPublic])
def list_users(session: SessionDep, _p: Annotated[Principal, require("user", "read")],
               limit: Limit = 50, offset: Offset = 0) -> Page[UserPublic]:
    rows, count = paginate(session, select(User).order_by(User.id), limit=limit, offset=offset)
    return Page(data=[UserPublic.model_validate(r) for r in rows], count=count)


@router.post("", response_model=UserCreated, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, state: StateDep,
                p: Annotated[Principal, require("user", "create")]) -> UserCreated:
    user, password = accounts.create_user(
        session, state.settings, actor=p.actor, username=body.username, role=body.role,
        site_ids=body.site_ids, full_name=body.full_name)
    session.commit()
    return UserCreated(user=UserPublic.model_validate(user), password=password)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: PathId, session: SessionDep, _p: Annotated[Principal, require("user", "read")]) -> UserPublic:
    return UserPublic.model_validate(_get(session, user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(user_id: PathId, body: UserUpdate, session: SessionDep,
                p: Annotated[Principal, require("user", "update")]) -> UserPublic:
    user = _get(session, user_id)
    if user.version != body.version:
        raise ConflictError(f"user {user_id} is at version {user.version}, not {body.version}: reload it")
    if user.id == p.user_id and (body.role not in (None, Role.ADMIN.value) or body.is_active is False):
        raise InputError("'role' cannot demote or deactivate your own account (ask another admin)")
    before = audit.snapshot(user)
    role = Role(body.role or user.role)
    if body.site_ids is not None or body.role is not None:
        site_ids = body.site_ids if body.site_ids is not None else user.site_ids
        user.sites = accounts._validate_sites(session, role, site_ids)
    for key in ("role", "full_name", "is_active"):
        value = getattr(body, key)
        if value is not None:
            setattr(user, key, value)
    user.updated_at = utcnow()
    user.updated_by = p.user_id
    repo.flush_or_conflict(session, user)
    audit.append(session, actor=p.actor, action="update", row=user, before=before, reason=body.reason)
    session.commit()
    return UserPublic.model_validate(user)


@router.post("/{user_id}/password-reset", response_model=PasswordResetOut)
def reset_password(user_id: PathId, body: PasswordResetIn, session: SessionDep, state: StateDep,
                   p: Annotated[Principal, require("user", "update")]) -> PasswordResetOut:
    """Give a user a new random password (shown once) and revoke their tokens and sessions."""
    user = _get(session, user_id)
    password = accounts.generate_password()
    accounts.set_password(session, state.settings, actor=p.actor, user=user, password=password,
                          reason=body.reason)
    session.commit()
    return PasswordResetOut(password=password)
