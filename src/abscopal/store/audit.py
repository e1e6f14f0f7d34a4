"""The audit trail: append-only, hash-chained entries, and their verification.

Rules
-----
1. Every create, update, soft delete, allocation and unblinding writes one entry with who
   (user id and name), when (UTC), what (before and after images as canonical JSON) and why
   (``reason``; required for any change after the first entry, 21 CFR 11.10(e) / ICH E6(R3)
   4.2: changes must not obscure the original and must be explained).
2. ``hash = sha256(canonical JSON of the entry including prev_hash)``; the first entry's
   ``prev_hash`` is 64 zeros. The head row (``audit_head``) is locked by each writer so the chain
   never forks.
3. Verification recomputes every hash and link, then recomputes every audited row's canonical
   image and compares it with the latest after-image of that row in the chain. Any difference
   (edited row, row inserted behind the service's back, hard-deleted row) is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from abscopal.store.models import (
    AUDITED_MODELS,
    AuditedMixin,
    AuditEntry,
    AuditHead,
    LesionAssessment,
    LesionMeasurement,
    Subject,
    User,
    utcnow,
)

GENESIS_HASH = "0" * 64

# Security state that changes without a user action (login counters) or must never be copied
# into the log (password hashes) is left out of the user image.
_EXCLUDED_COLUMNS: dict[str, frozenset[str]] = {
    "users": frozenset({"password_hash", "failed_logins", "locked_until"}),
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical_json(data: Any) -> str:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8 kept as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def _lesion_image(m: LesionMeasurement) -> dict[str, Any]:
    image = {
        "lesion_label": m.lesion_label,
        "category": m.category,
        "organ": m.organ,
        "is_nodal": m.is_nodal,
        "diameter_mm": m.diameter_mm,
        "status": m.status,
        "deleted_at": _jsonable(m.deleted_at),
    }
    if m.in_field is not None:  # only when recorded: images audited before migration 0003 still match
        image["in_field"] = m.in_field
    return image


def snapshot(row: AuditedMixin) -> dict[str, Any]:
    """The audited image of a row: every column (minus excluded ones) plus owned children."""
    table = row.__table__  # type: ignore[attr-defined]
    excluded = _EXCLUDED_COLUMNS.get(table.name, frozenset())
    image = {c.name: _jsonable(getattr(row, c.key)) for c in table.columns if c.name not in excluded}
    if isinstance(row, LesionAssessment):
        image["lesions"] = [_lesion_image(m) for m in sorted(row.lesions, key=lambda m: m.lesion_label)]
    if isinstance(row, User):
        image["site_ids"] = row.site_ids
    return image


def entry_hash(fields: dict[str, Any]) -> str:
    """sha256 hex of the canonical JSON of an entry's fields (which include ``prev_hash``)."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def _entry_fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": _jsonable(e.at),
        "user_id": e.user_id,
        "username": e.username,
        "action": e.action,
        "table_name": e.table_name,
        "record_id": e.record_id,
        "trial_id": e.trial_id,
        "site_id": e.site_id,
        "subject_id": e.subject_id,
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
        "prev_hash": e.prev_hash,
    }


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user id (None for the system) and name."""

    user_id: int | None
    username: str


SYSTEM = Actor(None, "system")


def _context(row: AuditedMixin, session: Session) -> tuple[int | None, int | None, int | None]:
    """(trial_id, site_id, subject_id) of a row, for filtering the audit view by scope."""
    if isinstance(row, Subject):
        return row.trial_id, row.site_id, row.id
    subject_id = getattr(row, "subject_id", None)
    if subject_id is not None:
        subject = session.get(Subject, subject_id)
        if subject is not None:
            return subject.trial_id, subject.site_id, subject.id
    trial_id = getattr(row, "trial_id", None)
    if row.__tablename__ == "trials":  # type: ignore[attr-defined]
        trial_id = row.id
    return trial_id, None, None


def append(
    session: Session,
    *,
    actor: Actor,
    action: str,
    row: AuditedMixin,
    before: dict[str, Any] | None,
    reason: str | None,
) -> AuditEntry:
    """Append one entry for ``row`` (already flushed) to the chain, inside the caller's transaction."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    trial_id, site_id, subject_id = _context(row, session)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        table_name=row.__tablename__,  # type: ignore[attr-defined]
        record_id=row.id,
        trial_id=trial_id,
        site_id=site_id,
        subject_id=subject_id,
        before=None if before is None else canonical_json(before),
        after=canonical_json(snapshot(row)),
        reason=reason,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(_entry_fields(entry))
    session.add(entry)
    head.seq = entry.seq
    head.hash = entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One verification failure: where and what."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_audit`."""

    entries_checked: int
    rows_checked: int
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _verify_chain(entries: Iterable[AuditEntry], head: AuditHead | None) -> tuple[int, list[AuditProblem]]:
    problems: list[AuditProblem] = []
    prev = GENESIS_HASH
    expected_seq = 1
    n = 0
    for e in entries:
        n += 1
        where = f"audit_log seq {e.seq}"
        if e.seq != expected_seq:
            problems.append(AuditProblem(where, f"sequence gap: expected seq {expected_seq}"))
        if e.prev_hash != prev:
            problems.append(AuditProblem(where, "prev_hash does not match the previous entry's hash"))
        if entry_hash(_entry_fields(e)) != e.hash:
            problems.append(AuditProblem(where, "hash does not match the entry's content"))
        prev = e.hash
        expected_seq = e.seq + 1
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(AuditProblem("audit_head", "head does not point at the last entry (entries removed?)"))
    if head is None and n:
        problems.append(AuditProblem("audit_head", "missing while entries exist"))
    return n, problems


def verify_audit(session: Session) -> VerifyResult:
    """Check the chain and every audited row against its latest after-image."""
    entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    latest: dict[tuple[str, int], str] = {}
    collected: list[AuditEntry] = []
    for e in entries:
        collected.append(e)
        if e.after is not None:
            latest[(e.table_name, e.record_id)] = e.after
    head = session.get(AuditHead, 1)
    n_entries, problems = _verify_chain(collected, head)
    rows = 0
    for model in AUDITED_MODELS:
        table = model.__tablename__  # type: ignore[attr-defined]
        seen: set[int] = set()
        for row in session.execute(select(model).order_by(model.id)).scalars():
            rows += 1
            seen.add(row.id)
            image = latest.get((table, row.id))
            where = f"{table} id {row.id}"
            if image is None:
                problems.append(AuditProblem(where, "row has no audit entry (written outside the service)"))
            elif canonical_json(snapshot(row)) != image:
                problems.append(AuditProblem(where, "row differs from its last audited state (edited outside the service)"))
        for (t, record_id) in latest:
            if t == table and record_id not in seen:
                problems.append(AuditProblem(f"{table} id {record_id}", "audited row is missing (hard-deleted)"))
    return VerifyResult(n_entries, rows, tuple(problems))


__all__ = [
    "GENESIS_HASH",
    "SYSTEM",
    "Actor",
    "AuditProblem",
    "VerifyResult",
    "append",
    "canonical_json",
    "entry_hash",
    "snapshot",
    "verify_audit",
]
