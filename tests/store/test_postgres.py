"""The same guarantees on a real PostgreSQL 15 (throwaway cluster): migrations, append-only audit
log, tamper detection, concurrent edits and concurrent enrolments."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from abscopal.store import repo
from abscopal.store.audit import SYSTEM, verify_audit
from abscopal.store.migrate import current_revision, head_revision
from abscopal.store.models import Allocation, AllocationSlot, Subject
from service_support import Seeded, fast_settings, migrated, seed
from tests.store.test_repo import run_concurrent_increments

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Seeded]:
    settings = fast_settings(postgres_url)
    db = migrated(settings)
    yield seed(db, settings)
    db.dispose()


def test_migrations_reach_head(pg: Seeded) -> None:
    assert current_revision(pg.db.engine) == head_revision(pg.db.engine) == "0003"
    with pg.db.reading() as session:
        assert verify_audit(session).ok


def test_audit_log_is_append_only(pg: Seeded) -> None:
    for sql in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), pg.db.engine.begin() as conn:
            conn.execute(text(sql))


def test_edited_row_is_caught(pg: Seeded) -> None:
    with pg.db.engine.begin() as conn:
        conn.execute(text("UPDATE adverse_events SET grade = 1"))
    with pg.db.reading() as session:
        problems = [str(p) for p in verify_audit(session).problems]
    assert problems == [f"adverse_events id {pg.records['adverse_event']}: row differs from its last "
                        "audited state (edited outside the service)"]


def test_concurrent_edits_never_lose_an_update(pg: Seeded) -> None:
    gained, _ = run_concurrent_increments(pg.db, pg.records["lab"], threads=8, times=5)
    assert gained == 40
    with pg.db.reading() as session:
        assert verify_audit(session).ok


def test_concurrent_enrolments_take_distinct_slots(pg: Seeded) -> None:
    with pg.db.writing() as session:
        ids = [repo.create_record(session, Subject, actor=SYSTEM, values={
            "trial_id": pg.trial_id, "site_id": pg.site_a, "screening_id": f"C-{i}",
            "protocol_version_id": pg.records["protocol_version"]}).id for i in range(12)]
    errors: list[BaseException] = []

    def enrol(subject_id: int) -> None:
        import datetime as dt
        try:
            with pg.db.writing() as session:
                subject = session.get(Subject, subject_id)
                assert subject is not None
                repo.enrol_subject(session, actor=SYSTEM, subject=subject, enrolled_on=dt.date(2026, 2, 1),
                                   stratum={}, facts={})
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=enrol, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg.db.reading() as session:
        positions = list(session.execute(select(Allocation.sequence_position)).scalars())
        assert len(positions) == len(set(positions)) == 13
        used = session.execute(select(AllocationSlot).where(AllocationSlot.used_by_subject_id.is_not(None))).scalars()
        assert len(list(used)) == 13
        assert verify_audit(session).ok
