"""Login and logout pages (session cookie from ``store.accounts``; CSRF on both forms)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from abscopal.api.deps import SESSION_COOKIE, SessionDep, StateDep
from abscopal.errors import AuthenticationError
from abscopal.store import accounts
from abscopal.web.access import CSRF_FIELD, WebUser
from abscopal.web.render import render
from abscopal.web.views._common import FormDep, redirect

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "abscopal_login_csrf"


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/trials"


def _login_page(request: Request, *, next_path: str, username: str = "", message: str | None = None,
                status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {"next": next_path, "username": username,
                                              "message": message, "csrf_token": token},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.app.state.abscopal.settings.secure_cookies)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
def login(request: Request, state: StateDep, form: FormDep) -> Response:
    next_path = safe_next(form.get("next"))
    username = form.get("username", "").strip()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    supplied = form.get(CSRF_FIELD, "")
    if not cookie or not supplied or not hmac.compare_digest(cookie, supplied):
        return _login_page(request, next_path=next_path, username=username, status_code=400,
                           message="The login form expired; please try again.")
    try:
        user = accounts.authenticate(state.db, state.settings, username=username,
                                     password=form.get("password", ""))
    except AuthenticationError as exc:
        return _login_page(request, next_path=next_path, username=username, status_code=401,
                           message=f"Login failed: {exc}.")
    with state.db.writing() as session:
        issued = accounts.issue_token(session, state.settings, user_id=user.id, kind="session")
    response = redirect(next_path)
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
                        secure=state.settings.secure_cookies,
                        max_age=state.settings.session_ttl_minutes * 60, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, _user: WebUser, session: SessionDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.revoke_token(session, cookie)
        session.commit()
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home() -> RedirectResponse:
    return redirect("/trials")


__all__ = ["LOGIN_CSRF_COOKIE", "router", "safe_next"]
