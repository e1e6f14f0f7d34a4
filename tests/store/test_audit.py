"""The audit chain: hash links, append-only in the database, and tamper detection of rows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from abscopal.store import audit, repo
from abscopal.store.audit import GENESIS_HASH, SYSTEM, canonical_json, entry_hash, verify_audit
from abscopal.store.models import AuditEntry, Lab
from service_support import Seeded


def _verify(seeded: Seeded) -> list[str]:
    with seeded.db.reading() as session:
        return [str(p) for p in verify_audit(session).problems]


def test_a_clean_database_verifies(seeded: Seeded) -> None:
    with seeded.db.reading() as session:
        result = verify_audit(session)
    assert result.ok
    assert result.entries_checked > 20 and result.rows_checked > 20


def test_canonical_json_is_sorted_and_compact() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


def test_entry_hash_is_sha256_of_canonical_json() -> None:
    # sha256('{"a":1}') computed independently (coreutils: printf '{"a":1}' | sha256sum)
    assert entry_hash({"a": 1}) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"


def test_first_entry_links_to_genesis(seeded: Seeded) -> None:
    with seeded.db.reading() as session:
        first = session.get(AuditEntry, 1)
        assert first is not None and first.prev_hash == GENESIS_HASH


def test_edited_row_is_caught(seeded: Seeded) -> None:
    with seeded.db.engine.begin() as conn:
        conn.execute(text("UPDATE labs SET value = 9.9 WHERE id = :i"), {"i": seeded.records["lab"]})
    assert _verify(seeded) == [
        f"labs id {seeded.records['lab']}: row differs from its last audited state (edited outside the service)"
    ]


def test_edited_lesion_row_is_caught_through_its_assessment(seeded: Seeded) -> None:
    with seeded.db.engine.begin() as conn:
        conn.execute(text("UPDATE lesion_measurements SET diameter_mm = 10.0"))
    assert len(_verify(seeded)) == 1


def test_hard_deleted_row_is_caught(seeded: Seeded) -> None:
    with seeded.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM deaths"))
    assert _verify(seeded) == [f"deaths id {seeded.records['death']}: audited row is missing (hard-deleted)"]


def test_row_inserted_behind_the_service_is_caught(seeded: Seeded) -> None:
    with seeded.db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO labs (subject_id, protocol_version_id, collected_on, test, value, unit, version, "
            "created_at) VALUES (:s, 1, '2026-01-01', 'alt', 1.0, 'U/L', 1, '2026-01-01 00:00:00')"),
            {"s": seeded.subject_a})
    problems = _verify(seeded)
    assert len(problems) == 1 and "has no audit entry" in problems[0]


def test_audit_log_refuses_update_and_delete(seeded: Seeded) -> None:
    for sql in ("UPDATE audit_log SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"):
        with pytest.raises(DatabaseError, match="append-only"), seeded.db.engine.begin() as conn:
            conn.execute(text(sql))


def test_rewritten_entry_is_caught_even_with_triggers_dropped(seeded: Seeded) -> None:
    """An attacker with DDL rights drops the trigger and rewrites history: the chain breaks."""
    with seeded.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3"))
    assert _verify(seeded) == ["audit_log seq 3: hash does not match the entry's content"]


def test_truncated_tail_is_caught_by_the_head(seeded: Seeded) -> None:
    with seeded.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        last = conn.execute(text("SELECT max(seq) FROM audit_log")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    problems = _verify(seeded)
    assert "audit_head: head does not point at the last entry (entries removed?)" in problems


def test_update_records_before_after_and_reason(seeded: Seeded) -> None:
    with seeded.db.writing() as session:
        lab = session.get(Lab, seeded.records["lab"])
        assert lab is not None
        repo.update_record(session, actor=SYSTEM, row=lab, changes={"value": 1.5}, expected_version=lab.version,
                           reason="unit conversion")
    with seeded.db.reading() as session:
        entry = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
        assert entry is not None
        assert entry.action == "update" and entry.reason == "unit conversion"
        assert json.loads(entry.before or "{}")["value"] == 1.2
        assert json.loads(entry.after or "{}")["value"] == 1.5
        assert verify_audit(session).ok


def test_user_image_never_contains_the_password_hash(seeded: Seeded) -> None:
    with seeded.db.reading() as session:
        afters = [e.after or "" for e in session.query(AuditEntry).filter(AuditEntry.table_name == "users")]
    assert afters and all("password_hash" not in a and "argon2" not in a for a in afters)


def test_snapshot_lists_site_ids_for_users(seeded: Seeded) -> None:
    from abscopal.store.models import User

    with seeded.db.reading() as session:
        user = session.get(User, seeded.user_ids["investigator"])
        assert user is not None
        assert audit.snapshot(user)["site_ids"] == [seeded.site_a]
