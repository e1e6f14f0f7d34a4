"""Migrations: shipped in the package, idempotent, and in step with the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from abscopal.store.db import open_database
from abscopal.store.migrate import current_revision, head_revision, upgrade_database
from abscopal.store.models import Base
from service_support import fast_settings


def test_upgrade_reaches_head_and_is_idempotent(tmp_path: Path) -> None:
    db = open_database(fast_settings(f"sqlite:///{tmp_path / 'm.db'}"))
    assert current_revision(db.engine) is None
    assert upgrade_database(db.engine) == head_revision(db.engine) == "0003"
    assert upgrade_database(db.engine) == "0003"
    db.dispose()


def test_models_and_migrations_do_not_drift(tmp_path: Path) -> None:
    db = open_database(fast_settings(f"sqlite:///{tmp_path / 'd.db'}"))
    upgrade_database(db.engine)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.dispose()


def test_sqlite_pragmas_are_set(tmp_path: Path) -> None:
    db = open_database(fast_settings(f"sqlite:///{tmp_path / 'p.db'}"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.dispose()


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    from abscopal.store.migrate import _config

    db = open_database(fast_settings(f"sqlite:///{tmp_path / 'dn.db'}"))
    upgrade_database(db.engine)
    cfg = _config(db.engine)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0001")
    assert current_revision(db.engine) == "0001"
    with db.engine.connect() as conn:
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(lesion_measurements)")}
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "in_field" not in columns and "stage_gates" not in tables
    assert upgrade_database(db.engine) == "0003"
    db.dispose()
