"""Apply the Alembic migrations shipped in the package (``abscopal db upgrade``)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("abscopal.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade_database(engine: Engine, *, revision: str = "head") -> str:
    """Migrate the database to ``revision`` (default: the newest); return the revision reached."""
    cfg = _config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    return current_revision(engine) or "base"


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None if never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision shipped in the package."""
    return ScriptDirectory.from_config(_config(engine)).get_current_head()


__all__ = ["current_revision", "head_revision", "upgrade_database"]
