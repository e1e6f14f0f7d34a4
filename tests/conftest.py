"""Session-wide fixtures: a throwaway PostgreSQL cluster for the real-database tests."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_cluster import ThrowawayPostgres, postgres_binaries_or_explain  # noqa: E402

# In CI, property tests run derandomised so a green run is reproducible; locally they explore
# new examples on every run (and keep failures in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Starlette's TestClient warns that it will move to httpx2 (not installed here); the warning is
# about the test tool, not our code, so it is silenced once at import.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import starlette.testclient  # noqa: F401
    except ImportError:  # core-only install: the service tests are not collected there
        pass


@pytest.fixture(scope="session")
def throwaway_postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL 15 cluster started for this test session on a free loopback port.

    Started with ``initdb`` + ``pg_ctl`` from /usr/lib/postgresql/15/bin, run as the ``postgres``
    OS user when the tests run as root (initdb refuses root). Missing binaries FAIL the tests with
    a message saying how to install them; they are never silently skipped.
    """
    problem = postgres_binaries_or_explain()
    if problem:
        pytest.fail(problem, pytrace=False)
    cluster = ThrowawayPostgres(tmp_path_factory.mktemp("pg"))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(throwaway_postgres_cluster: ThrowawayPostgres, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database in the throwaway cluster (one per test)."""
    return throwaway_postgres_cluster.create_database()
