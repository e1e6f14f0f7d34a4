"""Request dependencies: database session, current user, and the central permission check.

``require(resource, action)`` is attached to every non-public route; it

1. authenticates the caller (bearer token, or session cookie + CSRF token for unsafe methods),
2. checks the role → permission matrix (``store.permissions``) with blinding applied → 403,
3. loads ``trial_id`` / ``subject_id`` path objects, hiding other sites' subjects → 404,
4. records on ``request.state`` whether responses must be shaped for a blinded caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from abscopal.config import Settings
from abscopal.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from abscopal.store import accounts
from abscopal.store.allocation import Allocator
from abscopal.store.db import Database
from abscopal.store.derive import DEFAULT_REGISTRY, DerivationRegistry
from abscopal.store.models import Subject, Trial
from abscopal.store.permissions import Action, Role, can, is_blinded, is_site_scoped
from abscopal.store.randomiser import ProtocolAllocator
from abscopal.store.repo import Principal

SESSION_COOKIE = "abscopal_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    """What the app carries: settings, database and the plug-in seams."""

    settings: Settings
    db: Database
    derivations: DerivationRegistry = field(default_factory=lambda: DEFAULT_REGISTRY)
    allocator: Allocator = field(default_factory=ProtocolAllocator)
    write_queue: asyncio.Lock | None = None


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.abscopal
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def write_turn(request: Request, state: StateDep) -> AsyncIterator[None]:
    """SQLite: queue this process's writing requests on the event loop (never in worker threads,
    which a waiting writer would otherwise pin while the writer holding the turn needs one)."""
    if request.method in SAFE_METHODS or state.db.write_lock is None:
        yield
        return
    if state.write_queue is None:
        state.write_queue = asyncio.Lock()
    async with state.write_queue:
        yield


def _finish(session: Session) -> None:
    if session.in_transaction():
        session.rollback()
    session.close()


async def get_session(request: Request, state: StateDep,
                      _turn: Annotated[None, Depends(write_turn)]) -> AsyncIterator[Session]:
    """A read session for safe methods, a write session (SQLite: BEGIN IMMEDIATE) otherwise.

    Write endpoints commit explicitly before returning, so a success response is only ever sent
    for committed data; anything else is rolled back here.

    Created on the event loop (a Session does no I/O until its first query), so a request does not
    pay a worker-thread hop to open it; closing it is an in-process call on SQLite and goes to a
    worker thread on a networked database.
    """
    factory = state.db.read if request.method in SAFE_METHODS else state.db.write
    session = factory()
    try:
        yield session
    finally:
        if state.db.write_lock is not None:
            _finish(session)
        else:
            await run_in_threadpool(_finish, session)


SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def get_principal(request: Request, session: SessionDep) -> Principal:
    """The authenticated caller (401 if none)."""
    return _principal(request, session)


def _principal(request: Request, session: Session) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = _bearer(request)
    if raw is not None:
        who = accounts.identify_token(session, raw, kind="bearer")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise AuthenticationError("authentication required: send 'Authorization: Bearer <token>'")
        who = accounts.identify_token(session, cookie, kind="session")
        if request.method not in SAFE_METHODS and not accounts.csrf_matches(
            who.csrf_token, request.headers.get(CSRF_HEADER)
        ):
            raise PermissionDeniedError(f"missing or wrong CSRF token (send the {CSRF_HEADER} header)")
    role = Role(who.role)
    principal = Principal(who.user_id, who.username, role,
                          who.site_ids if is_site_scoped(role) else frozenset())
    request.state.principal = principal
    request.state.is_admin = principal.role is Role.ADMIN
    request.state.blinded = is_blinded(principal.role, statistician_unblinded=False)
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def _int_param(request: Request, name: str) -> int | None:
    raw = request.path_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None  # FastAPI's own validation reports it (422)
    return value if 1 <= value <= 2_147_483_647 else None


def require(resource: str, action: Action | str) -> Any:
    """Dependency factory: the caller must be allowed ``action`` on ``resource`` (see module doc)."""
    act = Action(action)

    def check(request: Request, session: SessionDep) -> Principal:
        # Authentication, permission and path objects in one worker-thread call (each sync
        # dependency costs a thread hop under load).
        principal = _principal(request, session)
        trial_id = _int_param(request, "trial_id")
        subject_id = _int_param(request, "subject_id")
        trial: Trial | None = None
        subject: Subject | None = None
        if trial_id is not None and subject_id is not None:
            both = session.execute(
                select(Trial, Subject).outerjoin(Subject, Subject.id == subject_id)
                .where(Trial.id == trial_id)).first()
            if both is not None:
                trial, subject = both
        elif trial_id is not None:
            trial = session.get(Trial, trial_id)
        blinded = is_blinded(principal.role, statistician_unblinded=bool(trial and trial.statistician_unblinded))
        request.state.blinded = blinded
        if not can(principal.role, resource, act, blinded=blinded):
            raise PermissionDeniedError(
                f"role {principal.role.value!r} may not {act.value} {resource.replace('_', ' ')} records"
            )
        if trial_id is not None:
            if trial is None or trial.deleted_at is not None:
                raise NotFoundError(f"trial {trial_id} not found")
            request.state.trial = trial
        if subject_id is not None:
            if (subject is None or subject.deleted_at is not None or subject.trial_id != trial_id
                    or not principal.sees_site(subject.site_id)):
                raise NotFoundError(f"subject {subject_id} not found in this trial")
            request.state.subject = subject
        return principal

    check.resource = resource  # type: ignore[attr-defined]
    check.action = act.value  # type: ignore[attr-defined]
    return Depends(check)


def trial_of(request: Request) -> Trial:
    """The trial loaded by ``require`` for this request."""
    trial: Trial = request.state.trial
    return trial


def subject_of(request: Request) -> Subject:
    """The (visible) subject loaded by ``require`` for this request."""
    subject: Subject = request.state.subject
    return subject


PUBLIC_PATHS: frozenset[str] = frozenset(
    {"/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/session"}
)
"""Routes anyone may call (the matrix test checks these explicitly)."""

SELF_PATHS: frozenset[str] = frozenset(
    {"/api/v1/auth/me", "/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/auth/session/logout"}
)
"""Routes every authenticated user may call about themselves."""


def permission_of(endpoint_dependencies: list[Any]) -> tuple[str, str] | None:
    """(resource, action) declared on a route by ``require``, if any."""
    for dep in endpoint_dependencies:
        fn: Callable[..., Any] | None = getattr(dep, "dependency", None)
        if fn is not None and hasattr(fn, "resource"):
            return fn.resource, fn.action  # type: ignore[attr-defined]
    return None


__all__ = [
    "CSRF_HEADER",
    "PUBLIC_PATHS",
    "SELF_PATHS",
    "SESSION_COOKIE",
    "AppState",
    "CurrentUser",
    "SessionDep",
    "StateDep",
    "get_principal",
    "get_session",
    "permission_of",
    "require",
    "subject_of",
    "trial_of",
]
