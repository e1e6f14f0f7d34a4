"""Read-side queries the pages need, in bulk (one query per record type, never per subject).

Visibility is never decided here: callers pass the principal, and subjects are filtered with
``Principal.sees_site`` (the store's site rule); which record types are loaded at all is decided
by the views with the permission matrix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from abscopal.protocol import Protocol
from abscopal.store import repo
from abscopal.store.models import (
    LesionAssessment,
    LesionMeasurement,
    ProtocolVersion,
    Site,
    Subject,
    SubjectRecordMixin,
    Trial,
)
from abscopal.store.repo import Principal

R = TypeVar("R", bound=SubjectRecordMixin)


def list_trials(session: Session) -> list[Trial]:
    """Live trials, oldest first."""
    return list(session.execute(select(Trial).where(Trial.deleted_at.is_(None)).order_by(Trial.id)).scalars())


def protocol_of_trial(session: Session, trial: Trial) -> Protocol:
    """The trial's current protocol version, parsed (cached by the store)."""
    assert trial.current_version_id is not None
    version = session.get(ProtocolVersion, trial.current_version_id)
    assert version is not None
    return repo.protocol_of(version)


def visible_subjects(session: Session, trial_id: int, principal: Principal) -> list[Subject]:
    """The trial's live subjects at sites the caller may see."""
    rows = session.execute(select(Subject).where(Subject.trial_id == trial_id,
                                                 Subject.deleted_at.is_(None))
                           .order_by(Subject.id)).scalars()
    return [s for s in rows if principal.sees_site(s.site_id)]


def sites_by_id(session: Session) -> dict[int, Site]:
    return {s.id: s for s in session.execute(select(Site)).scalars()}


def visible_sites(session: Session, principal: Principal) -> list[Site]:
    return [s for s in session.execute(select(Site).where(Site.deleted_at.is_(None)).order_by(Site.id)).scalars()
            if principal.sees_site(s.id)]


def records_by_subject(session: Session, model: type[R], subject_ids: Sequence[int]) -> dict[int, list[R]]:
    """Live records of ``model`` for the subjects, grouped by subject, oldest first."""
    out: dict[int, list[R]] = defaultdict(list)
    if not subject_ids:
        return out
    ids = list(subject_ids)
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[start:start + 900]
        rows = session.execute(select(model).where(model.subject_id.in_(chunk),
                                                   model.deleted_at.is_(None))
                               .order_by(model.id)).scalars()
        for row in rows:
            out[row.subject_id].append(row)
    return out


def column_rows(session: Session, model: type[SubjectRecordMixin], subject_ids: Sequence[int],
                columns: Sequence[str]) -> dict[int, list[Any]]:
    """Like :func:`records_by_subject` but only the named columns (rows with attribute access):
    much cheaper than ORM objects for whole-trial pages."""
    out: dict[int, list[Any]] = defaultdict(list)
    ids = list(subject_ids)
    cols = [model.subject_id, *(getattr(model, c) for c in columns)]
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        rows = session.execute(select(*cols).where(model.subject_id.in_(chunk), model.deleted_at.is_(None))
                               .order_by(model.id))
        for row in rows:
            out[row.subject_id].append(row)
    return out


def assessments_by_subject(session: Session, subject_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Every subject's live lesion assessments as :func:`assessment_dict` dicts, in two queries."""
    heads: dict[int, dict[str, Any]] = {}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    ids = list(subject_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        rows = session.execute(select(
            LesionAssessment.id, LesionAssessment.version, LesionAssessment.subject_id,
            LesionAssessment.assessed_on, LesionAssessment.timepoint, LesionAssessment.modality,
            LesionAssessment.criteria).where(LesionAssessment.subject_id.in_(chunk),
                                             LesionAssessment.deleted_at.is_(None))
            .order_by(LesionAssessment.id))
        for r in rows:
            head = {"id": r.id, "version": r.version, "assessed_on": r.assessed_on, "timepoint": r.timepoint,
                    "modality": r.modality, "criteria": r.criteria, "lesions": []}
            heads[r.id] = head
            out[r.subject_id].append(head)
    head_ids = list(heads)
    for start in range(0, len(head_ids), 900):
        chunk = head_ids[start:start + 900]
        lesions = session.execute(select(
            LesionMeasurement.assessment_id, LesionMeasurement.lesion_label, LesionMeasurement.category,
            LesionMeasurement.organ, LesionMeasurement.is_nodal, LesionMeasurement.diameter_mm,
            LesionMeasurement.status, LesionMeasurement.in_field).where(
                LesionMeasurement.assessment_id.in_(chunk),
                                            LesionMeasurement.deleted_at.is_(None))
            .order_by(LesionMeasurement.lesion_label))
        for m in lesions:
            heads[m.assessment_id]["lesions"].append({
                "lesion_label": m.lesion_label, "category": m.category, "organ": m.organ,
                "is_nodal": m.is_nodal, "diameter_mm": m.diameter_mm, "status": m.status,
                "in_field": m.in_field})
    return out


def assessment_dict(a: LesionAssessment) -> dict[str, Any]:
    """A lesion assessment as the translation layer reads it (live lesion rows only)."""
    return {"id": a.id, "version": a.version, "assessed_on": a.assessed_on, "timepoint": a.timepoint,
            "modality": a.modality, "criteria": a.criteria,
            "lesions": [{"lesion_label": m.lesion_label, "category": m.category, "organ": m.organ,
                         "is_nodal": m.is_nodal, "diameter_mm": m.diameter_mm, "status": m.status,
                         "in_field": m.in_field}
                        for m in a.lesions if m.deleted_at is None]}


__all__ = [
    "assessment_dict",
    "assessments_by_subject",
    "column_rows",
    "list_trials",
    "protocol_of_trial",
    "records_by_subject",
    "sites_by_id",
    "visible_sites",
    "visible_subjects",
]
