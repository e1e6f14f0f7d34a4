"""Subjects: the subject page (timeline, calendar, lesions and responses, spider plot), the
blinded reviewer's worklist, and registering a subject.

Sections appear only for record types the caller may read (matrix with blinding); a blinded
caller never gets RT, drug, AE, calendar or allocation data, nor the in-field status of lesions
(it derives from RT records).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from abscopal.api.deps import SessionDep, subject_of, trial_of
from abscopal.api.schemas import SubjectCreate
from abscopal.calendar import classify_visits, schedule_visits
from abscopal.errors import AbscopalError
from abscopal.protocol import Protocol
from abscopal.report import figures
from abscopal.store import repo
from abscopal.store.models import (
    AdverseEvent,
    Allocation,
    Death,
    DrugAdministration,
    Enrolment,
    Lab,
    LesionAssessment,
    OffStudy,
    RtDelivery,
    ScreeningResult,
    Site,
    Subject,
    Trial,
)
from abscopal.store.repo import Principal
from abscopal.web import data, derive, forms, plugins
from abscopal.web.access import allowed, web_require
from abscopal.web.render import render
from abscopal.web.views._common import FormDep, redirect

router = APIRouter(include_in_schema=False)

SubjectReader = Annotated[Principal, web_require("subject", "read")]


def _rows(session: Session, model: Any, subject_id: int) -> list[Any]:
    return data.records_by_subject(session, model, [subject_id]).get(subject_id, [])


def subject_records(session: Session, request: Request, p: Principal, subject: Subject) -> dict[str, Any]:
    """The subject's live records of every type the caller may read (others are absent)."""
    kinds = {"enrolment": Enrolment, "allocation": Allocation, "lesion_assessment": LesionAssessment,
             "lab": Lab, "adverse_event": AdverseEvent, "rt_delivery": RtDelivery,
             "drug_administration": DrugAdministration, "off_study": OffStudy, "death": Death,
             "screening_result": ScreeningResult}
    return {name: _rows(session, model, subject.id) for name, model in kinds.items()
            if allowed(request, p, name)}


