"""One JSON error shape for every error response, and the mapping from domain errors to HTTP.

Shape: ``{"error": {"status": 409, "code": "conflict", "message": "...", "field": null,
"details": [{"field": "...", "message": "..."}]}}``.

Status policy
-------------
* 401 ``unauthorized``: no, wrong or expired credentials (``WWW-Authenticate: Bearer``).
* 403 ``forbidden``: authenticated, but the role may not perform this action on this resource
  (or a cookie-authenticated unsafe request lacks its CSRF token).
* 404 ``not_found``: the record does not exist *or belongs to a site the caller cannot see* —
  a site user asking for another site's subject gets 404, not 403, so existence is not leaked.
* 409 ``conflict``: optimistic-locking conflict, duplicate, or state conflict (already enrolled).
* 422 ``validation_error``: the body, query or path fails validation, or the data break a rule;
  ``field`` names the first offending field and ``details`` lists all.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from abscopal.errors import (
    AbscopalError,
    AuthenticationError,
    ConflictError,
    CriteriaError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
)

log = logging.getLogger("abscopal.api")

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def error_response(status: int, message: str, *, field: str | None = None,
                   details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """Render the one error shape."""
    body = {"error": {"status": status, "code": CODES.get(status, "error"), "message": message,
                      "field": field, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        details.append({"field": _loc_to_field(err.get("loc", ())), "message": msg})
    first = details[0] if details else {"field": None, "message": "invalid request"}
    field = first["field"]
    message = f"{field}: {first['message']}" if field else str(first["message"])
    return error_response(422, message, field=field, details=details)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, str(exc.detail), headers=headers)


def _domain(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(401, str(exc), headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, PermissionDeniedError):
        return error_response(403, str(exc))
    if isinstance(exc, NotFoundError):
        return error_response(404, str(exc))
    if isinstance(exc, ConflictError):
        return error_response(409, str(exc))
    if isinstance(exc, ProtocolError):
        details = [{"field": f.path, "message": f"expected {f.expected} (got {f.received})"} for f in exc.findings]
        first = details[0]["field"] if details else None
        return error_response(422, str(exc).splitlines()[0], field=first, details=details)
    if isinstance(exc, (InputError, CriteriaError)):
        message = str(exc)
        field = message[1:message.index("'", 1)] if message.startswith("'") and "'" in message[1:] else None
        return error_response(422, message, field=field)
    return error_response(400, str(exc))


def _integrity(_request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error: %s", exc)
    return error_response(409, "the record conflicts with an existing one (duplicate or already recorded)")


def _operational(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "the database is busy or unavailable; retry shortly")


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal error (logged); nothing was saved")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error in the one shape."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(AbscopalError, _domain)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(OperationalError, _operational)
    app.add_exception_handler(Exception, _unexpected)


__all__ = ["CODES", "error_response", "install_error_handlers"]
