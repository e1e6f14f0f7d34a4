"""Mount the web UI into the service app built by ``api.main.create_app``.

``mount_web(app)`` adds the page routers under ``/`` and the static files under ``/static``,
and makes errors on web pages render as HTML (the API under ``/api/v1`` keeps its JSON error
shape): an expired session goes to the login page, 403/404 show a short page — and a site user
asking for another site's subject gets the same 404 as for a subject that does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from abscopal.api.main import API_PREFIX, create_app
from abscopal.config import Settings
from abscopal.errors import (
    AbscopalError,
    AuthenticationError,
    ConflictError,
    CriteriaError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from abscopal.store.allocation import Allocator
from abscopal.store.db import Database
from abscopal.store.derive import DerivationRegistry
from abscopal.web import plugins
from abscopal.web.render import ENV, TEMPLATES, render
from abscopal.web.views import audit, auth, entry, export, randomise, screening, subjects, trials
from abscopal.web.views._common import redirect

STATIC = Path(__file__).resolve().parent / "static"

WEB_ROUTERS = (auth.router, trials.router, subjects.router, entry.router, screening.router,
               randomise.router, audit.router, export.router)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _status_of(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, PermissionDeniedError):
        return 403, "Not allowed"
    if isinstance(exc, NotFoundError):
        return 404, "Not found"
    if isinstance(exc, ConflictError):
        return 409, "Conflict"
    if isinstance(exc, (InputError, CriteriaError)):
        return 422, "Invalid input"
    return 400, "Request refused"


def _install_html_errors(app: FastAPI) -> None:
    previous: dict[Any, Any] = dict(app.exception_handlers)

    def page(request: Request, status: int, title: str, message: str) -> Response:
        return render(request, "error.html", {"title": title, "message": message, "status": status},
                      status_code=status)

    async def domain(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return await _call(previous[AbscopalError], request, exc)
        if isinstance(exc, AuthenticationError):
            return redirect(f"/login?next={quote(request.url.path)}")
        status, title = _status_of(exc)
        return page(request, status, title, str(exc))

    async def http(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return await _call(previous[StarletteHTTPException], request, exc)
        assert isinstance(exc, StarletteHTTPException)
        title = "Not found" if exc.status_code == 404 else "Request refused"
        return page(request, exc.status_code, title, str(exc.detail))

    async def validation(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return await _call(previous[RequestValidationError], request, exc)
        # A malformed id in a page URL is a page that does not exist.
        return page(request, 404, "Not found", "no such page (malformed address)")

    app.add_exception_handler(AbscopalError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if hasattr(result, "__await__"):
        result = await result
    response: Response = result
    return response


def _warm_up() -> None:
    """Compile every template and import the optional engines now, not on a user's first click."""
    for path in TEMPLATES.glob("*.html"):
        ENV.get_template(path.name)
    plugins.toxicity_available()
    plugins.default_evaluator()


def mount_web(app: FastAPI) -> FastAPI:
    """Add the web UI (pages, static files, HTML errors) to a service app."""
    _warm_up()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in WEB_ROUTERS:
        app.include_router(router)
    _install_html_errors(app)
    return app


def create_web_app(settings: Settings | None = None, *, database: Database | None = None,
                   derivations: DerivationRegistry | None = None,
                   allocator: Allocator | None = None) -> FastAPI:
    """The service app (REST API) with the web UI mounted."""
    return mount_web(create_app(settings, database=database, derivations=derivations,
                                allocator=allocator))


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory abscopal.web.app:app_from_env`` (settings from ABSCOPAL_*)."""
    return create_web_app()


__all__ = ["WEB_ROUTERS", "app_from_env", "create_web_app", "mount_web"]
