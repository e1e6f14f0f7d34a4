"""Audited writes: create, update (optimistic locking), soft delete, trials and amendments,
enrolment with concealed allocation, emergency unblinding.

Every function here runs inside the caller's transaction and appends to the audit chain in the
same transaction, so a record and its audit entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from abscopal.errors import ConflictError, InputError, NotFoundError
from abscopal.protocol import Protocol, parse_protocol_text
from abscopal.randomisation import evaluate_stage_gate, next_stage
from abscopal.store import audit
from abscopal.store.allocation import AllocationRequest, Allocator
from abscopal.store.audit import Actor
from abscopal.store.derive import DEFAULT_REGISTRY, DerivationContext, DerivationRegistry
from abscopal.store.models import (
    Allocation,
    AllocationSlot,
    AuditedMixin,
    AuditHead,
    Enrolment,
    LesionAssessment,
    LesionMeasurement,
    ProtocolVersion,
    StageGate,
    Subject,
    SubjectRecordMixin,
    Trial,
    Unblinding,
    utcnow,
)
from abscopal.store.permissions import Role, is_site_scoped
from abscopal.store.randomiser import ProtocolAllocator

M = TypeVar("M", bound=AuditedMixin)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the store and the API see it."""

    user_id: int
    username: str
    role: Role
    site_ids: frozenset[int]

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username)

    def sees_site(self, site_id: int) -> bool:
        """Whether the caller may see data of ``site_id`` (site-scoped roles: own sites only)."""
        return not is_site_scoped(self.role) or site_id in self.site_ids


# --- protocols -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _parse_cached(sha256: str, text: str) -> Protocol:
    return parse_protocol_text(text, source=f"protocol {sha256[:12]}")


