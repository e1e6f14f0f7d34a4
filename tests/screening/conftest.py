"""The screening tests' PostgreSQL: one database in the session's throwaway cluster.

The cluster is the single session fixture of tests/conftest.py (``throwaway_postgres_cluster``:
PostgreSQL 15 from /usr/lib/postgresql/15/bin, run as the ``postgres`` OS user when the tests
run as root, fsync on). Missing binaries FAIL the tests that need the server (never skip):
install them with ``make sysdeps`` (scripts/sysdeps.sh).

The screening tests isolate their data by schema, so they share one database for the session;
psycopg wants a libpq URL, so the SQLAlchemy driver suffix is dropped.
"""

from __future__ import annotations

import pytest

from pg_cluster import ThrowawayPostgres


@pytest.fixture(scope="session")
def postgres_url(throwaway_postgres_cluster: ThrowawayPostgres) -> str:
    """``postgresql://postgres@127.0.0.1:<port>/<fresh database>`` for this test session."""
    url = throwaway_postgres_cluster.create_database()
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
