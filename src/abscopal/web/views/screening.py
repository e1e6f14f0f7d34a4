"""Screening: a patient's data → per-criterion results for one or all trials; saving a subject's
eligibility snapshot (with the investigator's confirmation of criteria the engine leaves open).

The evaluator is pluggable (``plugins.default_evaluator``): the eligibility engine when it is
installed, the protocol's criterion texts ("to confirm") otherwise.

Rules
-----
1. Inputs are typed by the patient-field vocabulary; a value of the wrong type is reported next
   to its field and kept.
2. Missing data: every criterion lists the data its rule needs that were not entered; those
   criteria and the empty inputs they need are highlighted.
3. Saved snapshot: a criterion the engine passes is ``met`` (inclusion) / ``not_met``
   (exclusion), one it fails the reverse; one left "to confirm" takes the investigator's answer
   or stays ``unknown``. Eligible = every criterion passes; not eligible = any fails; else
   undecided (null).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from abscopal.api.deps import SessionDep, subject_of, trial_of
from abscopal.store import repo
from abscopal.store.models import ScreeningResult
from abscopal.store.repo import Principal
from abscopal.web import data, plugins
from abscopal.web.access import web_require
from abscopal.web.render import render
from abscopal.web.views._common import FormDep, redirect

router = APIRouter(include_in_schema=False)


def parse_answers(fields: list[plugins.InputField], form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed patient data from the form (Rule 1)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        raw = form.get(f.name, "").strip()
        if not raw:
            continue
        try:
            if f.type == "number":
                answers[f.name] = float(raw) if "." in raw else int(raw)
            elif f.type == "date":
                answers[f.name] = dt.date.fromisoformat(raw)
            elif f.type == "bool":
                if raw not in ("yes", "no"):
                    raise ValueError
                answers[f.name] = raw == "yes"
            else:
                answers[f.name] = raw
        except ValueError:
            kind = {"number": "a number", "date": "a date (YYYY-MM-DD)", "bool": "yes or no"}.get(f.type, "text")
            errors[f.name] = f"enter {kind} (got {raw!r})"
    if "sex" in answers and answers["sex"] not in ("F", "M"):
        errors["sex"] = f"enter F or M (got {answers['sex']!r})"
    return answers, errors


def is_missing(field_name: str, missing: set[str]) -> bool:
    """Whether an input is named by a missing-data item: a fact by its exact name, a measurement
    input ``m_<name>`` by ``"<name> on or after …"`` / ``"<name> value …"``, a reference-limit
    input by ``"<name> reference range (ULN|LLN …)"``."""
    if not field_name.startswith("m_"):
        return field_name in missing  # facts are named exactly
    key = field_name[2:]
    if "__" in key:  # a reference limit: missing when the engine asks for the range
        name, limit = key.split("__", 1)
        return any(m.startswith(f"{name} reference range") and limit.upper() in m for m in missing)
    return any(m == key or m.startswith(key + " ") for m in missing)


def _fields_ctx(fields: list[plugins.InputField], missing: set[str]) -> list[dict[str, Any]]:
    return [{"name": f.name, "label": f.label, "type": f.type, "unit": f.unit, "group": f.group,
             "missing": is_missing(f.name, missing)} for f in fields]


def _evaluate(session: Any, trials: list[Any], answers: dict[str, Any], as_of: dt.date) -> tuple[list[dict[str, Any]], set[str]]:
    evaluator = plugins.default_evaluator()
    results = []
    missing: set[str] = set()
    for trial in trials:
        protocol = data.protocol_of_trial(session, trial)
        r = evaluator.evaluate(protocol, answers, as_of=as_of)
        for c in r["criteria"]:
            missing |= set(c["missing"])
        results.append({"trial_id": trial.id, "registry_id": trial.registry_id, "title": trial.title, **r})
    return results, missing


@router.api_route("/screening", methods=["GET", "POST"])
def screening_page(request: Request, session: SessionDep, form: FormDep,
                   _p: Annotated[Principal, web_require("screening_result", "create")]) -> Response:
    evaluator = plugins.default_evaluator()
    fields = evaluator.input_fields()
    trials = data.list_trials(session)
    results: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    missing: set[str] = set()
    if request.method == "POST":
        answers, errors = parse_answers(fields, form)
        try:
            as_of = dt.date.fromisoformat(form.get("as_of", ""))
        except ValueError:
            errors["as_of"] = f"enter the screening date as YYYY-MM-DD (got {form.get('as_of', '')!r})"
        choice = form.get("trial", "all")
        chosen = trials if choice == "all" else [t for t in trials if str(t.id) == choice]
        if not chosen:
            errors["trial"] = f"pick a trial or 'all' (got {choice!r})"
        if not errors:
            results, missing = _evaluate(session, chosen, answers, as_of)
    return render(request, "screening.html", {
        "fields": _fields_ctx(fields, missing), "values": form or {"as_of": dt.date.today().isoformat()},
        "errors": errors, "results": results, "engine": evaluator.name,
        "trials": [{"id": t.id, "registry_id": t.registry_id} for t in trials]},
        status_code=422 if errors else 200)


def snapshot_rows(criteria: list[dict[str, Any]], form: dict[str, str]) -> tuple[list[dict[str, Any]], bool | None]:
    """The stored per-criterion snapshot and the overall decision (Rule 3)."""
    rows = []
    verdicts = []
    for c in criteria:
        inclusion = c["kind"] == "inclusion"
        verdict = c["verdict"]
        if verdict == "to_confirm":
            answer = form.get(f"confirm-{c['id']}", "")
            if answer in ("met", "not_met"):
                verdict = "pass" if (answer == "met") == inclusion else "fail"
        if verdict == "pass":
            result = "met" if inclusion else "not_met"
        elif verdict == "fail":
            result = "not_met" if inclusion else "met"
        else:
            result = "unknown"
        verdicts.append(verdict)
        note = "; ".join([*c["values"], *(f"missing: {m}" for m in c["missing"])]) or None
        rows.append({"id": c["id"], "result": result, "reason": note})
    if "fail" in verdicts:
        return rows, False
    if all(v == "pass" for v in verdicts):
        return rows, True
    return rows, None


@router.api_route("/trials/{trial_id}/subjects/{subject_id}/screen", methods=["GET", "POST"])
def screen_subject(trial_id: int, subject_id: int, request: Request, session: SessionDep, form: FormDep,
                   p: Annotated[Principal, web_require("screening_result", "create")]) -> Response:
    trial, subject = trial_of(request), subject_of(request)
    evaluator = plugins.default_evaluator()
    fields = evaluator.input_fields()
    protocol = data.protocol_of_trial(session, trial)
    errors: dict[str, str] = {}
    values: dict[str, str] = dict(form) or {"as_of": dt.date.today().isoformat()}
    result: dict[str, Any] | None = None
    missing: set[str] = set()
    if request.method == "POST":
        answers, errors = parse_answers(fields, form)
        try:
            as_of = dt.date.fromisoformat(form.get("as_of", ""))
        except ValueError:
            errors["as_of"] = f"enter the screening date as YYYY-MM-DD (got {form.get('as_of', '')!r})"
        if not errors:
            result = evaluator.evaluate(protocol, answers, as_of=as_of)
            missing = {m for c in result["criteria"] for m in c["missing"]}
            if form.get("action") == "save":
                rows, eligible = snapshot_rows(result["criteria"], form)
                repo.create_record(session, ScreeningResult, actor=p.actor, values={
                    "subject_id": subject.id, "protocol_version_id": trial.current_version_id,
                    "screened_on": as_of, "eligible": eligible, "criteria": rows,
                    "engine": evaluator.name[:64]})
                session.commit()
                return redirect(f"/trials/{trial.id}/subjects/{subject.id}/randomise")
    return render(request, "screen_subject.html", {
        "trial": {"id": trial.id, "registry_id": trial.registry_id, "title": protocol.identity.title},
        "subject": {"id": subject.id, "screening_id": subject.screening_id},
        "fields": _fields_ctx(fields, missing), "values": values, "errors": errors,
        "result": result, "engine": evaluator.name}, status_code=422 if errors else 200)


__all__ = ["is_missing", "parse_answers", "router", "snapshot_rows"]
