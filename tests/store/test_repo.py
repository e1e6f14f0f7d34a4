"""Audited writes under concurrency: optimistic locking never loses an update."""

from __future__ import annotations

import threading

import pytest

from abscopal.errors import ConflictError, InputError
from abscopal.store import repo
from abscopal.store.audit import SYSTEM, verify_audit
from abscopal.store.db import Database
from abscopal.store.models import AuditEntry, Lab
from service_support import Seeded


def increment_with_retry(db: Database, lab_id: int, times: int, conflicts: list[int]) -> None:
    """Read-modify-write ``times`` increments, re-reading after each 409."""
    done = 0
    while done < times:
        with db.reading() as session:
            lab = session.get(Lab, lab_id)
            assert lab is not None
            value, version = lab.value, lab.version
        try:
            with db.writing() as session:
                row = session.get(Lab, lab_id)
                assert row is not None
                repo.update_record(session, actor=SYSTEM, row=row, changes={"value": value + 1},
                                   expected_version=version, reason="increment")
            done += 1
        except ConflictError:
            conflicts.append(1)


def run_concurrent_increments(db: Database, lab_id: int, *, threads: int, times: int) -> tuple[float, int]:
    with db.reading() as session:
        lab = session.get(Lab, lab_id)
        assert lab is not None
        start = lab.value
    conflicts: list[int] = []
    workers = [threading.Thread(target=increment_with_retry, args=(db, lab_id, times, conflicts))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with db.reading() as session:
        lab = session.get(Lab, lab_id)
        assert lab is not None
        return lab.value - start, len(conflicts)


def test_concurrent_edits_never_lose_an_update_sqlite(seeded: Seeded) -> None:
    gained, conflicts = run_concurrent_increments(seeded.db, seeded.records["lab"], threads=6, times=5)
    assert gained == 30
    with seeded.db.reading() as session:
        updates = session.query(AuditEntry).filter(AuditEntry.table_name == "labs", AuditEntry.action == "update").count()
        assert updates == 30
        assert verify_audit(session).ok


def test_stale_version_raises_conflict_and_writes_nothing(seeded: Seeded) -> None:
    with seeded.db.writing() as session:
        lab = session.get(Lab, seeded.records["lab"])
        assert lab is not None
        with pytest.raises(ConflictError, match="someone saved first"):
            repo.update_record(session, actor=SYSTEM, row=lab, changes={"value": 0.0},
                               expected_version=lab.version + 1, reason="stale")
    with seeded.db.reading() as session:
        lab = session.get(Lab, seeded.records["lab"])
        assert lab is not None and lab.value == 1.2


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_change_after_first_entry_needs_a_reason(seeded: Seeded, reason: str | None) -> None:
    with pytest.raises(InputError, match="'reason' must be given"), seeded.db.writing() as session:
        lab = session.get(Lab, seeded.records["lab"])
        assert lab is not None
        repo.update_record(session, actor=SYSTEM, row=lab, changes={"value": 2.0},
                           expected_version=lab.version, reason=reason)
