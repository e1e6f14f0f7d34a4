"""SDTM export of a trial as the caller may see it: stored records → ``TrialData`` →
``abscopal.exchange.sdtm.build_sdtm`` → a zip of XPT v5 and CSV files.

Rules
-----
1. Only record types the caller may read (matrix with blinding) go into the bundle, and only
   subjects of the caller's sites; a blinded caller's export is built with ``blinded=True``
   (arm "BLINDED", no trial-arms domain), holds no allocation, RT, drug or AE rows at all, and
   leaves out the trial-elements domain (TE), which names arm-specific interventions.
2. Timepoint responses are the response engine's (same translation as the subject page); lab
   CTCAE grades are the toxicity engine's.
3. Facts the store does not capture (sex, birth date, ...) are left empty, never guessed.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from abscopal.api.deps import SessionDep, trial_of
from abscopal.errors import PermissionDeniedError
from abscopal.exchange.sdtm import build_sdtm, write_sdtm
from abscopal.protocol import Protocol
from abscopal.store.models import (
    AdverseEvent,
    Allocation,
    Death,
    DrugAdministration,
    Enrolment,
    Lab,
    OffStudy,
    RtDelivery,
    Trial,
)
from abscopal.store.repo import Principal
from abscopal.trialdata import COLUMNS, TrialData
from abscopal.web import data, derive, plugins
from abscopal.web.access import allowed, is_caller_blinded, web_require

router = APIRouter(include_in_schema=False)

_STATUS = {"present": "present", "absent": "absent", "unequivocal_progression": "unequivocal_progression",
           "not_evaluable": "ne"}


def _table(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS[name]))


def build_trial_data(session: Session, request: Request, p: Principal, trial: Trial,
                     protocol: Protocol) -> TrialData:
    """The caller's view of the trial as a ``TrialData`` bundle (see module Rules)."""
    subjects = data.visible_subjects(session, trial.id, p)
    ids = [s.id for s in subjects]
    code = {s.id: s.screening_id for s in subjects}
    sites = data.sites_by_id(session)

    def rows(model: Any, resource: str) -> dict[int, list[Any]]:
        return data.records_by_subject(session, model, ids) if allowed(request, p, resource) else {}

    enrol, alloc = rows(Enrolment, "enrolment"), rows(Allocation, "allocation")
    deaths, offs = rows(Death, "death"), rows(OffStudy, "off_study")
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for s in subjects:
        e = enrol.get(s.id, [None])[0]
        a = alloc.get(s.id, [None])[0]
        d = deaths.get(s.id, [None])[0]
        o = offs.get(s.id, [None])[0]
        out["subjects"].append({
            "subject_id": s.screening_id, "site_id": sites[s.site_id].code, "consent_date": s.consent_date,
            "screening_outcome": "enrolled" if e else s.status, "enrolment_date": e.enrolled_on if e else None,
            "arm_id": a.arm_id if a else None, "stage_id": a.stage_id if a else None,
            "off_study_date": o.off_date if o else None, "off_study_reason": o.reason_text if o else None,
            "death_date": d.death_date if d else None, "death_cause": d.cause if d else None})
    for sid, recs in rows(RtDelivery, "rt_delivery").items():
        for r in recs:
            out["rt_fractions"].append({"subject_id": code[sid], "intervention_id": r.intervention_id,
                                        "fraction_date": r.delivered_on, "fraction_number": r.fraction_number,
                                        "dose_gy": r.dose_gy})
            out["dose_metrics"] += [{"subject_id": code[sid], "intervention_id": r.intervention_id,
                                     "metric": k, "value": v, "unit": None} for k, v in r.dose_metrics.items()]
    for sid, recs in rows(DrugAdministration, "drug_administration").items():
        out["drug_admins"] += [{"subject_id": code[sid], "intervention_id": r.intervention_id, "agent": r.agent,
                                "admin_date": r.administered_on, "cycle": r.cycle, "dose_amount": r.dose_amount,
                                "dose_unit": r.dose_unit} for r in recs]
    if allowed(request, p, "lesion_assessment"):
        _lesions(out, session, request, p, protocol, subjects)
    for sid, recs in rows(Lab, "lab").items():
        for r in recs:
            g = plugins.grade_lab(r.test, r.value, r.unit, lln=r.lower_limit, uln=r.upper_limit)
            out["labs"].append({"subject_id": code[sid], "lab_date": r.collected_on, "test": r.test,
                                "value": r.value, "unit": r.unit, "lln": r.lower_limit, "uln": r.upper_limit,
                                "ctcae_term": r.test if g["grade"] is not None else None,
                                "ctcae_grade": g["grade"]})
    for sid, recs in rows(AdverseEvent, "adverse_event").items():
        out["adverse_events"] += [{"subject_id": code[sid], "term": r.term, "grade": r.grade,
                                   "onset_date": r.onset_date, "resolution_date": r.resolved_date,
                                   "serious": r.serious, "immune_related": False,
                                   "attribution": r.attribution} for r in recs]
    return TrialData(trial.registry_id, protocol.protocol_version,
                     **{name: _table(name, table) for name, table in out.items()})


