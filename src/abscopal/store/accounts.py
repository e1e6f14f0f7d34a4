"""Accounts: argon2id passwords, lockout, bearer tokens and web sessions (with CSRF tokens).

Rules
-----
1. Passwords are hashed with argon2id (RFC 9106); parameters come from the settings and are
   re-hashed on login when they change.
2. After ``lockout_threshold`` consecutive failures the account is locked for
   ``lockout_minutes``; a successful login resets the counter. Failure messages never say whether
   the user exists, the password was wrong or the account is locked (OWASP ASVS 2.2.1 / 3.7).
3. Tokens and session ids are 256-bit random strings (``secrets``); only their sha256 is stored,
   so a database leak does not leak live credentials.
4. Sessions carry a CSRF token (synchroniser-token pattern): unsafe requests authenticated by the
   session cookie must present it in ``X-CSRF-Token`` (or a form field), compared in constant time.
5. There are no default passwords: ``abscopal db init`` creates ``admin`` with a random password
   that is shown once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from abscopal.config import Settings
from abscopal.errors import AuthenticationError, InputError, StoreError
from abscopal.store import audit
from abscopal.store.audit import Actor
from abscopal.store.db import Database
from abscopal.store.models import AuthToken, Site, User, UserSite, utcnow
from abscopal.store.permissions import Role, is_site_scoped

_GENERIC = "invalid credentials, or the account is locked"


def password_hasher(settings: Settings) -> PasswordHasher:
    """The argon2id hasher configured by the settings."""
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


def generate_password() -> str:
    """A random password (about 120 bits) for first-run admins and password resets."""
    return secrets.token_urlsafe(15)


def token_digest(raw: str) -> str:
    """sha256 hex of a raw token (what the database stores)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued credential; ``token`` is shown once and never stored."""

    token: str
    kind: str
    expires_at: dt.datetime
    csrf_token: str | None
    user_id: int


def _validate_sites(session: Session, role: Role, site_ids: Iterable[int]) -> list[Site]:
    ids = sorted(set(site_ids))
    sites = list(session.execute(select(Site).where(Site.id.in_(ids), Site.deleted_at.is_(None))).scalars())
    if len(sites) != len(ids):
        missing = sorted(set(ids) - {s.id for s in sites})
        raise InputError(f"'site_ids' must name existing sites (unknown: {missing})")
    if is_site_scoped(role) and not sites:
        raise InputError(f"'site_ids' must list at least one site for role {role.value!r} (got [])")
    return sites


def create_user(
    session: Session,
    settings: Settings,
    *,
    actor: Actor,
    username: str,
    role: Role | str,
    site_ids: Iterable[int] = (),
    full_name: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user; return it and its (random unless given) initial password."""
    role = Role(role)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InputError(f"'username' must be unused (got {username!r}, which exists)")
    secret = password or generate_password()
    user = User(
        username=username,
        password_hash=password_hasher(settings).hash(secret),
        role=role.value,
        full_name=full_name,
        created_by=actor.user_id,
    )
    user.sites = _validate_sites(session, role, site_ids)
    session.add(user)
    session.flush()
    audit.append(session, actor=actor, action="create", row=user, before=None, reason=None)
    return user, secret


def set_password(session: Session, settings: Settings, *, actor: Actor, user: User, password: str,
                 reason: str) -> None:
    """Replace a user's password, revoke its tokens and sessions, and audit the change."""
    before = audit.snapshot(user)
    user.password_hash = password_hasher(settings).hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = utcnow()
    user.updated_by = actor.user_id
    session.flush()
    session.execute(
        update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.append(session, actor=actor, action="update", row=user, before=before, reason=reason)


def authenticate(db: Database, settings: Settings, *, username: str, password: str) -> User:
    """Check a username and password, applying the lockout rule.

    Raises
    ------
    AuthenticationError
        Wrong username or password, inactive or locked account (one message for all).
    """
    hasher = password_hasher(settings)
    with db.writing() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        now = utcnow()
        if user is None or not user.is_active or user.deleted_at is not None:
            # Same work as a real check, so response time does not reveal unknown usernames.
            try:
                hasher.verify(_dummy_hash(settings), password)
            except (VerificationError, InvalidHashError):
                pass
            raise AuthenticationError(_GENERIC)
        if user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError(_GENERIC)
        try:
            hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failed = user.failed_logins + 1
            locked = now + dt.timedelta(minutes=settings.lockout_minutes) if failed >= settings.lockout_threshold else None
            # Bypass the ORM's version counter: login counters are not a user edit.
            session.execute(
                update(User).where(User.id == user.id)
                .values(failed_logins=0 if locked else failed, locked_until=locked)
                .execution_options(synchronize_session=False)
            )
            failure = True
        else:
            failure = False
            if user.failed_logins or user.locked_until is not None:
                session.execute(
                    update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None)
                    .execution_options(synchronize_session=False)
                )
            if hasher.check_needs_rehash(user.password_hash):
                session.execute(
                    update(User).where(User.id == user.id).values(password_hash=hasher.hash(password))
                    .execution_options(synchronize_session=False)
                )
            session.expunge(user)
    if failure:
        raise AuthenticationError(_GENERIC)
    return user