def protocol_of(version: ProtocolVersion) -> Protocol:
    """The parsed protocol of a stored version (cached: versions are immutable)."""
    return _parse_cached(version.sha256, version.yaml_text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_trial(session: Session, *, actor: Actor, protocol_yaml: str) -> Trial:
    """Register a trial from its protocol text (first version becomes current).

    Raises
    ------
    ProtocolError
        The text is not a valid protocol (findings name each path).
    InputError
        A trial with this registry id exists.
    """
    protocol = parse_protocol_text(protocol_yaml, source="protocol_yaml")
    rid = protocol.identity.registry_id
    if session.execute(select(Trial.id).where(Trial.registry_id == rid)).first():
        raise InputError(f"'protocol_yaml' must describe a new trial (got {rid}, which exists; "
                         "use an amendment for a new protocol version)")
    trial = Trial(registry_id=rid, title=protocol.identity.title, created_by=actor.user_id)
    session.add(trial)
    session.flush()
    version = ProtocolVersion(trial_id=trial.id, protocol_version=protocol.protocol_version,
                              yaml_text=protocol_yaml, sha256=_sha256(protocol_yaml),
                              created_by=actor.user_id)
    session.add(version)
    session.flush()
    trial.current_version_id = version.id
    session.flush()
    audit.append(session, actor=actor, action="create", row=version, before=None, reason=None)
    audit.append(session, actor=actor, action="create", row=trial, before=None, reason=None)
    return trial


def amend_trial(session: Session, *, actor: Actor, trial: Trial, protocol_yaml: str,
                reason: str) -> ProtocolVersion:
    """Add a protocol version (an amendment) and make it current; earlier data keep theirs."""
    protocol = parse_protocol_text(protocol_yaml, source="protocol_yaml")
    if protocol.identity.registry_id != trial.registry_id:
        raise InputError(f"'protocol_yaml' must be for {trial.registry_id} "
                         f"(got {protocol.identity.registry_id})")
    exists = session.execute(select(ProtocolVersion.id).where(
        ProtocolVersion.trial_id == trial.id,
        ProtocolVersion.protocol_version == protocol.protocol_version)).first()
    if exists:
        raise InputError(f"'protocol_version' must be new for an amendment (got "
                         f"{protocol.protocol_version!r}, which exists)")
    version = ProtocolVersion(trial_id=trial.id, protocol_version=protocol.protocol_version,
                              yaml_text=protocol_yaml, sha256=_sha256(protocol_yaml),
                              created_by=actor.user_id)
    session.add(version)
    session.flush()
    audit.append(session, actor=actor, action="create", row=version, before=None, reason=reason)
    update_record(session, actor=actor, row=trial, changes={"current_version_id": version.id,
                  "title": protocol.identity.title}, expected_version=trial.version, reason=reason)
    return version


# --- generic audited writes -----------------------------------------------------------------


def _image_without_derived(row: AuditedMixin) -> dict[str, Any]:
    image = audit.snapshot(row)
    image.pop("derived", None)
    return image


def _run_derivations(session: Session, row: AuditedMixin, registry: DerivationRegistry) -> None:
    if not isinstance(row, SubjectRecordMixin):
        return
    table = row.__tablename__  # type: ignore[attr-defined]
    if not registry.has_hooks(table):
        return
    model = type(row)
    others = session.execute(
        select(model).where(model.subject_id == row.subject_id, model.deleted_at.is_(None),
                            model.id != row.id).order_by(model.id)
    ).scalars() if registry.needs_history(table) else ()
    version = session.get(ProtocolVersion, row.protocol_version_id)
    assert version is not None
    ctx = DerivationContext(
        record_type=table,
        record=_image_without_derived(row),
        subject_records=[_image_without_derived(o) for o in others],
        protocol=protocol_of(version),
    )
    row.derived = registry.derive(ctx)


def _set_lesions(row: LesionAssessment, lesions: Sequence[Mapping[str, Any]]) -> None:
    labels = [str(les["lesion_label"]) for les in lesions]
    if len(set(labels)) != len(labels):
        raise InputError(f"'lesions' must have unique lesion_label values (got {labels})")
    existing = {m.lesion_label: m for m in row.lesions}
    now = utcnow()
    for les in lesions:
        m = existing.get(str(les["lesion_label"]))
        if m is None:
            m = LesionMeasurement(lesion_label=str(les["lesion_label"]))
            row.lesions.append(m)
        for key in ("category", "organ", "diameter_mm", "status"):
            setattr(m, key, les.get(key))
        m.is_nodal = bool(les.get("is_nodal", False))
        if "in_field" in les:  # absent (e.g. a blinded reviewer's edit) keeps the stored value
            m.in_field = None if les["in_field"] is None else bool(les["in_field"])
        m.deleted_at = None
    for label, m in existing.items():
        if label not in labels and m.deleted_at is None:
            m.deleted_at = now  # removed lesion rows are kept, marked deleted


def create_record(session: Session, model: type[M], *, actor: Actor, values: Mapping[str, Any],
                  derivations: DerivationRegistry = DEFAULT_REGISTRY) -> M:
    """Insert a row, derive, and audit it (no reason needed for a first entry)."""
    data = dict(values)
    lesions = data.pop("lesions", None)
    row = model(**data)
    row.created_by = actor.user_id
    if isinstance(row, LesionAssessment):
        row.lesions = []
        _set_lesions(row, lesions or [])
    session.add(row)
    session.flush()
    _run_derivations(session, row, derivations)
    session.flush()
    audit.append(session, actor=actor, action="create", row=row, before=None, reason=None)
    return row


def _check_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise InputError("'reason' must be given for any change after first entry (got empty)")
    return reason.strip()


def flush_or_conflict(session: Session, row: AuditedMixin) -> None:
    """Flush; a concurrent writer's newer version becomes ConflictError (nothing written)."""
    # Read the identity before flushing: after a failed flush the row cannot be refreshed.
    what = f"{row.__tablename__} {row.__dict__.get('id')}"  # type: ignore[attr-defined]
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            f"{what} was changed by someone else; reload it and re-apply your change"
        ) from exc