def _lesions(out: dict[str, list[dict[str, Any]]], session: Session, request: Request, p: Principal,
             protocol: Protocol, subjects: list[Any]) -> None:
    field_visible = allowed(request, p, "rt_delivery")
    assessments = data.assessments_by_subject(session, [s.id for s in subjects])
    rts = data.column_rows(session, RtDelivery, [s.id for s in subjects], ("target",)) if field_visible else {}
    confirm = derive.requires_confirmation(protocol)
    for s in subjects:
        rows = assessments.get(s.id, [])
        if not rows:
            continue
        lesions = [les for a in rows for les in a["lesions"]]
        in_field = derive.in_field_labels((r.target for r in rts.get(s.id, [])), lesions)
        seen: set[str] = set()
        for a in sorted(rows, key=lambda a: a["assessed_on"]):
            for les in a["lesions"]:
                if les["lesion_label"] not in seen:
                    seen.add(les["lesion_label"])
                    out["lesions"].append({"subject_id": s.screening_id, "lesion_id": les["lesion_label"],
                                           "organ": les["organ"], "is_nodal": les["is_nodal"],
                                           "role": les["category"],
                                           "in_field": (les["lesion_label"] in in_field) if field_visible else None})
                out["lesion_measurements"].append({
                    "subject_id": s.screening_id, "assessment_date": a["assessed_on"],
                    "lesion_id": les["lesion_label"], "diameter_mm": les["diameter_mm"],
                    "status": _STATUS.get(les["status"] or "", None)})
        crit = derive.response_criteria(protocol, rows)
        result = derive.derive_subject_response(s.screening_id, rows, criteria=crit, require_confirmation=confirm,
                                                in_field=in_field)
        for t in (result or {}).get("timepoints", []):
            if t["overall"] is not None:
                out["responses"].append({"subject_id": s.screening_id, "assessment_date": t["date"],
                                         "criteria": result["criteria"] if result else crit,
                                         "response": t["overall"]})


@router.get("/trials/{trial_id}/export/sdtm.zip")
def sdtm_zip(trial_id: int, request: Request, session: SessionDep,
             p: Annotated[Principal, web_require("export", "read")]) -> Response:
    trial = trial_of(request)
    protocol = data.protocol_of_trial(session, trial)
    bundle = build_trial_data(session, request, p, trial, protocol)
    domains = build_sdtm(bundle, protocol, blinded=is_caller_blinded(request))
    if is_caller_blinded(request):
        # Trial elements name arm-specific interventions (the API hides `interventions` from
        # blinded callers too); a blinded export leaves them out.
        domains.pop("TE", None)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_sdtm(domains, tmp)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                zf.write(path, arcname=f"{trial.registry_id}/{Path(path).name}")
    name = f"{trial.registry_id}-sdtm{'-blinded' if is_caller_blinded(request) else ''}.zip"
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/trials/{trial_id}/report.html")
def trial_report(trial_id: int, request: Request, session: SessionDep,
                 p: Annotated[Principal, web_require("export", "read")]) -> Response:
    """The trial report (``abscopal.report``) from the stored data, as the caller may see it.

    Policy: offered to callers who may read allocations (the report groups by arm); a blinded
    caller gets 403 rather than a pooled report, so no page of the report can name an arm.
    """
    if is_caller_blinded(request) or not allowed(request, p, "allocation"):
        raise PermissionDeniedError("the trial report groups by arm: it is not available to blinded roles")
    from abscopal.report.derive import derive_trial
    from abscopal.report.model import ReportOptions, build_report
    from abscopal.report.render import render_html

    trial = trial_of(request)
    protocol = data.protocol_of_trial(session, trial)
    bundle = build_trial_data(session, request, p, trial, protocol)
    report = build_report(derive_trial(bundle, protocol), protocol, options=ReportOptions(blinded=False))
    return HTMLResponse(render_html(report, protocol))


__all__ = ["build_trial_data", "router"]
