"""The FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

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


__all__ = ["API_PREFIX", "ROUTERS", "api_routes", "create_app"]
