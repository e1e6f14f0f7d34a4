"""Data entry: lesion assessments, labs, adverse events, RT deliveries, drug administrations.

One generic handler per record kind (the API's ``RECORD_KINDS``: same schemas, same protocol
checks), registered with the kind's own permission (create or update).

Rules
-----
1. Server-side validation with the API's schema; each message is shown next to its field and
   the submitted input is kept.
2. Edits carry the version the form was opened at and need a reason; if someone saved first
   (optimistic lock), nothing is written and the page shows both the current saved values and
   the user's entries.
3. AE terms and grades are checked against CTCAE (``abscopal.toxicity``) when it is installed.
"""

# No ``from __future__ import annotations``: the routes are built in a loop and FastAPI must
# see the real dependency objects in their signatures.

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from abscopal.api.deps import SessionDep, subject_of, trial_of
from abscopal.api.routes.records import RECORD_KINDS, RecordKind
from abscopal.errors import ConflictError, CriteriaError, InputError, NotFoundError
from abscopal.protocol import DrugIntervention, RadiationIntervention
from abscopal.store import repo
from abscopal.store.models import SubjectRecordMixin
from abscopal.store.repo import Principal
from abscopal.web import data, forms, plugins
from abscopal.web.access import allowed, web_require
from abscopal.web.render import ENV, render
from abscopal.web.views._common import FormDep, redirect

router = APIRouter(include_in_schema=False)

LESION_ROWS = 6

KIND_BY_PATH: dict[str, RecordKind] = {k.path: k for k in RECORD_KINDS}
FORM_KINDS = ("lesion-assessments", "labs", "adverse-events", "rt-deliveries", "drug-administrations")
TITLES = {"lesion-assessments": "Lesion assessment", "labs": "Lab result",
          "adverse-events": "Adverse event", "rt-deliveries": "RT delivery",
          "drug-administrations": "Drug administration"}
LABELS = {"lower_limit": "Lower limit of normal (LLN)", "upper_limit": "Upper limit of normal (ULN)",
          "test": "Test (CTCAE term)", "dose_gy": "Dose (Gy)", "dose_metrics": "Dose metrics",
          "intervention_id": "Intervention", "term": "CTCAE term", "serious": "Serious",
          "fraction_number": "Fraction number", "assessed_on": "Assessment date",
          "diameter_mm": "Diameter (mm)"}


def _stringify(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, dict):
        return "; ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _load(session: Session, kind: RecordKind, subject_id: int, record_id: int) -> SubjectRecordMixin:
    row = session.get(kind.model, record_id)
    if row is None or row.subject_id != subject_id or row.deleted_at is not None:
        raise NotFoundError(f"{kind.resource.replace('_', ' ')} {record_id} not found for this subject")
    return row


def _choices(kind: RecordKind, protocol: Any) -> dict[str, list[str]]:
    if kind.path == "rt-deliveries":
        return {"intervention_id": [i.id for i in protocol.interventions if isinstance(i, RadiationIntervention)]}
    if kind.path == "drug-administrations":
        return {"intervention_id": [i.id for i in protocol.interventions if isinstance(i, DrugIntervention)]}
    return {}


def _field_error(exc: Exception) -> tuple[str, str]:
    message = str(exc)
    if message.startswith("'") and "'" in message[1:]:
        return message[1:message.index("'", 1)].split(".")[0], message
    return "__all__", message


def _check_ae(clean: dict[str, Any]) -> dict[str, str]:
    if not plugins.toxicity_available():
        return {}
    grades = plugins.allowed_ae_grades(clean["term"])
    if grades is None:
        return {"term": f"{clean['term']!r} is not a CTCAE v5.0 term; pick one from the search"}
    if clean["grade"] not in grades:
        return {"grade": f"{clean['term']} allows grades {', '.join(map(str, grades))} "
                         f"(got {clean['grade']})"}
    return {}


def _drop_in_field(clean: dict[str, Any] | None, *, keep: bool) -> None:
    """A caller who may not see ``in_field`` never sets it: the key is removed, so an edit keeps
    the stored value."""
    if clean is None or keep:
        return
    for les in clean.get("lesions") or []:
        les.pop("in_field", None)