def _anchor_dates(records: dict[str, Any]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    if records.get("enrolment"):
        out["enrolment"] = out["randomisation"] = records["enrolment"][0].enrolled_on
    rts = sorted(r.delivered_on for r in records.get("rt_delivery", []))
    if rts:
        out["rt_first_fraction"] = out["implant"] = rts[0]
        out["rt_last_fraction"] = rts[-1]
    starts = sorted([*rts, *(d.administered_on for d in records.get("drug_administration", []))])
    if starts:
        out["treatment_start"] = starts[0]
    return out


def visit_calendar(protocol: Protocol, records: dict[str, Any], *, arm_id: str | None,
                   as_of: dt.date) -> list[dict[str, Any]]:
    """Due/overdue visits from the protocol's assessments (``abscopal.calendar``).

    Policy: a visit is done on the first unused record date of its kind (imaging: lesion
    assessments; labs: labs) inside its window; the anchor dates come from the records. Kinds
    no record type tracks (AE review, QoL, biospecimens) are never called overdue: "past (not
    tracked)".
    """
    anchors = _anchor_dates(records)
    actual_by_kind = {
        "imaging": sorted({a.assessed_on for a in records.get("lesion_assessment", [])}),
        "labs": sorted({lab.collected_on for lab in records.get("lab", [])}),
    }
    out: list[dict[str, Any]] = []
    for assessment in protocol.assessments:
        if assessment.arms and arm_id not in assessment.arms:
            continue
        anchor = anchors.get(assessment.anchor.event.value)
        if anchor is None:
            continue
        visits = schedule_visits(assessment, anchor_date=anchor, horizon_date=as_of + dt.timedelta(days=90))
        used: set[dt.date] = set()
        actual: dict[tuple[str, int], dt.date] = {}
        for v in visits:
            for day in actual_by_kind.get(assessment.kind.value, []):
                if day not in used and v.window_start <= day <= v.window_end and day <= as_of:
                    actual[(v.assessment_id, v.number)] = day
                    used.add(day)
                    break
        tracked = assessment.kind.value in actual_by_kind
        for status in classify_visits(visits, actual_dates=actual, as_of=as_of):
            if status.state == "upcoming" and (status.visit.nominal_date - as_of).days > 60:
                continue
            state, flag = status.state.replace("_", " "), status.is_flagged
            if not tracked and status.state == "overdue":
                # No record type says this visit happened (e.g. AE review, QoL): not tracked.
                state, flag = "past (not tracked)", False
            out.append({"assessment": assessment.description, "number": status.visit.number,
                        "nominal": status.visit.nominal_date.isoformat(),
                        "window": f"{status.visit.window_start.isoformat()} – {status.visit.window_end.isoformat()}",
                        "state": state, "flag": flag,
                        "actual": None if status.actual_date is None else status.actual_date.isoformat()})
    out.sort(key=lambda r: r["nominal"])
    return out


def response_view(protocol: Protocol, subject: Subject, records: dict[str, Any], *,
                  field_visible: bool) -> dict[str, Any]:
    """Lesion table, derived responses and spider rows of one subject."""
    rows = [data.assessment_dict(a) for a in records.get("lesion_assessment", [])]
    lesions = [les for a in rows for les in a["lesions"]]
    in_field = derive.in_field_labels((r.target for r in records.get("rt_delivery", [])), lesions) \
        if field_visible else frozenset()
    criteria = derive.response_criteria(protocol, rows)
    start = _anchor_dates(records).get("treatment_start")
    result = derive.derive_subject_response(subject.screening_id, rows, criteria=criteria,
                                            require_confirmation=derive.requires_confirmation(protocol),
                                            in_field=in_field, treatment_start=start)
    return {"table": derive.lesion_table(rows, in_field=in_field if field_visible else None),
            "result": result, "criteria": criteria,
            "spider": derive.spider_rows(rows, in_field=in_field)}


@router.get("/trials/{trial_id}/subjects/{subject_id}")
def subject_page(trial_id: int, subject_id: int, request: Request, session: SessionDep,
                 p: SubjectReader) -> Response:
    trial, subject = trial_of(request), subject_of(request)
    protocol = data.protocol_of_trial(session, trial)
    records = subject_records(session, request, p, subject)
    site = session.get(Site, subject.site_id)
    ctx: dict[str, Any] = {
        "trial": {"id": trial.id, "registry_id": trial.registry_id, "title": trial.title},
        "subject": {"id": subject.id, "screening_id": subject.screening_id, "status": subject.status,
                    "site": site.name if site else "", "consent_date": subject.consent_date,
                    "version": subject.version},
        "can": {name: allowed(request, p, name, "create") for name in
                ("lesion_assessment", "lab", "adverse_event", "rt_delivery", "drug_administration",
                 "enrolment")},
        "can_audit": allowed(request, p, "audit"),
    }
    if records.get("enrolment"):
        ctx["enrolled_on"] = records["enrolment"][0].enrolled_on.isoformat()
    arm_id = None
    if records.get("allocation"):
        alloc = records["allocation"][0]
        arm_id = alloc.arm_id
        try:
            label = protocol.arm(alloc.arm_id).label
        except KeyError:
            label = alloc.arm_id
        ctx["allocation"] = {"arm_id": alloc.arm_id, "arm_label": label, "method": alloc.method}
    if allowed(request, p, "lesion_assessment"):
        field_visible = allowed(request, p, "rt_delivery")
        ctx["response"] = response_view(protocol, subject, records, field_visible=field_visible)
        ctx["field_visible"] = field_visible
    if allowed(request, p, "calendar_entry"):
        ctx["calendar"] = visit_calendar(protocol, records, arm_id=arm_id, as_of=dt.date.today())
    ctx["labs"] = [{"id": r.id, "date": r.collected_on.isoformat(), "test": r.test, "value": r.value,
                    "unit": r.unit, "lln": r.lower_limit, "uln": r.upper_limit,
                    "grade": plugins.grade_lab(r.test, r.value, r.unit, lln=r.lower_limit,
                                               uln=r.upper_limit)}
                   for r in records.get("lab", [])] if "lab" in records else None
    ctx["aes"] = [{"id": r.id, "term": r.term, "grade": r.grade, "onset": r.onset_date.isoformat(),
                   "resolved": r.resolved_date, "serious": r.serious, "attribution": r.attribution}
                  for r in records.get("adverse_event", [])] if "adverse_event" in records else None
    ctx["rts"] = [{"id": r.id, "date": r.delivered_on.isoformat(), "target": r.target,
                   "fraction": r.fraction_number, "dose_gy": r.dose_gy, "metrics": r.dose_metrics,
                   "cumulative": ((r.derived or {}).get("cumulative_dose") or {}).get("value", {})
                   .get("cumulative_dose_gy")}
                  for r in records.get("rt_delivery", [])] if "rt_delivery" in records else None
    ctx["drugs"] = [{"id": r.id, "date": r.administered_on.isoformat(), "agent": r.agent,
                     "dose": f"{r.dose_amount:g} {r.dose_unit}", "cycle": r.cycle}
                    for r in records.get("drug_administration", [])] \
        if "drug_administration" in records else None
    ctx["timeline"] = "rt_delivery" in records or "drug_administration" in records
    return render(request, "subject.html", ctx)


@functools.lru_cache(maxsize=256)
def _spider_svg(payload: str, note: str) -> str:
    frame = pd.DataFrame(json.loads(payload), columns=["key", "days", "pct_change", "in_field"])
    fig = figures.spider(frame, title=f"Target lesions: change from baseline{note}")
    legend = fig.axes[0].get_legend()
    if note and legend is not None:
        legend.remove()  # field status hidden: an in/out-of-field key would mislead
    return figures.to_svg(fig)


@router.get("/trials/{trial_id}/subjects/{subject_id}/spider.svg")
def spider_plot(trial_id: int, subject_id: int, request: Request, session: SessionDep,
                p: Annotated[Principal, web_require("lesion_assessment", "read")]) -> Response:
    trial, subject = trial_of(request), subject_of(request)
    records = subject_records(session, request, p, subject)
    field_visible = allowed(request, p, "rt_delivery")
    view = response_view(data.protocol_of_trial(session, trial), subject, records,
                         field_visible=field_visible)
    note = "" if field_visible else " (field status hidden)"
    svg = _spider_svg(json.dumps(view["spider"], sort_keys=True), note)
    return Response(svg, media_type="image/svg+xml")


@router.get("/trials/{trial_id}/subjects/{subject_id}/timeline.svg")
def timeline_plot(trial_id: int, subject_id: int, request: Request, session: SessionDep,
                  p: SubjectReader) -> Response:
    subject = subject_of(request)
    records = subject_records(session, request, p, subject)
    if "rt_delivery" not in records and "drug_administration" not in records:
        from abscopal.errors import PermissionDeniedError
        raise PermissionDeniedError("the timeline shows treatment records your role may not read")
    anchors = _anchor_dates(records)
    start = anchors.get("enrolment") or anchors.get("treatment_start") or dt.date.today()

    def day(d: dt.date) -> float:
        return float((d - start).days)

    progression: set[str] = set()
    if "lesion_assessment" in records:
        view = response_view(data.protocol_of_trial(session, trial_of(request)), subject, records,
                             field_visible=allowed(request, p, "rt_delivery"))
        progression = {t["date"] for t in (view["result"] or {}).get("timepoints", [])
                       if t["overall"] in ("PD", "iUPD", "iCPD")}
    lanes_src = [
        ("RT fractions", [(day(r.delivered_on), "rt") for r in records.get("rt_delivery", [])]),
        ("Drug cycles", [(day(r.administered_on), "drug") for r in records.get("drug_administration", [])]),
        ("Assessments", [(day(a.assessed_on), "pd" if a.assessed_on.isoformat() in progression else "resp")
                         for a in records.get("lesion_assessment", [])]),
        ("Adverse events", [(day(r.onset_date), "ae") for r in records.get("adverse_event", [])]),
    ]
    if records.get("death"):
        lanes_src.append(("Death", [(day(records["death"][0].death_date), "death")]))
    end = max([0.0, *[d for _, ev in lanes_src for d, _k in ev]]) + 7
    lanes = [figures.SwimLane(label, end, not records.get("off_study"), tuple(ev)) for label, ev in lanes_src]
    svg = figures.to_svg(figures.swimmer(lanes, title=f"{subject.screening_id}: timeline from enrolment"))
    return Response(svg, media_type="image/svg+xml")


@router.get("/trials/{trial_id}/worklist")
def worklist(trial_id: int, request: Request, session: SessionDep,
             p: Annotated[Principal, web_require("lesion_assessment", "read")]) -> Response:
    """Scans and lesion assessments to review (no arm, allocation or treatment data)."""
    trial = trial_of(request)
    subjects = data.visible_subjects(session, trial.id, p)
    assessments = data.records_by_subject(session, LesionAssessment, [s.id for s in subjects])
    rows = []
    for s in subjects:
        done = assessments.get(s.id, [])
        rows.append({"id": s.id, "screening_id": s.screening_id,
                     "assessments": [{"id": a.id, "date": a.assessed_on.isoformat(), "timepoint": a.timepoint,
                                      "modality": a.modality, "lesions": sum(m.deleted_at is None for m in a.lesions)}
                                     for a in done]})
    return render(request, "worklist.html", {
        "trial": {"id": trial.id, "registry_id": trial.registry_id, "title": trial.title},
        "subjects": rows, "can_enter": allowed(request, p, "lesion_assessment", "create")})


@router.api_route("/trials/{trial_id}/register", methods=["GET", "POST"])
def new_subject(trial_id: int, request: Request, session: SessionDep, form: FormDep,
                p: Annotated[Principal, web_require("subject", "create")]) -> Response:
    trial: Trial = trial_of(request)
    sites = data.visible_sites(session, p)
    fields = forms.form_fields(SubjectCreate, labels={"site_id": "Site", "screening_id": "Screening id"})
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = forms.collect(fields, form)
        if not errors:
            clean, errors = forms.validate(SubjectCreate, values)
            if clean is not None and not p.sees_site(clean["site_id"]):
                errors = {"site_id": "you may only register subjects at your own sites"}
            if clean is not None and not errors:
                try:
                    subject = repo.create_record(session, Subject, actor=p.actor, values={
                        **clean, "trial_id": trial.id, "protocol_version_id": trial.current_version_id})
                    session.commit()
                    return redirect(f"/trials/{trial.id}/subjects/{subject.id}")
                except AbscopalError as exc:
                    session.rollback()
                    errors = {"__all__": str(exc)}
                except Exception as exc:  # IntegrityError: duplicate screening id
                    session.rollback()
                    if "UNIQUE" in str(exc).upper() or "unique" in str(exc):
                        errors = {"screening_id": "this screening id is already used in this trial"}
                    else:
                        raise
    return render(request, "subject_new.html", {
        "trial": {"id": trial.id, "registry_id": trial.registry_id},
        "sites": [{"id": s.id, "name": s.name} for s in sites], "values": form, "errors": errors},
        status_code=422 if errors else 200)


__all__ = ["router", "subject_records", "visit_calendar"]
