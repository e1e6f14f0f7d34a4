"""Data capture for one subject: one generic set of routes per record type.

Each record type gets list / create / read / update / soft-delete under
``/trials/{trial_id}/subjects/{subject_id}/<path>``. Updates and deletes carry the version the
client read (optimistic locking → 409) and a reason (audited). Derived outcomes are recomputed on
every write through ``store.derive`` and are read-only.
"""

# No ``from __future__ import annotations`` here: the route signatures are built in a loop and
# FastAPI must see the real body classes.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel
from sqlalchemy import select

from abscopal.api.deps import SessionDep, StateDep, require, subject_of, trial_of
from abscopal.api.routes._common import Limit, Offset, PathId, make_router, paginate
from abscopal.api.schemas import (
    AdverseEventCreate,
    AdverseEventPublic,
    AdverseEventUpdate,
    CalendarEntryCreate,
    CalendarEntryPublic,
    CalendarEntryUpdate,
    DeathCreate,
    DeathPublic,
    DeathUpdate,
    DrugAdministrationCreate,
    DrugAdministrationPublic,
    DrugAdministrationUpdate,
    LabCreate,
    LabPublic,
    LabUpdate,
    LesionAssessmentCreate,
    LesionAssessmentPublic,
    LesionAssessmentUpdate,
    OffStudyCreate,
    OffStudyPublic,
    OffStudyUpdate,
    Page,
    Reason,
    RtDeliveryCreate,
    RtDeliveryPublic,
    RtDeliveryUpdate,
    ScreeningResultCreate,
    ScreeningResultPublic,
    ScreeningResultUpdate,
    Version,
)
from abscopal.errors import InputError, NotFoundError
from abscopal.protocol import DrugIntervention, Protocol, RadiationIntervention
from abscopal.store import models, repo
from abscopal.store.models import ProtocolVersion, Subject, SubjectRecordMixin
from abscopal.store.repo import Principal


def _intervention_check(kind: type) -> Callable[[Protocol, dict[str, Any]], None]:
    def check(protocol: Protocol, values: dict[str, Any]) -> None:
        ref = values.get("intervention_id")
        if ref is None:
            return
        known = sorted(i.id for i in protocol.interventions if isinstance(i, kind))
        if ref not in known:
            raise InputError(f"'intervention_id' must name a {kind.__name__.replace('Intervention', '').lower()} "
                             f"intervention of the protocol {known} (got {ref!r})")
    return check


@dataclass(frozen=True)
class RecordKind:
    """One capturable record type and its schema family."""

    resource: str
    path: str
    model: type[SubjectRecordMixin]
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    check: Callable[[Protocol, dict[str, Any]], None] | None = None


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("screening_result", "screening-results", models.ScreeningResult,
               ScreeningResultCreate, ScreeningResultUpdate, ScreeningResultPublic),
    RecordKind("calendar_entry", "calendar-entries", models.CalendarEntry,
               CalendarEntryCreate, CalendarEntryUpdate, CalendarEntryPublic),
    RecordKind("rt_delivery", "rt-deliveries", models.RtDelivery,
               RtDeliveryCreate, RtDeliveryUpdate, RtDeliveryPublic, _intervention_check(RadiationIntervention)),
    RecordKind("drug_administration", "drug-administrations", models.DrugAdministration,
               DrugAdministrationCreate, DrugAdministrationUpdate, DrugAdministrationPublic,
               _intervention_check(DrugIntervention)),
    RecordKind("lesion_assessment", "lesion-assessments", models.LesionAssessment,
               LesionAssessmentCreate, LesionAssessmentUpdate, LesionAssessmentPublic),
    RecordKind("lab", "labs", models.Lab, LabCreate, LabUpdate, LabPublic),
    RecordKind("adverse_event", "adverse-events", models.AdverseEvent,
               AdverseEventCreate, AdverseEventUpdate, AdverseEventPublic),
    RecordKind("off_study", "off-study", models.OffStudy, OffStudyCreate, OffStudyUpdate, OffStudyPublic),
    RecordKind("death", "deaths", models.Death, DeathCreate, DeathUpdate, DeathPublic),
)


def _record(session: SessionDep, kind: RecordKind, subject: Subject, record_id: int,
            *, include_deleted: bool = False) -> SubjectRecordMixin:
    row = session.get(kind.model, record_id)
    if row is None or row.subject_id != subject.id or (row.deleted_at is not None and not include_deleted):
        raise NotFoundError(f"{kind.resource.replace('_', ' ')} {record_id} not found for this subject")
    return row


def _protocol(session: SessionDep, version_id: int) -> Protocol:
    version = session.get(ProtocolVersion, version_id)
    assert version is not None
    return repo.protocol_of(version)