def update_record(session: Session, *, actor: Actor, row: M, changes: Mapping[str, Any],
                  expected_version: int, reason: str | None,
                  derivations: DerivationRegistry = DEFAULT_REGISTRY, action: str = "update") -> M:
    """Apply ``changes`` if the row is still at ``expected_version``; audit before/after.

    Raises
    ------
    ConflictError
        Someone saved first (the version moved on); nothing was written.
    NotFoundError
        The row is soft-deleted.
    InputError
        ``reason`` is missing.
    """
    why = _check_reason(reason)
    if row.deleted_at is not None:
        raise NotFoundError(f"{row.__tablename__} {row.id} was deleted")  # type: ignore[attr-defined]
    if row.version != expected_version:
        raise ConflictError(
            f"{row.__tablename__} {row.id} is at version {row.version}, not {expected_version}: "  # type: ignore[attr-defined]
            "someone saved first; reload it and re-apply your change"
        )
    before = audit.snapshot(row)
    data = dict(changes)
    lesions = data.pop("lesions", None)
    for key, value in data.items():
        setattr(row, key, value)
    if lesions is not None and isinstance(row, LesionAssessment):
        _set_lesions(row, lesions)
    row.updated_at = utcnow()
    row.updated_by = actor.user_id
    flush_or_conflict(session, row)
    _run_derivations(session, row, derivations)
    flush_or_conflict(session, row)
    audit.append(session, actor=actor, action=action, row=row, before=before, reason=why)
    return row


def soft_delete(session: Session, *, actor: Actor, row: M, expected_version: int,
                reason: str | None) -> M:
    """Mark a row deleted (kept in the database and the audit trail)."""
    why = _check_reason(reason)
    if row.deleted_at is not None:
        raise NotFoundError(f"{row.__tablename__} {row.id} was deleted")  # type: ignore[attr-defined]
    if row.version != expected_version:
        raise ConflictError(
            f"{row.__tablename__} {row.id} is at version {row.version}, not {expected_version}: "  # type: ignore[attr-defined]
            "someone saved first; reload it and decide again"
        )
    before = audit.snapshot(row)
    now = utcnow()
    row.deleted_at = now
    row.deleted_by = actor.user_id
    row.updated_at = now
    row.updated_by = actor.user_id
    if isinstance(row, LesionAssessment):
        for m in row.lesions:
            m.deleted_at = m.deleted_at or now
    flush_or_conflict(session, row)
    audit.append(session, actor=actor, action="delete", row=row, before=before, reason=why)
    return row


# --- enrolment and allocation ----------------------------------------------------------------


class _DbSequence:
    """The concealed sequence of one trial, stored in ``allocation_slots``."""

    def __init__(self, session: Session, trial_id: int, subject_id: int) -> None:
        self.session = session
        self.trial_id = trial_id
        self.subject_id = subject_id

    def next_slot(self, stratum_key: str, make_block: Callable[[], Sequence[str]]) -> tuple[int, str]:
        q = (select(AllocationSlot)
             .where(AllocationSlot.trial_id == self.trial_id,
                    AllocationSlot.stratum_key == stratum_key,
                    AllocationSlot.used_by_subject_id.is_(None))
             .order_by(AllocationSlot.position).limit(1))
        slot = self.session.execute(q).scalar_one_or_none()
        if slot is None:
            last = self.session.execute(
                select(AllocationSlot).where(AllocationSlot.trial_id == self.trial_id,
                                             AllocationSlot.stratum_key == stratum_key)
                .order_by(AllocationSlot.position.desc()).limit(1)).scalar_one_or_none()
            start = 0 if last is None else last.position
            block_no = 1 if last is None else last.block + 1
            arms = list(make_block())
            if not arms:
                raise InputError("an allocation block must not be empty")
            for i, arm in enumerate(arms, start=1):
                self.session.add(AllocationSlot(trial_id=self.trial_id, stratum_key=stratum_key,
                                                position=start + i, block=block_no, arm_id=arm))
            self.session.flush()
            slot = self.session.execute(q).scalar_one()
        slot.used_by_subject_id = self.subject_id
        self.session.flush()
        return slot.position, slot.arm_id


