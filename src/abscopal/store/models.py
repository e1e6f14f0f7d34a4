"""SQLAlchemy 2 rows of the trial database (shell; core code never sees these).

Conventions
-----------
* Every audited row has ``id``, ``version`` (optimistic locking: SQLAlchemy adds
  ``WHERE version = :old`` to each UPDATE), who/when columns and ``deleted_at`` (soft delete:
  trial data are never hard-deleted).
* Captured records carry ``protocol_version_id``: the protocol version in force when the record
  was first entered; amendments never rewrite it.
* ``derived`` holds outputs of the derivation hooks (``store.derive``); users cannot write it.
* Datetimes are naive UTC.
* The arm of a subject lives only in ``allocations`` (and ``unblindings``), never on the subject,
  so blinding has one place to guard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Now, as naive UTC with microseconds (how every datetime is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class AuditedMixin:
    """Identity, optimistic-locking version, who/when and soft-delete columns."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    deleted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Site(AuditedMixin, Base):
    __tablename__ = "sites"
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)


class UserSite(Base):
    __tablename__ = "user_sites"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)


class User(AuditedMixin, Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sites: Mapped[list[Site]] = relationship(secondary="user_sites", lazy="select", order_by="Site.id")

    @property
    def site_ids(self) -> list[int]:
        return sorted(s.id for s in self.sites)


class AuthToken(Base):
    """A bearer token or a web session; only the sha256 of the secret is stored."""

    __tablename__ = "auth_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "bearer" | "session"
    csrf_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Trial(AuditedMixin, Base):
    __tablename__ = "trials"
    registry_id: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    statistician_unblinded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ProtocolVersion(AuditedMixin, Base):
    __tablename__ = "protocol_versions"
    __table_args__ = (UniqueConstraint("trial_id", "protocol_version"),)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), nullable=False, index=True)
    protocol_version: Mapped[str] = mapped_column(String(32), nullable=False)
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class Subject(AuditedMixin, Base):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("trial_id", "screening_id"),)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), nullable=False, index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), nullable=False, index=True)
    screening_id: Mapped[str] = mapped_column(String(64), nullable=False)
    consent_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="screening")
    protocol_version_id: Mapped[int] = mapped_column(ForeignKey("protocol_versions.id"), nullable=False)


class SubjectRecordMixin(AuditedMixin):
    """A record captured about one subject, under the protocol version then in force."""

    @declared_attr
    def subject_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("subjects.id"), nullable=False, index=True)

    @declared_attr
    def protocol_version_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("protocol_versions.id"), nullable=False)

    derived: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ScreeningResult(SubjectRecordMixin, Base):
    __tablename__ = "screening_results"
    screened_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    eligible: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    criteria: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    engine: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Enrolment(SubjectRecordMixin, Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("subject_id"),)
    enrolled_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    stratum: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class Allocation(SubjectRecordMixin, Base):
    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("subject_id"),)
    arm_id: Mapped[str] = mapped_column(String(64), nullable=False)
    stage_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(64), nullable=False)
    stratum_key: Mapped[str] = mapped_column(String(255), nullable=False)
    sequence_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    allocated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class AllocationSlot(Base):
    """The concealed allocation sequence. No endpoint ever reads this table."""

    __tablename__ = "allocation_slots"
    __table_args__ = (UniqueConstraint("trial_id", "stratum_key", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), nullable=False)
    stratum_key: Mapped[str] = mapped_column(String(255), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    block: Mapped[int] = mapped_column(Integer, nullable=False)
    arm_id: Mapped[str] = mapped_column(String(64), nullable=False)
    used_by_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), nullable=True)


class StageGate(AuditedMixin, Base):
    """A recorded stage-gate decision of a trial (the open stage is the one the last
    ``continue`` gate opened, else the protocol's first stage)."""

    __tablename__ = "stage_gates"
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), nullable=False, index=True)
    stage_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # "continue" | "stop"
    opened_stage_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evaluable: Mapped[int] = mapped_column(Integer, nullable=False)
    responses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dlts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decision: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reasons: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    rule_version: Mapped[str] = mapped_column(String(32), nullable=False)
    reason_text: Mapped[str] = mapped_column(Text, nullable=False)


class Unblinding(SubjectRecordMixin, Base):
    __tablename__ = "unblindings"
    reason_text: Mapped[str] = mapped_column(Text, nullable=False)
    arm_id: Mapped[str] = mapped_column(String(64), nullable=False)


