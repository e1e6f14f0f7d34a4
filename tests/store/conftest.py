"""A fresh, migrated, seeded SQLite database per test (store-level tests).

The database is built once per session and copied for each test (migrating and seeding is the
slow part); the copy is a plain file copy of a cleanly closed SQLite database.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from abscopal.store.db import open_database
from service_support import Seeded, fast_settings, migrated, seed


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    path = tmp_path_factory.mktemp("template") / "trial.db"
    settings = fast_settings(f"sqlite:///{path}")
    db = migrated(settings)
    seeded = seed(db, settings)
    db.dispose()  # last connection closed: WAL checkpointed into the main file
    return path, seeded


@pytest.fixture
def seeded(_template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Seeded]:
    source, template = _template
    target = tmp_path / "trial.db"
    shutil.copy(source, target)
    settings = fast_settings(f"sqlite:///{target}")
    db = open_database(settings)
    yield dataclasses.replace(template, db=db, settings=settings)
    db.dispose()