def lock_chain(session: Session) -> None:
    """Take the audit head lock now: serialises writers that must see each other's effects
    (allocation takes the next slot; two enrolments must not take the same one)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        session.add(AuditHead(id=1, seq=0, hash=audit.GENESIS_HASH))
        session.flush()


@dataclass(frozen=True)
class StageState:
    """Where a staged trial stands: the open stage, how many are allocated in it, and whether
    a ``stop`` gate closed enrolment."""

    open_stage: str | None
    allocated: int
    closed_by_gate: int | None


def stage_state(session: Session, trial: Trial, protocol: Protocol) -> StageState:
    """The open stage: the protocol's first stage until a ``continue`` gate opens the next."""
    if not protocol.design.stages:
        return StageState(None, 0, None)
    gates = list(session.execute(
        select(StageGate).where(StageGate.trial_id == trial.id, StageGate.deleted_at.is_(None))
        .order_by(StageGate.id)).scalars())
    open_stage = protocol.design.stages[0].id
    closed: int | None = None
    for gate in gates:
        if gate.stage_id != open_stage:
            continue
        if gate.status == "continue" and gate.opened_stage_id:
            open_stage, closed = gate.opened_stage_id, None
        elif gate.status == "stop":
            closed = gate.id
    allocated = session.execute(
        select(func.count(Allocation.id)).join(Subject, Subject.id == Allocation.subject_id)
        .where(Subject.trial_id == trial.id, Allocation.stage_id == open_stage)).scalar_one()
    return StageState(open_stage, int(allocated), closed)


def record_stage_gate(session: Session, *, actor: Actor, trial: Trial, evaluable: int,
                      responses: int | None, dlts: int | None, decision: bool | None,
                      reason: str | None) -> StageGate:
    """Evaluate the open stage's gate (``randomisation.evaluate_stage_gate``) and record the
    outcome as an audited row; ``continue`` opens the next stage.

    Raises
    ------
    InputError
        The trial has no stages, the open stage is the last one, or the counts are inconsistent.
    ConflictError
        The gate is still pending (e.g. Simon n1 not yet evaluable, or a decision is needed).
    """
    why = _check_reason(reason)
    lock_chain(session)
    version = session.get(ProtocolVersion, trial.current_version_id)
    assert version is not None
    protocol = protocol_of(version)
    state = stage_state(session, trial, protocol)
    if state.open_stage is None:
        raise InputError(f"{trial.registry_id} has no stages: there is no gate to decide")
    stage = next(s for s in protocol.design.stages if s.id == state.open_stage)
    following = next_stage(protocol, stage.id)
    if following is None:
        raise InputError(f"stage {stage.id!r} is the last stage of {trial.registry_id}: no gate follows it")
    result = evaluate_stage_gate(stage, evaluable=evaluable, responses=responses, dlts=dlts,
                                 decision=decision)
    if result.status == "pending":
        raise ConflictError(f"the gate of stage {stage.id!r} is pending: {'; '.join(result.reasons)}"
                            + (" (give 'decision')" if result.needs_decision else ""))
    row = StageGate(trial_id=trial.id, stage_id=stage.id, status=result.status,
                    opened_stage_id=following.id if result.status == "continue" else None,
                    evaluable=evaluable, responses=responses, dlts=dlts, decision=decision,
                    reasons=list(result.reasons), rule_version=result.rule_version,
                    reason_text=why, created_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="stage_gate", row=row, before=None, reason=why)
    return row