def _handle(kind: RecordKind, request: Request, session: Session, p: Principal,
            form: dict[str, str], record_id: int | None) -> Response:
    trial, subject = trial_of(request), subject_of(request)
    protocol = data.protocol_of_trial(session, trial)
    is_lesion = kind.path == "lesion-assessments"
    field_visible = is_lesion and allowed(request, p, "rt_delivery")  # in_field reveals the RT arm
    fields = forms.form_fields(kind.create, labels=LABELS, skip=("version", "reason", "lesions"))
    row = _load(session, kind, subject.id, record_id) if record_id is not None else None
    errors: dict[str, str] = {}
    conflict: dict[str, Any] | None = None
    if request.method == "GET":
        values = {f.name: _stringify(getattr(row, f.name, None)) for f in fields} if row else {}
        if row is None:
            values.update({f.name: dt.date.today().isoformat() for f in fields if f.input == "date"
                           and f.required})
        lesion_rows = [
            {k: getattr(m, k) for k in forms.LESION_FIELDS} for m in getattr(row, "lesions", [])
            if m.deleted_at is None] if is_lesion and row is not None else []
        version = row.version if row else None
        reason = ""
    else:
        values = dict(form)
        version = int(form["version"]) if form.get("version", "").isdigit() else None
        reason = form.get("reason", "").strip()
        raw, errors = forms.collect(fields, form)
        lesion_rows = forms.collect_lesions(form, rows=int(form.get("lesion_rows", LESION_ROWS) or LESION_ROWS)) \
            if is_lesion else []
        if is_lesion:
            raw["lesions"] = lesion_rows
        if row is not None and not reason:
            errors["reason"] = "say why you are changing a saved record (required for the audit trail)"
        if row is not None and version is None:
            errors["__all__"] = "the form lost the record's version; reload it"
        clean: dict[str, Any] | None = None
        if not errors:
            clean, errors = forms.validate(kind.create, raw)
            _drop_in_field(clean, keep=field_visible)
        if clean is not None and not errors and kind.path == "adverse-events":
            errors = _check_ae(clean)
        if clean is not None and not errors:
            try:
                if kind.check is not None:
                    kind.check(protocol, clean)
                if row is None:
                    created = repo.create_record(
                        session, kind.model, actor=p.actor, derivations=request.app.state.abscopal.derivations,
                        values={**clean, "subject_id": subject.id, "protocol_version_id": trial.current_version_id})
                    session.commit()
                    saved_id = created.id
                else:
                    changes = {k: v for k, v in clean.items() if k in kind.update.model_fields}
                    repo.update_record(session, actor=p.actor, row=row, changes=changes,
                                       expected_version=version or 0, reason=reason,
                                       derivations=request.app.state.abscopal.derivations)
                    session.commit()
                    saved_id = row.id
                return redirect(f"/trials/{trial.id}/subjects/{subject.id}?saved={kind.path}:{saved_id}"
                                f"#{kind.path}")
            except ConflictError as exc:
                session.rollback()
                assert row is not None
                session.refresh(row)
                conflict = {"message": str(exc), "version": row.version,
                            "current": [(f.label, _stringify(getattr(row, f.name, None))) for f in fields]}
                if is_lesion:
                    conflict["current"].append(("Lesions", "; ".join(
                        f"{m.lesion_label}: {_stringify(m.diameter_mm) or m.status or ''}"
                        for m in getattr(row, "lesions", []) if m.deleted_at is None)))
            except (InputError, CriteriaError) as exc:
                session.rollback()
                key, message = _field_error(exc)
                errors[key] = message
    title = TITLES[kind.path]
    ctx = {
        "trial": {"id": trial.id, "registry_id": trial.registry_id},
        "subject": {"id": subject.id, "screening_id": subject.screening_id},
        "title": ("Edit " if row else "New ") + title.lower(), "kind": kind.path,
        "fields": [f.__dict__ for f in fields], "values": values, "errors": errors,
        "choices": _choices(kind, protocol), "record_id": record_id,
        "version": conflict["version"] if conflict else version, "reason": reason, "conflict": conflict,
        "lesion_rows": forms.echo_lesions(lesion_rows, minimum=LESION_ROWS if not lesion_rows else len(lesion_rows) + 2),
        "is_lesion": is_lesion,
        "field_visible": field_visible,
        "lab_terms": plugins.lab_terms() if kind.path == "labs" else [],
        "ctcae": plugins.toxicity_available(),
    }
    status = 409 if conflict else (422 if errors else 200)
    return render(request, "record_form.html", ctx, status_code=status)


def _make_routes(kind: RecordKind) -> None:
    base = f"/trials/{{trial_id}}/subjects/{{subject_id}}/{kind.path}"

    def create(trial_id: int, subject_id: int, request: Request, session: SessionDep, form: FormDep,
               p: Annotated[Principal, web_require(kind.resource, "create")]) -> Response:
        return _handle(kind, request, session, p, form, None)

    def edit(trial_id: int, subject_id: int, record_id: int, request: Request, session: SessionDep,
             form: FormDep, p: Annotated[Principal, web_require(kind.resource, "update")]) -> Response:
        return _handle(kind, request, session, p, form, record_id)

    handlers: list[tuple[str, Callable[..., Response]]] = [(f"{base}/new", create),
                                                           (f"{base}/{{record_id}}/edit", edit)]
    for path, fn in handlers:
        router.add_api_route(path, fn, methods=["GET", "POST"], name=f"web_{fn.__name__}_{kind.resource}")


for _path in FORM_KINDS:
    _make_routes(KIND_BY_PATH[_path])


@router.get("/ctcae/terms")
def ctcae_terms(request: Request, _p: Annotated[Principal, web_require("adverse_event", "create")],
                q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """htmx partial: CTCAE terms matching ``q`` with the grades each allows."""
    hits = plugins.search_ae_terms(q)
    html = ENV.get_template("_term_results.html").render(
        hits=hits, q=q, available=plugins.toxicity_available())
    return HTMLResponse(html)


__all__ = ["FORM_KINDS", "router"]