_DUMMY: dict[tuple[int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib)
    if key not in _DUMMY:
        _DUMMY[key] = password_hasher(settings).hash(secrets.token_urlsafe(16))
    return _DUMMY[key]


def issue_token(session: Session, settings: Settings, *, user_id: int, kind: str) -> IssuedToken:
    """Create a bearer token (``kind="bearer"``) or web session (``kind="session"``)."""
    if kind not in ("bearer", "session"):
        raise InputError(f"'kind' must be 'bearer' or 'session' (got {kind!r})")
    raw = secrets.token_urlsafe(32)
    ttl = settings.token_ttl_minutes if kind == "bearer" else settings.session_ttl_minutes
    expires = utcnow() + dt.timedelta(minutes=ttl)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    session.add(AuthToken(token_hash=token_digest(raw), user_id=user_id, kind=kind,
                          csrf_token=csrf, expires_at=expires))
    session.flush()
    return IssuedToken(raw, kind, expires, csrf, user_id)


def resolve_token(session: Session, raw: str, *, kind: str) -> tuple[User, AuthToken]:
    """The active user behind a live token of ``kind``.

    Raises
    ------
    AuthenticationError
        Unknown, expired or revoked token, or inactive user.
    """
    found = session.execute(
        select(AuthToken, User).join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == token_digest(raw), AuthToken.kind == kind)
    ).first()
    if found is None:
        raise AuthenticationError("the token is invalid or expired; log in again")
    row, user = found
    if row.revoked_at is not None or row.expires_at <= utcnow() or not user.is_active \
            or user.deleted_at is not None:
        raise AuthenticationError("the token is invalid or expired; log in again")
    return user, row


@dataclass(frozen=True)
class TokenIdentity:
    """The caller behind a live token, read with one column query (the per-request hot path)."""

    user_id: int
    username: str
    role: str
    csrf_token: str | None
    site_ids: frozenset[int] = frozenset()


def identify_token(session: Session, raw: str, *, kind: str) -> TokenIdentity:
    """Like :func:`resolve_token` but without loading ORM objects (used on every API request).

    Raises
    ------
    AuthenticationError
        Unknown, expired or revoked token, or inactive user.
    """
    rows = session.execute(
        select(AuthToken.user_id, AuthToken.revoked_at, AuthToken.expires_at, AuthToken.csrf_token,
               User.username, User.role, User.is_active, User.deleted_at, UserSite.site_id)
        .join(User, User.id == AuthToken.user_id)
        .outerjoin(UserSite, UserSite.user_id == User.id)
        .where(AuthToken.token_hash == token_digest(raw), AuthToken.kind == kind)
    ).all()  # one row per assigned site (one row with site_id NULL when none): one round trip
    row = rows[0] if rows else None
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.is_active \
            or row.deleted_at is not None:
        raise AuthenticationError("the token is invalid or expired; log in again")
    sites = frozenset(r.site_id for r in rows if r.site_id is not None)
    return TokenIdentity(row.user_id, row.username, row.role, row.csrf_token, sites)


def csrf_matches(expected: str | None, supplied: str | None) -> bool:
    """Constant-time comparison of a session's CSRF token with the one a request supplied."""
    if not supplied or not expected:
        return False
    return hmac.compare_digest(expected, supplied)


def site_ids_of(session: Session, user_id: int) -> frozenset[int]:
    """The sites a user is assigned to (one light query, no ORM relationship load)."""
    return frozenset(session.execute(select(UserSite.site_id).where(UserSite.user_id == user_id)).scalars())


def revoke_token(session: Session, raw: str) -> None:
    """Revoke a token or session (logout); unknown tokens are ignored."""
    session.execute(
        update(AuthToken).where(AuthToken.token_hash == token_digest(raw), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def check_csrf(token_row: AuthToken, supplied: str | None) -> bool:
    """Whether ``supplied`` matches the session's CSRF token (constant-time compare)."""
    if not supplied or not token_row.csrf_token:
        return False
    return hmac.compare_digest(token_row.csrf_token, supplied)


def initialise(db: Database, settings: Settings, *, username: str = "admin") -> tuple[str, str]:
    """First run: create the admin with a random password; return (username, password).

    Raises
    ------
    StoreError
        If any user already exists (the database is initialised).
    """
    with db.writing() as session:
        if session.execute(select(func.count()).select_from(User)).scalar_one():
            raise StoreError("the database is already initialised (users exist); "
                             "reset a password with `abscopal db reset-password USERNAME`")
        _, password = create_user(session, settings, actor=audit.SYSTEM, username=username, role=Role.ADMIN)
    return username, password


__all__ = [
    "IssuedToken",
    "TokenIdentity",
    "authenticate",
    "check_csrf",
    "create_user",
    "csrf_matches",
    "generate_password",
    "identify_token",
    "initialise",
    "issue_token",
    "password_hasher",
    "resolve_token",
    "revoke_token",
    "set_password",
    "site_ids_of",
    "token_digest",
]