def enrol_subject(session: Session, *, actor: Actor, subject: Subject, enrolled_on: dt.date,
                  stratum: Mapping[str, str], facts: Mapping[str, Any],
                  allocator: Allocator | None = None) -> tuple[Enrolment, Allocation]:
    """Enrol a subject and allocate an arm in one audited transaction.

    Raises
    ------
    ConflictError
        The subject is already enrolled.
    """
    lock_chain(session)
    if session.execute(select(Enrolment.id).where(Enrolment.subject_id == subject.id)).first():
        raise ConflictError(f"subject {subject.id} is already enrolled")
    trial = session.get(Trial, subject.trial_id)
    assert trial is not None and trial.current_version_id is not None
    version = session.get(ProtocolVersion, trial.current_version_id)
    assert version is not None
    prior = tuple(
        (a.stratum_key, a.arm_id) for a in session.execute(
            select(Allocation).join(Subject, Subject.id == Allocation.subject_id)
            .where(Subject.trial_id == trial.id).order_by(Allocation.id)).scalars()
    )
    protocol = protocol_of(version)
    stages = stage_state(session, trial, protocol)
    if stages.closed_by_gate is not None:
        raise ConflictError(f"enrolment in stage {stages.open_stage!r} was stopped by stage gate "
                            f"{stages.closed_by_gate}")
    if stages.open_stage is not None:
        size = next(s.size for s in protocol.design.stages if s.id == stages.open_stage)
        if size is not None and stages.allocated >= size:
            raise ConflictError(f"stage {stages.open_stage!r} is full ({stages.allocated} of {size} "
                                "allocated); its gate must open the next stage")
    chooser = allocator or default_allocator()
    decision = chooser.allocate(AllocationRequest(
        protocol=protocol, stratum=dict(stratum), facts=dict(facts), prior=prior,
        sequence=_DbSequence(session, trial.id, subject.id), stage_id=stages.open_stage))
    enrolment = create_record(session, Enrolment, actor=actor, values={
        "subject_id": subject.id, "protocol_version_id": version.id, "enrolled_on": enrolled_on,
        "stratum": dict(stratum), "facts": dict(facts)})
    allocation = Allocation(
        subject_id=subject.id, protocol_version_id=version.id, arm_id=decision.arm_id,
        stage_id=decision.stage_id, method=decision.method, stratum_key=decision.stratum_key,
        sequence_position=decision.sequence_position, allocated_at=utcnow(), created_by=actor.user_id)
    session.add(allocation)
    session.flush()
    audit.append(session, actor=actor, action="allocate", row=allocation, before=None, reason=None)
    update_record(session, actor=actor, row=subject, changes={"status": "enrolled"},
                  expected_version=subject.version, reason="enrolled and allocated")
    return enrolment, allocation


def default_allocator() -> Allocator:
    """The service's allocator: the protocol's own design via ``abscopal.randomisation``."""
    return ProtocolAllocator()


def unblind_subject(session: Session, *, actor: Actor, subject: Subject, reason: str | None) -> Unblinding:
    """Emergency unblinding: record who, when and why, and return the arm (audited)."""
    why = _check_reason(reason)
    allocation = session.execute(select(Allocation).where(Allocation.subject_id == subject.id)).scalar_one_or_none()
    if allocation is None:
        raise NotFoundError(f"subject {subject.id} has no allocation to unblind")
    row = Unblinding(subject_id=subject.id, protocol_version_id=allocation.protocol_version_id,
                     reason_text=why, arm_id=allocation.arm_id, created_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="unblind", row=row, before=None, reason=why)
    return row


def get_visible(session: Session, model: type[M], record_id: int, *, principal: Principal,
                include_deleted: bool = False) -> M:
    """Fetch a row the caller may see, or raise NotFoundError (never reveal other sites' rows)."""
    row = session.get(model, record_id)
    if row is None or (row.deleted_at is not None and not include_deleted):
        raise NotFoundError(f"{model.__tablename__} {record_id} not found")  # type: ignore[attr-defined]
    site_id = getattr(row, "site_id", None)
    if site_id is None and hasattr(row, "subject_id"):
        subject = session.get(Subject, row.subject_id)
        site_id = subject.site_id if subject else None
    if site_id is not None and not principal.sees_site(site_id):
        raise NotFoundError(f"{model.__tablename__} {record_id} not found")  # type: ignore[attr-defined]
    return row


__all__ = [
    "Principal",
    "StageState",
    "amend_trial",
    "create_record",
    "create_trial",
    "default_allocator",
    "enrol_subject",
    "flush_or_conflict",
    "get_visible",
    "lock_chain",
    "protocol_of",
    "record_stage_gate",
    "soft_delete",
    "stage_state",
    "unblind_subject",
    "update_record",
]
