"""An app over a seeded SQLite trial database, shared by the API tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from abscopal.api.main import create_app
from service_support import Seeded, fast_settings, migrated, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    path: Path = tmp_path_factory.mktemp("api") / "trial.db"
    settings = fast_settings(f"sqlite:///{path}")
    db = migrated(settings)
    yield seed(db, settings)
    db.dispose()


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(seeded.settings, database=seeded.db)
    with TestClient(app) as c:
        yield c
