"""Login (bearer tokens for the API, cookie sessions with CSRF tokens for the web), logout, me."""

from __future__ import annotations

from fastapi import Request, Response, status

from abscopal.api.deps import CSRF_HEADER, SESSION_COOKIE, CurrentUser, SessionDep, StateDep
from abscopal.api.routes._common import make_router
from abscopal.api.schemas import LoginIn, PasswordChangeIn, SessionOut, TokenOut, UserPublic
from abscopal.errors import AuthenticationError
from abscopal.store import accounts
from abscopal.store.models import User

router = make_router("/auth", "auth")


@router.post("/login", response_model=TokenOut)
def login(body: LoginIn, state: StateDep) -> TokenOut:
    """Exchange a username and password for a bearer token (lockout after repeated failures)."""
    user = accounts.authenticate(state.db, state.settings, username=body.username, password=body.password)
    with state.db.writing() as session:
        issued = accounts.issue_token(session, state.settings, user_id=user.id, kind="bearer")
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/session", response_model=SessionOut)
def session_login(body: LoginIn, state: StateDep, response: Response) -> SessionOut:
    """Web login: sets the session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token
    that forms must send back (header ``X-CSRF-Token`` or form field ``csrf_token``)."""
    user = accounts.authenticate(state.db, state.settings, username=body.username, password=body.password)
    with state.db.writing() as session:
        issued = accounts.issue_token(session, state.settings, user_id=user.id, kind="session")
    response.set_cookie(
        SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
        secure=state.settings.secure_cookies, max_age=state.settings.session_ttl_minutes * 60, path="/",
    )
    assert issued.csrf_token is not None
    return SessionOut(csrf_token=issued.csrf_token, expires_at=issued.expires_at)


@router.post("/session/logout", status_code=status.HTTP_204_NO_CONTENT)
def session_logout(request: Request, _user: CurrentUser, session: SessionDep, response: Response) -> Response:
    """End the web session (CSRF token required, like every unsafe cookie request)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.revoke_token(session, cookie)
        session.commit()
    out = Response(status_code=status.HTTP_204_NO_CONTENT)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, _user: CurrentUser, session: SessionDep) -> Response:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        accounts.revoke_token(session, header[7:].strip())
        session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser, session: SessionDep) -> UserPublic:
    """The caller's own account."""
    row = session.get(User, user.user_id)
    return UserPublic.model_validate(row)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChangeIn, user: CurrentUser, session: SessionDep, state: StateDep) -> Response:
    """Change your own password (all your tokens and sessions are revoked)."""
    row = session.get(User, user.user_id)
    assert row is not None
    hasher = accounts.password_hasher(state.settings)
    try:
        hasher.verify(row.password_hash, body.current_password)
    except Exception as exc:  # argon2 raises several mismatch types
        raise AuthenticationError("the current password is wrong") from exc
    accounts.set_password(session, state.settings, actor=user.actor, user=row,
                          password=body.new_password, reason="password changed by its owner")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


__all__ = ["CSRF_HEADER", "router"]
