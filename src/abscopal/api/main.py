"""The FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text

from abscopal.api.blinding import ShapedRoute
from abscopal.api.deps import AppState, StateDep
from abscopal.api.errors import install_error_handlers
from abscopal.api.routes import (
    audit,
    auth,
    enrolment,
    export,
    records,
    sites,
    stages,
    subjects,
    trials,
    users,
)
from abscopal.config import Settings
from abscopal.store.allocation import Allocator
from abscopal.store.db import Database, open_database
from abscopal.store.derivations import register_clinical_derivations
from abscopal.store.derive import DEFAULT_REGISTRY, DerivationRegistry
from abscopal.store.randomiser import ProtocolAllocator

API_PREFIX = "/api/v1"

ROUTERS: tuple[APIRouter, ...] = (
    auth.router, sites.router, users.router, trials.router, subjects.router, enrolment.router,
    stages.router, records.router, audit.router, export.router,
)
"""Every router of the API, mounted under ``API_PREFIX`` (the route table tests walk this)."""


WARMUP_PATH = f"{API_PREFIX}/__warmup__"


async def warm_up(app: FastAPI) -> int:
    """Send one request for a path no route serves, in-process, and return its status (404).

    FastAPI builds its per-router route tables and much else lazily on the first request; a
    freshly started server made its first ~50 concurrent callers wait ~300 ms behind that build
    (the whole read p99 of a short benchmark). Matching a path that nothing serves walks every
    router, so the build happens at startup instead.
    """
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": WARMUP_PATH, "raw_path": WARMUP_PATH.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"localhost")],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0), "state": {}}
    await app(scope, receive, send)
    return int(sent[0]["status"]) if sent else 0


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.warmup_status = await warm_up(app)
    yield


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               derivations: DerivationRegistry | None = None,
               allocator: Allocator | None = None) -> FastAPI:
    """Build the trial service app.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to the environment (``ABSCOPAL_*``).
    database : Database, optional
        An already-open database (tests); default: open ``settings.database_url``. The schema
        must be migrated first (``abscopal db upgrade``).
    derivations : DerivationRegistry, optional
        Derivation hooks run on every write (default: the global registry, with the clinical
        derivations of :mod:`abscopal.store.derivations` registered).
    allocator : Allocator, optional
        Arm allocation strategy (default: :class:`~abscopal.store.randomiser.ProtocolAllocator`,
        the protocol's own design: stages, cohorts, stratified permuted blocks).
    """
    settings = settings or Settings()
    db = database or open_database(settings)
    if derivations is None:
        register_clinical_derivations(DEFAULT_REGISTRY)  # RECIST/iRECIST and CTCAE on write
    app = FastAPI(
        title="abscopal trial service",
        version="1",
        description="Data capture, enrolment and randomisation, audit trail and derivations for "
                    "radiotherapy + immunotherapy trials. Every error has the shape "
                    "`{\"error\": {status, code, message, field, details}}`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.abscopal = AppState(settings=settings, db=db,
                                  derivations=derivations or DEFAULT_REGISTRY,
                                  allocator=allocator or ProtocolAllocator())
    install_error_handlers(app)
    app.router.route_class = ShapedRoute

    @app.get(f"{API_PREFIX}/health", tags=["health"])
    def health(state: StateDep) -> dict[str, Any]:
        """Liveness and database reachability (no authentication)."""
        with state.db.reading() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """(full path, route) for every API route: those on the app and those of :data:`ROUTERS`."""
    out = [(r.path, r) for r in app.router.routes if isinstance(r, APIRoute)]
    for router in ROUTERS:
        out += [(API_PREFIX + r.path, r) for r in router.routes if isinstance(r, APIRoute)]
    return out


__all__ = ["API_PREFIX", "ROUTERS", "WARMUP_PATH", "api_routes", "create_app", "warm_up"]
