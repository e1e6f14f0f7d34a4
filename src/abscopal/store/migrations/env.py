"""Alembic environment: runs inside abscopal (``abscopal db upgrade``), never via alembic.ini."""

from __future__ import annotations

from alembic import context

from abscopal.store.models import Base

target_metadata = Base.metadata
config = context.config

connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic path is supported
    raise RuntimeError("run migrations with `abscopal db upgrade` (abscopal.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
