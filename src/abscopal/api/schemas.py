"""Request and response models (``XCreate`` / ``XUpdate`` / ``XPublic``, list envelope ``{data, count}``).

Inputs forbid unknown keys, so read-only fields (``derived``, ``status``, ``version`` on create,
who/when columns) cannot be written. Every number and string is bounded so that no input can reach
the database in a form it would reject (oversized integers, NUL characters, infinities).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

T = TypeVar("T")

_NO_NUL = r"^[^\x00]*$"
Str = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_NUL)]
ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_NO_NUL)]
LongStr = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_NO_NUL)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\x00]*\S[^\x00]*$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=64)]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647, description="The version you read (optimistic locking)")]
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
NonNegFinite = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1e9)]
SmallInt = Annotated[int, Field(ge=0, le=100_000)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]
FactValue = bool | Annotated[int, Field(ge=-(10**9), le=10**9)] | Finite | ShortStr


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """List envelope."""

    data: list[T]
    count: int = Field(description="Total matching rows (for pagination), not just this page")


class ChangeMeta(In):
    """Every update carries the version read and a reason (change after first entry)."""

    version: Version
    reason: Reason


class RecordPublic(Out):
    id: int
    version: int
    created_at: dt.datetime
    created_by: int | None
    updated_at: dt.datetime | None
    updated_by: int | None
    deleted_at: dt.datetime | None


class SubjectRecordPublic(RecordPublic):
    subject_id: int
    protocol_version_id: int
    derived: dict[str, Any] | None = Field(description="Derived outcomes with provenance (read-only)")


# --- auth -------------------------------------------------------------------------------------


class LoginIn(In):
    username: ShortStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime


class SessionOut(BaseModel):
    csrf_token: str
    expires_at: dt.datetime


class PasswordChangeIn(In):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    new_password: Annotated[str, StringConstraints(min_length=12, max_length=1000, pattern=_NO_NUL)]


# --- sites and users ---------------------------------------------------------------------------


class SiteCreate(In):
    code: Slug
    name: Str


class SiteUpdate(ChangeMeta):
    name: Str | None = None


class SitePublic(RecordPublic):
    code: str
    name: str


Role = Literal["admin", "investigator", "coordinator", "imaging_reviewer", "statistician", "monitor"]


class UserCreate(In):
    username: Slug
    role: Role
    site_ids: list[Id] = Field(default_factory=list, max_length=100)
    full_name: Str | None = None


class UserUpdate(ChangeMeta):
    role: Role | None = None
    site_ids: list[Id] | None = Field(default=None, max_length=100)
    full_name: Str | None = None
    is_active: bool | None = None


class UserPublic(RecordPublic):
    username: str
    role: str
    full_name: str | None
    is_active: bool
    site_ids: list[int]


class UserCreated(BaseModel):
    user: UserPublic
    password: str = Field(description="Initial password, shown once")


class PasswordResetIn(In):
    reason: Reason


class PasswordResetOut(BaseModel):
    password: str = Field(description="New random password, shown once")


# --- trials ------------------------------------------------------------------------------------


class TrialCreate(In):
    protocol_yaml: Annotated[str, StringConstraints(min_length=1, max_length=1_000_000, pattern=_NO_NUL)]


class TrialUpdate(ChangeMeta):
    statistician_unblinded: bool | None = None


class ArmPublic(BaseModel):
    id: str
    label: str


class TrialPublic(RecordPublic):
    registry_id: str
    title: str
    current_version_id: int | None
    current_protocol_version: str | None = None
    statistician_unblinded: bool
    arms: list[ArmPublic] = Field(default_factory=list)


class AmendmentIn(In):
    protocol_yaml: Annotated[str, StringConstraints(min_length=1, max_length=1_000_000, pattern=_NO_NUL)]
    reason: Reason


class ProtocolVersionPublic(RecordPublic):
    trial_id: int
    protocol_version: str
    sha256: str
    yaml_text: str | None = None


# --- subjects ----------------------------------------------------------------------------------


class SubjectCreate(In):
    site_id: Id
    screening_id: ShortStr
    consent_date: Date | None = None


class SubjectUpdate(ChangeMeta):
    site_id: Id | None = None
    screening_id: ShortStr | None = None
    consent_date: Date | None = None


class SubjectPublic(RecordPublic):
    trial_id: int
    site_id: int
    screening_id: str
    consent_date: dt.date | None
    status: str
    protocol_version_id: int


class EnrolmentIn(In):
    enrolled_on: Date
    stratum: dict[ShortStr, ShortStr] = Field(default_factory=dict, max_length=20)
    facts: dict[ShortStr, FactValue] = Field(default_factory=dict, max_length=100)


class EnrolmentPublic(SubjectRecordPublic):
    enrolled_on: dt.date
    stratum: dict[str, Any]
    facts: dict[str, Any]


class AllocationPublic(SubjectRecordPublic):
    arm_id: str
    arm_label: str | None = None
    stage_id: str | None
    method: str
    allocated_at: dt.datetime
    sequence_position: int | None = None


class EnrolmentOut(BaseModel):
    enrolment: EnrolmentPublic
    allocation: AllocationPublic


class StageGateIn(In):
    """Counts for the open stage's gate (``randomisation.evaluate_stage_gate``) and the
    recorded decision where the rule needs one."""

    evaluable: SmallInt
    responses: SmallInt | None = None
    dlts: SmallInt | None = None
    decision: bool | None = Field(default=None, description="The recorded decision (True = continue)")
    reason: Reason


class StageGatePublic(Out):
    id: int
    stage_id: str
    status: str
    opened_stage_id: str | None
    evaluable: int
    responses: int | None
    dlts: int | None
    decision: bool | None
    reasons: list[str]
    rule_version: str
    reason_text: str
    created_at: dt.datetime
    created_by: int | None


class StagePublic(BaseModel):
    stage_id: str
    label: str
    size: int | None
    decision_rule: str | None
    method: str


class StagesOut(BaseModel):
    open_stage_id: str | None
    allocated_in_open_stage: int
    enrolment_stopped: bool
    stages: list[StagePublic]
    gates: list[StageGatePublic]


class UnblindingIn(In):
    reason: Reason


class UnblindingPublic(SubjectRecordPublic):
    reason_text: str
    arm_id: str
    arm_label: str | None = None


# --- captured records --------------------------------------------------------------------------


class CriterionResult(In):
    id: Slug
    result: Literal["met", "not_met", "unknown", "not_applicable"]
    reason: LongStr | None = None


class ScreeningResultCreate(In):
    screened_on: Date
    eligible: bool | None = None
    criteria: list[CriterionResult] = Field(max_length=500)
    engine: ShortStr | None = None


class ScreeningResultUpdate(ChangeMeta):
    screened_on: Date | None = None
    eligible: bool | None = None
    criteria: list[CriterionResult] | None = Field(default=None, max_length=500)
    engine: ShortStr | None = None


class ScreeningResultPublic(SubjectRecordPublic):
    screened_on: dt.date
    eligible: bool | None
    criteria: list[Any]
    engine: str | None


CalendarKind = Literal["rt", "drug", "imaging", "labs", "visit", "other"]
CalendarStatus = Literal["planned", "done", "missed", "cancelled"]


class CalendarEntryCreate(In):
    kind: CalendarKind
    item_id: Slug | None = None
    label: Str
    due_date: Date
    window_before_days: SmallInt = 0
    window_after_days: SmallInt = 0
    status: CalendarStatus = "planned"
    done_on: Date | None = None


class CalendarEntryUpdate(ChangeMeta):
    label: Str | None = None
    due_date: Date | None = None
    window_before_days: SmallInt | None = None
    window_after_days: SmallInt | None = None
    status: CalendarStatus | None = None
    done_on: Date | None = None


class CalendarEntryPublic(SubjectRecordPublic):
    kind: str
    item_id: str | None
    label: str
    due_date: dt.date
    window_before_days: int
    window_after_days: int
    status: str
    done_on: dt.date | None


class RtDeliveryCreate(In):
    intervention_id: Slug
    target: Str
    fraction_number: Annotated[int, Field(ge=1, le=100)]
    delivered_on: Date
    dose_gy: Annotated[float, Field(gt=0, le=200, allow_inf_nan=False)]
    dose_metrics: dict[ShortStr, NonNegFinite] = Field(default_factory=dict, max_length=50)
    notes: LongStr | None = None


class RtDeliveryUpdate(ChangeMeta):
    target: Str | None = None
    fraction_number: Annotated[int, Field(ge=1, le=100)] | None = None
    delivered_on: Date | None = None
    dose_gy: Annotated[float, Field(gt=0, le=200, allow_inf_nan=False)] | None = None
    dose_metrics: dict[ShortStr, NonNegFinite] | None = Field(default=None, max_length=50)
    notes: LongStr | None = None


class RtDeliveryPublic(SubjectRecordPublic):
    intervention_id: str
    target: str
    fraction_number: int
    delivered_on: dt.date
    dose_gy: float
    dose_metrics: dict[str, Any]
    notes: str | None


DoseUnit = Literal["mg", "mg/m2", "mg/kg", "AUC"]


class DrugAdministrationCreate(In):
    intervention_id: Slug
    agent: Str
    administered_on: Date
    dose_amount: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
    dose_unit: DoseUnit
    cycle: Annotated[int, Field(ge=1, le=1000)] | None = None
    day_in_cycle: Annotated[int, Field(ge=1, le=366)] | None = None
    notes: LongStr | None = None


class DrugAdministrationUpdate(ChangeMeta):
    agent: Str | None = None
    administered_on: Date | None = None
    dose_amount: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    dose_unit: DoseUnit | None = None
    cycle: Annotated[int, Field(ge=1, le=1000)] | None = None
    day_in_cycle: Annotated[int, Field(ge=1, le=366)] | None = None
    notes: LongStr | None = None


class DrugAdministrationPublic(SubjectRecordPublic):
    intervention_id: str
    agent: str
    administered_on: dt.date
    dose_amount: float
    dose_unit: str
    cycle: int | None
    day_in_cycle: int | None
    notes: str | None


class LesionIn(In):
    lesion_label: ShortStr
    category: Literal["target", "non_target", "new"]
    organ: Str
    is_nodal: bool = False
    diameter_mm: Annotated[float, Field(ge=0, le=2000, allow_inf_nan=False)] | None = None
    status: Literal["present", "absent", "unequivocal_progression", "not_evaluable"] | None = None
    in_field: bool | None = Field(
        default=None, description="Inside an irradiated field (None: not recorded). Omitted on an "
        "update, the stored value is kept. Hidden from blinded roles (it reveals the RT arm).")


class LesionPublic(Out):
    lesion_label: str
    category: str
    organ: str
    is_nodal: bool
    diameter_mm: float | None
    status: str | None
    in_field: bool | None = None
    deleted_at: dt.datetime | None


Criteria = Literal["recist_1_1", "irecist"]
Modality = Literal["CT", "MRI", "PET-CT", "X-ray", "other"]


class LesionAssessmentCreate(In):
    assessed_on: Date
    timepoint: ShortStr
    modality: Modality
    criteria: Criteria = "recist_1_1"
    lesions: list[LesionIn] = Field(default_factory=list, max_length=100)


class LesionAssessmentUpdate(ChangeMeta):
    assessed_on: Date | None = None
    timepoint: ShortStr | None = None
    modality: Modality | None = None
    criteria: Criteria | None = None
    lesions: list[LesionIn] | None = Field(default=None, max_length=100)


class LesionAssessmentPublic(SubjectRecordPublic):
    assessed_on: dt.date
    timepoint: str
    modality: str
    criteria: str
    lesions: list[LesionPublic]


class LabCreate(In):
    collected_on: Date
    test: ShortStr
    value: Finite
    unit: ShortStr
    lower_limit: Finite | None = None
    upper_limit: Finite | None = None

    @model_validator(mode="after")
    def _limits_ordered(self) -> LabCreate:
        if self.lower_limit is not None and self.upper_limit is not None and self.lower_limit > self.upper_limit:
            raise ValueError(f"lower_limit {self.lower_limit} must not exceed upper_limit {self.upper_limit}")
        return self


class LabUpdate(ChangeMeta):
    collected_on: Date | None = None
    test: ShortStr | None = None
    value: Finite | None = None
    unit: ShortStr | None = None
    lower_limit: Finite | None = None
    upper_limit: Finite | None = None


class LabPublic(SubjectRecordPublic):
    collected_on: dt.date
    test: str
    value: float
    unit: str
    lower_limit: float | None
    upper_limit: float | None


Attribution = Literal["unrelated", "unlikely", "possible", "probable", "definite"]


class AdverseEventCreate(In):
    term: Str
    onset_date: Date
    resolved_date: Date | None = None
    grade: Annotated[int, Field(ge=1, le=5)]
    serious: bool = False
    attribution: Attribution | None = None
    outcome: ShortStr | None = None

    @model_validator(mode="after")
    def _dates_ordered(self) -> AdverseEventCreate:
        if self.resolved_date is not None and self.resolved_date < self.onset_date:
            raise ValueError(f"resolved_date {self.resolved_date} is before onset_date {self.onset_date}")
        return self


class AdverseEventUpdate(ChangeMeta):
    term: Str | None = None
    onset_date: Date | None = None
    resolved_date: Date | None = None
    grade: Annotated[int, Field(ge=1, le=5)] | None = None
    serious: bool | None = None
    attribution: Attribution | None = None
    outcome: ShortStr | None = None


class AdverseEventPublic(SubjectRecordPublic):
    term: str
    onset_date: dt.date
    resolved_date: dt.date | None
    grade: int
    serious: bool
    attribution: str | None
    outcome: str | None


class OffStudyCreate(In):
    off_date: Date
    reason_text: LongStr


class OffStudyUpdate(ChangeMeta):
    off_date: Date | None = None
    reason_text: LongStr | None = None


class OffStudyPublic(SubjectRecordPublic):
    off_date: dt.date
    reason_text: str


class DeathCreate(In):
    death_date: Date
    cause: LongStr


class DeathUpdate(ChangeMeta):
    death_date: Date | None = None
    cause: LongStr | None = None


class DeathPublic(SubjectRecordPublic):
    death_date: dt.date
    cause: str


# --- audit -------------------------------------------------------------------------------------


class AuditEntryPublic(BaseModel):
    seq: int
    at: dt.datetime
    user_id: int | None
    username: str
    action: str
    table_name: str
    record_id: int
    trial_id: int | None
    site_id: int | None
    subject_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    entries_checked: int
    rows_checked: int
    problems: list[str]


class ErrorDetail(BaseModel):
    field: str | None
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx and 5xx response."""

    error: ErrorBody
