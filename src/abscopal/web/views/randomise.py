"""Enrol and randomise: eligibility snapshot → details → confirmation → result.

The allocation itself is made by ``store.repo.enrol_subject`` with the app's allocator (the
concealed sequence); the result page shows the arm only when the caller may read allocations
(the matrix with blinding), and the page context is shaped like every other.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from abscopal.api.deps import SessionDep, subject_of, trial_of
from abscopal.errors import ConflictError, InputError
from abscopal.protocol import PATIENT_FIELDS, CohortRule, Protocol, Randomised, display_text
from abscopal.store import repo
from abscopal.store.models import Allocation, Enrolment, ScreeningResult
from abscopal.store.repo import Principal
from abscopal.web import data
from abscopal.web.access import allowed, web_require
from abscopal.web.render import render
from abscopal.web.views._common import FormDep

router = APIRouter(include_in_schema=False)


def allocation_inputs(protocol: Protocol) -> tuple[list[str], list[str]]:
    """(stratum fields, cohort-rule fact fields) the protocol's arms need."""
    strata: list[str] = []
    facts: list[str] = []
    for arm in protocol.arms:
        if isinstance(arm.assignment, Randomised):
            strata += [s for s in arm.assignment.strata if s not in strata]
        if isinstance(arm.assignment, CohortRule):
            facts += [c.field for c in arm.assignment.when if c.field not in facts]
    return strata, facts


def _typed(name: str, raw: str) -> Any:
    spec = PATIENT_FIELDS.get(name)
    kind = spec.type if spec else "text"
    if kind == "number":
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError as exc:
            raise InputError(f"'{name}' must be a number (got {raw!r})") from exc
    if kind == "bool":
        if raw not in ("yes", "no"):
            raise InputError(f"'{name}' must be yes or no (got {raw!r})")
        return raw == "yes"
    return raw


@router.api_route("/trials/{trial_id}/subjects/{subject_id}/randomise", methods=["GET", "POST"])
def randomise(trial_id: int, subject_id: int, request: Request, session: SessionDep, form: FormDep,
              p: Annotated[Principal, web_require("enrolment", "create")]) -> Response:
    trial, subject = trial_of(request), subject_of(request)
    protocol = data.protocol_of_trial(session, trial)
    snapshot = session.execute(select(ScreeningResult).where(
        ScreeningResult.subject_id == subject.id, ScreeningResult.deleted_at.is_(None))
        .order_by(ScreeningResult.id.desc()).limit(1)).scalar_one_or_none()
    texts = {c.id: display_text(c.text) for c in protocol.eligibility}
    strata, facts = allocation_inputs(protocol)
    ctx: dict[str, Any] = {
        "trial": {"id": trial.id, "registry_id": trial.registry_id, "title": trial.title},
        "subject": {"id": subject.id, "screening_id": subject.screening_id, "status": subject.status},
        "snapshot": None if snapshot is None else {
            "screened_on": snapshot.screened_on.isoformat(), "eligible": snapshot.eligible,
            "engine": snapshot.engine,
            "criteria": [{**c, "text": texts.get(c.get("id"), "")} for c in snapshot.criteria]},
        "inputs": [{"name": n, "label": PATIENT_FIELDS[n].description if n in PATIENT_FIELDS else n,
                    "type": PATIENT_FIELDS[n].type if n in PATIENT_FIELDS else "text", "group": g}
                   for g, names in (("stratum", strata), ("fact", facts)) for n in names],
        "values": dict(form) or {"enrolled_on": dt.date.today().isoformat()}, "errors": {},
        "step": "details",
    }
    already = session.execute(select(Enrolment).where(Enrolment.subject_id == subject.id)).scalar_one_or_none()
    if already is not None:
        ctx["step"] = "done"
        ctx["enrolled_on"] = already.enrolled_on.isoformat()
        return render(request, "randomise.html", _with_result(ctx, request, p, session, protocol, subject.id))
    if request.method == "GET":
        return render(request, "randomise.html", ctx)
    errors: dict[str, str] = {}
    try:
        enrolled_on = dt.date.fromisoformat(form.get("enrolled_on", ""))
    except ValueError:
        errors["enrolled_on"] = f"enter the enrolment date as YYYY-MM-DD (got {form.get('enrolled_on', '')!r})"
    stratum: dict[str, str] = {}
    fact_values: dict[str, Any] = {}
    for item in ctx["inputs"]:
        raw = form.get(item["name"], "").strip()
        if not raw:
            errors[item["name"]] = "required for the allocation"
            continue
        try:
            if item["group"] == "stratum":
                stratum[item["name"]] = raw
            else:
                fact_values[item["name"]] = _typed(item["name"], raw)
        except InputError as exc:
            errors[item["name"]] = str(exc)
    if snapshot is None:
        errors["__all__"] = "screen the subject first: enrolment needs an eligibility snapshot"
    elif snapshot.eligible is False:
        errors["__all__"] = "the eligibility snapshot says not eligible; the subject cannot be enrolled"
    elif snapshot.eligible is None:
        errors["__all__"] = ("the eligibility snapshot is undecided: screen again and confirm every "
                             "open criterion before enrolment")
    ctx["errors"] = errors
    if errors:
        return render(request, "randomise.html", ctx, status_code=422)
    if form.get("action") != "confirm":
        ctx["step"] = "confirm"
        return render(request, "randomise.html", ctx)
    try:
        repo.enrol_subject(session, actor=p.actor, subject=subject, enrolled_on=enrolled_on,
                           stratum=stratum, facts=fact_values,
                           allocator=request.app.state.abscopal.allocator)
        session.commit()
    except (InputError, ConflictError) as exc:
        session.rollback()
        ctx["errors"] = {"__all__": str(exc)}
        return render(request, "randomise.html", ctx, status_code=409 if isinstance(exc, ConflictError) else 422)
    ctx["step"] = "done"
    ctx["enrolled_on"] = enrolled_on.isoformat()
    return render(request, "randomise.html", _with_result(ctx, request, p, session, protocol, subject.id))


def _with_result(ctx: dict[str, Any], request: Request, p: Principal, session: Any, protocol: Protocol,
                 subject_id: int) -> dict[str, Any]:
    if not allowed(request, p, "allocation"):
        ctx["concealed"] = True
        return ctx
    alloc = session.execute(select(Allocation).where(Allocation.subject_id == subject_id)).scalar_one_or_none()
    if alloc is not None:
        try:
            label = protocol.arm(alloc.arm_id).label
        except KeyError:
            label = alloc.arm_id
        ctx["allocation"] = {"arm_id": alloc.arm_id, "arm_label": label, "method": alloc.method,
                             "allocated_at": alloc.allocated_at.isoformat(timespec="seconds")}
    return ctx


__all__ = ["allocation_inputs", "router"]