def _add_routes(router: APIRouter, kind: RecordKind) -> None:
    Create, Update, Public = kind.create, kind.update, kind.public  # noqa: N806
    noun = kind.resource.replace("_", " ")

    def list_records(trial_id: PathId, subject_id: PathId, request: Request, session: SessionDep,
                     _p: Annotated[Principal, require(kind.resource, "read")],
                     limit: Limit = 50, offset: Offset = 0,
                     include_deleted: Annotated[bool, Query()] = False) -> Any:
        subject = subject_of(request)
        stmt = select(kind.model).where(kind.model.subject_id == subject.id)
        if not include_deleted:
            stmt = stmt.where(kind.model.deleted_at.is_(None))
        rows, count = paginate(session, stmt.order_by(kind.model.id), limit=limit, offset=offset)
        return Page[Public](data=[Public.model_validate(r) for r in rows], count=count)  # type: ignore[valid-type]

    def create_record(trial_id: PathId, subject_id: PathId, body: Create, request: Request,  # type: ignore[valid-type]
                      session: SessionDep, state: StateDep,
                      p: Annotated[Principal, require(kind.resource, "create")]) -> Any:
        subject = subject_of(request)
        trial = trial_of(request)
        values = body.model_dump()  # type: ignore[attr-defined]
        _refuse_blinded_in_field(request, values)
        assert trial.current_version_id is not None
        if kind.check is not None:
            kind.check(_protocol(session, trial.current_version_id), values)
        row = repo.create_record(session, kind.model, actor=p.actor, derivations=state.derivations, values={
            **values, "subject_id": subject.id, "protocol_version_id": trial.current_version_id})
        session.commit()
        return Public.model_validate(row)

    def get_record(trial_id: PathId, subject_id: PathId, record_id: PathId, request: Request,
                   session: SessionDep, _p: Annotated[Principal, require(kind.resource, "read")]) -> Any:
        return Public.model_validate(_record(session, kind, subject_of(request), record_id, include_deleted=True))

    def update_record(trial_id: PathId, subject_id: PathId, record_id: PathId, body: Update,  # type: ignore[valid-type]
                      request: Request, session: SessionDep, state: StateDep,
                      p: Annotated[Principal, require(kind.resource, "update")]) -> Any:
        row = _record(session, kind, subject_of(request), record_id)
        changes = body.model_dump(exclude_unset=True, exclude={"version", "reason"})  # type: ignore[attr-defined]
        _refuse_blinded_in_field(request, changes)
        if kind.check is not None:
            kind.check(_protocol(session, row.protocol_version_id), changes)
        repo.update_record(session, actor=p.actor, row=row, changes=changes, derivations=state.derivations,
                           expected_version=body.version, reason=body.reason)  # type: ignore[attr-defined]
        session.commit()
        return Public.model_validate(row)

    def delete_record(trial_id: PathId, subject_id: PathId, record_id: PathId, request: Request,
                      session: SessionDep, version: Annotated[Version, Query()],
                      reason: Annotated[Reason, Query()],
                      p: Annotated[Principal, require(kind.resource, "delete")]) -> Any:
        row = _record(session, kind, subject_of(request), record_id)
        repo.soft_delete(session, actor=p.actor, row=row, expected_version=version, reason=reason)
        session.commit()
        return Public.model_validate(row)

    base = f"/{kind.path}"
    ident = kind.resource
    router.add_api_route(base, list_records, methods=["GET"], response_model=Page[Public],  # type: ignore[valid-type]
                         name=f"list_{ident}", summary=f"List {noun} records of a subject")
    router.add_api_route(base, create_record, methods=["POST"], response_model=Public,
                         status_code=status.HTTP_201_CREATED, name=f"create_{ident}",
                         summary=f"Record a {noun}")
    router.add_api_route(f"{base}/{{record_id}}", get_record, methods=["GET"], response_model=Public,
                         name=f"get_{ident}", summary=f"Read one {noun}")
    router.add_api_route(f"{base}/{{record_id}}", update_record, methods=["PATCH"], response_model=Public,
                         name=f"update_{ident}", summary=f"Correct a {noun} (version + reason)")
    router.add_api_route(f"{base}/{{record_id}}", delete_record, methods=["DELETE"], response_model=Public,
                         name=f"delete_{ident}", summary=f"Soft-delete a {noun} (version + reason)")


router = make_router("/trials/{trial_id}/subjects/{subject_id}", "records")
for _kind in RECORD_KINDS:
    _add_routes(router, _kind)

def _table(kind: RecordKind) -> str:
    return str(kind.model.__table__.name)  # type: ignore[attr-defined]


def _refuse_blinded_in_field(request: Request, values: dict[str, Any]) -> None:
    """A blinded caller may not set a lesion's ``in_field`` (it cannot know it without the arm);
    leaving it out keeps the stored value."""
    if not getattr(request.state, "blinded", False):
        return
    for i, les in enumerate(values.get("lesions") or []):
        if les.get("in_field") is not None:
            raise InputError(f"'lesions[{i}].in_field' cannot be set by a blinded role (leave it out)")


TABLE_RESOURCE: dict[str, str] = {_table(k): k.resource for k in RECORD_KINDS} | {
    "subjects": "subject",
    "enrolments": "enrolment",
    "allocations": "allocation",
    "stage_gates": "allocation",
    "unblindings": "unblinding",
    "trials": "trial",
    "protocol_versions": "protocol_version",
    "sites": "site",
    "users": "user",
}
"""Audited table → permission resource (used to filter the audit view and exports)."""

__all__ = ["RECORD_KINDS", "TABLE_RESOURCE", "RecordKind", "router"]
