"""Who is asking: web sessions, CSRF on every form, and the central permission check.

The web UI adds no permission or blinding rule of its own:

1. The caller is resolved from the session cookie the API issues (``store.accounts``); every
   unsafe request must carry the session's CSRF token, as the form field ``csrf_token`` (plain
   HTML forms) or the ``X-CSRF-Token`` header (htmx).
2. :func:`web_require` runs the *same* check as every API route (``api.deps.require``): the
   role → permission matrix with blinding applied, trial lookup, and other sites' subjects
   hidden as 404.
3. :func:`allowed` answers "may this caller read X here?" with ``store.permissions.can`` and the
   blinding flag the check computed; views use it to decide which sections exist at all, and
   every context passes through ``api.blinding.shape_for_caller`` before rendering.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from abscopal.api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, SessionDep, require
from abscopal.errors import AuthenticationError, PermissionDeniedError
from abscopal.store import accounts
from abscopal.store.permissions import Role, can, is_blinded
from abscopal.store.repo import Principal

CSRF_FIELD = "csrf_token"


async def web_principal(request: Request, session: SessionDep) -> Principal:
    """The caller behind the session cookie; unsafe requests must present the CSRF token.

    Raises
    ------
    AuthenticationError
        No, expired or revoked session (the web shows the login page).
    PermissionDeniedError
        An unsafe request without the session's CSRF token.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthenticationError("please log in")
    user, token_row = accounts.resolve_token(session, cookie, kind="session")
    if request.method not in SAFE_METHODS:
        supplied = request.headers.get(CSRF_HEADER)
        if not supplied:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
        if not accounts.check_csrf(token_row, supplied):
            raise PermissionDeniedError("the form's security token is missing or stale; "
                                        "reload the page and submit again")
    principal = Principal(user.id, user.username, Role(user.role), frozenset(user.site_ids))
    request.state.principal = principal
    request.state.csrf_token = token_row.csrf_token
    request.state.display_name = user.full_name or user.username
    request.state.is_admin = principal.role is Role.ADMIN
    request.state.blinded = is_blinded(principal.role, statistician_unblinded=False)
    return principal


WebUser = Annotated[Principal, Depends(web_principal)]


def web_require(resource: str, action: str) -> Any:
    """Dependency: the web caller may ``action`` the ``resource`` (the API's own check)."""
    api_check = require(resource, action).dependency

    def check(request: Request, principal: WebUser, session: SessionDep) -> Principal:
        # web_principal has put the caller on request.state; the API check reuses it
        result: Principal = api_check(request, session)
        return result

    return Depends(check)


def is_caller_blinded(request: Request) -> bool:
    """The blinding flag the permission check computed for this request (trial-aware)."""
    return bool(getattr(request.state, "blinded", True))


def allowed(request: Request, principal: Principal, resource: str, action: str = "read") -> bool:
    """Whether the caller may ``action`` the ``resource`` here (matrix + blinding)."""
    return can(principal.role, resource, action, blinded=is_caller_blinded(request))


__all__ = [
    "CSRF_FIELD",
    "WebUser",
    "allowed",
    "is_caller_blinded",
    "web_principal",
    "web_require",
]