class CalendarEntry(SubjectRecordMixin, Base):
    __tablename__ = "calendar_entries"
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    window_before_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_after_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class RtDelivery(SubjectRecordMixin, Base):
    __tablename__ = "rt_deliveries"
    intervention_id: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    fraction_number: Mapped[int] = mapped_column(Integer, nullable=False)
    delivered_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    dose_gy: Mapped[float] = mapped_column(Float, nullable=False)
    dose_metrics: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class DrugAdministration(SubjectRecordMixin, Base):
    __tablename__ = "drug_administrations"
    intervention_id: Mapped[str] = mapped_column(String(64), nullable=False)
    agent: Mapped[str] = mapped_column(String(100), nullable=False)
    administered_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    dose_amount: Mapped[float] = mapped_column(Float, nullable=False)
    dose_unit: Mapped[str] = mapped_column(String(16), nullable=False)
    cycle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day_in_cycle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class LesionAssessment(SubjectRecordMixin, Base):
    __tablename__ = "lesion_assessments"
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    timepoint: Mapped[str] = mapped_column(String(64), nullable=False)
    modality: Mapped[str] = mapped_column(String(32), nullable=False)
    criteria: Mapped[str] = mapped_column(String(32), nullable=False)
    lesions: Mapped[list[LesionMeasurement]] = relationship(
        back_populates="assessment", lazy="selectin", order_by="LesionMeasurement.lesion_label"
    )


class LesionMeasurement(Base):
    """One lesion row of an assessment; versioned and audited through its assessment."""

    __tablename__ = "lesion_measurements"
    __table_args__ = (UniqueConstraint("assessment_id", "lesion_label"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("lesion_assessments.id"), nullable=False)
    lesion_label: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    organ: Mapped[str] = mapped_column(String(100), nullable=False)
    is_nodal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    diameter_mm: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Inside an irradiated field (None = not recorded). Reveals the RT arm: blinded roles never see it.
    in_field: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    assessment: Mapped[LesionAssessment] = relationship(back_populates="lesions")


class Lab(SubjectRecordMixin, Base):
    __tablename__ = "labs"
    collected_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    test: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    unit: Mapped[str] = mapped_column(String(32), nullable=False)
    lower_limit: Mapped[float | None] = mapped_column(Float, nullable=True)
    upper_limit: Mapped[float | None] = mapped_column(Float, nullable=True)


class AdverseEvent(SubjectRecordMixin, Base):
    __tablename__ = "adverse_events"
    term: Mapped[str] = mapped_column(String(200), nullable=False)
    onset_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    resolved_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    grade: Mapped[int] = mapped_column(Integer, nullable=False)
    serious: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attribution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)


class OffStudy(SubjectRecordMixin, Base):
    __tablename__ = "off_study"
    __table_args__ = (UniqueConstraint("subject_id"),)
    off_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reason_text: Mapped[str] = mapped_column(Text, nullable=False)


class Death(SubjectRecordMixin, Base):
    __tablename__ = "deaths"
    __table_args__ = (UniqueConstraint("subject_id"),)
    death_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    cause: Mapped[str] = mapped_column(Text, nullable=False)


class AuditEntry(Base):
    """One append-only, hash-chained audit entry (database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    table_name: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    trial_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    site_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHead(Base):
    """The chain's head (one row, id 1): locked FOR UPDATE by every writer."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


# Tables whose every row must match its latest audited after-image.
AUDITED_MODELS: tuple[type[AuditedMixin], ...] = (
    Site, User, Trial, ProtocolVersion, Subject, ScreeningResult, Enrolment, Allocation,
    Unblinding, CalendarEntry, RtDelivery, DrugAdministration, LesionAssessment, Lab,
    AdverseEvent, OffStudy, Death, StageGate,
)

__all__ = [
    "AUDITED_MODELS",
    "AdverseEvent",
    "Allocation",
    "AllocationSlot",
    "AuditEntry",
    "AuditHead",
    "AuditedMixin",
    "AuthToken",
    "Base",
    "CalendarEntry",
    "Death",
    "DrugAdministration",
    "Enrolment",
    "Lab",
    "LesionAssessment",
    "LesionMeasurement",
    "OffStudy",
    "ProtocolVersion",
    "RtDelivery",
    "ScreeningResult",
    "Site",
    "StageGate",
    "Subject",
    "SubjectRecordMixin",
    "Trial",
    "Unblinding",
    "User",
    "UserSite",
    "utcnow",
]
