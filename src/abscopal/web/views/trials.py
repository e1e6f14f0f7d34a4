"""Trials: the list, the dashboard, and the dashboard's SVG plots.

Each section of the dashboard exists only when the caller may read the records it is built
from (``access.allowed``: the matrix with blinding); arm breakdowns need ``allocation`` read.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from abscopal.api.deps import SessionDep, trial_of
from abscopal.protocol import EndpointKind, Protocol, Randomised
from abscopal.report import figures
from abscopal.store.models import (
    AdverseEvent,
    Allocation,
    Death,
    DrugAdministration,
    Enrolment,
    Lab,
    OffStudy,
    RtDelivery,
    ScreeningResult,
    Trial,
)
from abscopal.store.repo import Principal
from abscopal.web import data, derive, plugins
from abscopal.web.access import allowed, web_require
from abscopal.web.render import render
from abscopal.web.views._common import redirect

router = APIRouter(include_in_schema=False)

TrialReader = Annotated[Principal, web_require("trial", "read")]


@router.get("/trials")
def trials_page(request: Request, session: SessionDep, p: TrialReader) -> Response:
    rows = []
    for trial in data.list_trials(session):
        protocol = data.protocol_of_trial(session, trial)
        rows.append({"id": trial.id, "registry_id": trial.registry_id, "title": trial.title,
                     "phase": protocol.identity.phase, "target": protocol.identity.target_enrolment,
                     "subjects": len(data.visible_subjects(session, trial.id, p))})
    return render(request, "trials.html", {"trials": rows})


def _arm_label(protocol: Protocol, arm_id: str) -> str:
    try:
        return protocol.arm(arm_id).label
    except KeyError:
        return arm_id


def _last_date(*dates: dt.date | None) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def trial_snapshot(session: Session, request: Request, p: Principal, trial: Trial) -> dict[str, Any]:
    """Everything the dashboard shows, computed from the visible records (see module doc)."""
    protocol = data.protocol_of_trial(session, trial)
    subjects = data.visible_subjects(session, trial.id, p)
    ids = [s.id for s in subjects]
    may = {r: allowed(request, p, r) for r in ("enrolment", "allocation", "lesion_assessment",
                                                 "adverse_event", "lab", "death", "off_study",
                                                 "rt_delivery", "drug_administration", "screening_result")}

    def first(model: Any, key: str, *columns: str) -> dict[int, Any]:
        if not may[key]:
            return {}
        return {sid: rows[0] for sid, rows in data.column_rows(session, model, ids, columns).items()}

    enrolments = first(Enrolment, "enrolment", "enrolled_on")
    allocations = first(Allocation, "allocation", "arm_id")
    ctx = _Ctx(protocol=protocol, may=may, enrolments=enrolments,
               arm_of={sid: a.arm_id for sid, a in allocations.items()},
               enrolled=[s for s in subjects if s.id in enrolments])
    target = protocol.identity.target_enrolment
    out: dict[str, Any] = {"trial": {"id": trial.id, "registry_id": trial.registry_id, "title": trial.title,
                                     "target": target, "phase": protocol.identity.phase},
                           "may": may}
    sites = data.sites_by_id(session)
    per_site = Counter(sites[s.site_id].name for s in ctx.enrolled)
    out["enrolment"] = {"enrolled": len(ctx.enrolled), "screened": len(subjects), "target": target,
                        "fraction": (len(ctx.enrolled) / target) if target else None,
                        "by_site": sorted(per_site.items())}
    if may["allocation"]:
        out["arms"] = _arm_enrolment(protocol, ctx.arm_of, target)
    if may["lesion_assessment"]:
        out.update(_responses(session, ctx))
    deaths = first(Death, "death", "death_date")
    offs = first(OffStudy, "off_study", "off_date")
    if may["enrolment"]:
        treated: set[int] = set()
        for model, key in ((RtDelivery, "rt_delivery"), (DrugAdministration, "drug_administration")):
            if may[key]:
                treated |= set(data.column_rows(session, model, ids, ()))
        screening = data.column_rows(session, ScreeningResult, ids, ("eligible",)) if may["screening_result"] else {}
        excluded = sum(1 for s in subjects if s.id not in enrolments
                       and any(r.eligible is False for r in screening.get(s.id, [])))
        groups: dict[str, list[int]] = defaultdict(list)
        for s in ctx.enrolled:
            groups[ctx.group(s.id, "Enrolled")].append(s.id)
        bors = ctx.bors
        out["consort"] = {
            "counts": {"screened": len(subjects), "excluded": excluded, "enrolled": len(ctx.enrolled)},
            "groups": {label: {"allocated": len(g),
                             "treated": sum(i in treated for i in g) if (may["rt_delivery"] or may["drug_administration"]) else None,
                             "on_study": sum(i not in offs and i not in deaths for i in g),
                             "discontinued": sum(i in offs for i in g),
                             "analysed": sum(i in bors for i in g)}
                     for label, g in sorted(groups.items())}}
        out["tte"] = _time_to_event(ctx, deaths, offs)
    if may["adverse_event"]:
        out["ae"] = _adverse_events(session, ctx, ids)
    lymph = [e for e in protocol.endpoints if e.kind is EndpointKind.LYMPHOPENIA_GRADE2_AT_TIMEPOINT]
    if lymph and may["lab"]:
        out["lymphopenia"] = _lymphopenia(session, lymph[0], ctx)
    return out


@dataclass
class _Ctx:
    protocol: Protocol
    may: dict[str, bool]
    enrolments: dict[int, Any]
    arm_of: dict[int, str]
    enrolled: list[Any]
    bors: dict[int, str] = field(default_factory=dict)
    progression: dict[int, dt.date | None] = field(default_factory=dict)
    last_scan: dict[int, dt.date] = field(default_factory=dict)

    def group(self, subject_id: int, default: str = "All") -> str:
        if self.may["allocation"] and subject_id in self.arm_of:
            return _arm_label(self.protocol, self.arm_of[subject_id])
        return default


def _arm_enrolment(protocol: Protocol, arm_of: dict[int, str], target: int | None) -> list[dict[str, Any]]:
    randomised = [a for a in protocol.arms if isinstance(a.assignment, Randomised)]
    ratio_total = sum(a.assignment.ratio for a in randomised if isinstance(a.assignment, Randomised))
    counts = Counter(arm_of.values())
    out = []
    for a in protocol.arms:
        arm_target = None
        if target and isinstance(a.assignment, Randomised) and ratio_total:
            arm_target = round(target * a.assignment.ratio / ratio_total)
        out.append({"arm_id": a.id, "arm_label": a.label, "enrolled": counts.get(a.id, 0), "target": arm_target})
    return out


def _responses(session: Session, ctx: _Ctx) -> dict[str, Any]:
    protocol = ctx.protocol
    assessments = data.assessments_by_subject(session, [s.id for s in ctx.enrolled])
    confirm = derive.requires_confirmation(protocol)
    for s in ctx.enrolled:
        rows = assessments.get(s.id, [])
        result = derive.derive_subject_response(s.screening_id, rows, criteria=derive.response_criteria(protocol, rows),
                                                require_confirmation=confirm)
        if result is None:
            continue
        ctx.bors[s.id] = result["bor"]
        pd_date = result.get("progression_date")
        ctx.progression[s.id] = None if pd_date is None else dt.date.fromisoformat(pd_date)
        ctx.last_scan[s.id] = max(r["assessed_on"] for r in rows)
    orr, dcr = derive.orr_dcr(list(ctx.bors.values()))
    response: dict[str, Any] = {"overall": [orr, dcr], "bor_counts": sorted(Counter(ctx.bors.values()).items())}
    if ctx.may["allocation"]:
        response["arms"] = [
            {"arm_label": _arm_label(protocol, arm_id),
             "rows": list(derive.orr_dcr([b for sid, b in ctx.bors.items() if ctx.arm_of.get(sid) == arm_id]))}
            for arm_id in sorted(set(ctx.arm_of.values()))]
    ordered = [ctx.bors[s.id] for s in sorted(ctx.enrolled, key=lambda s: ctx.enrolments[s.id].enrolled_on)
               if s.id in ctx.bors]
    return {"response": response, "stages": derive.stage_status(protocol, bors_in_order=ordered)}


def _time_to_event(ctx: _Ctx, deaths: dict[int, Any], offs: dict[int, Any]) -> dict[str, list[dict[str, Any]]]:
    today = dt.date.today()
    tte: dict[str, list[dict[str, Any]]] = {"os": [], "pfs": []}
    for s in ctx.enrolled:
        start = ctx.enrolments[s.id].enrolled_on
        death = deaths[s.id].death_date if s.id in deaths else None
        off = offs[s.id].off_date if s.id in offs else None
        group = ctx.group(s.id)
        last = _last_date(death, off, ctx.last_scan.get(s.id)) or min(today, start)
        tte["os"].append({"group": group, "days": max(((death or last) - start).days, 0),
                          "event": death is not None})
        if s.id in ctx.last_scan:
            prog = ctx.progression.get(s.id)
            ends = [d for d in (prog, death) if d is not None]
            end = min(ends) if ends else ctx.last_scan[s.id]
            tte["pfs"].append({"group": group, "days": max((end - start).days, 0), "event": bool(ends)})
    return tte


def _adverse_events(session: Session, ctx: _Ctx, ids: list[int]) -> dict[str, Any]:
    aes = data.column_rows(session, AdverseEvent, ids, ("grade", "term"))
    worst = {sid: max(r.grade for r in rows) for sid, rows in aes.items() if rows}
    members: dict[str, list[int]] = defaultdict(list)
    for s in ctx.enrolled:
        members[ctx.group(s.id)].append(s.id)
    groups = sorted(members) or ["All"]
    rows: list[dict[str, Any]] = []
    for grade in range(1, 6):
        rows.append({"grade": grade,
                     "counts": [sum(worst.get(i) == grade for i in members.get(g, [])) for g in groups]})
    terms = Counter(r.term for recs in aes.values() for r in recs)
    return {"groups": groups, "rows": rows, "top_terms": terms.most_common(8), "subjects_with_ae": len(worst)}


def _lymphopenia(session: Session, endpoint: Any, ctx: _Ctx) -> dict[str, Any]:
    """Grade >= 2 lymphocyte count decreased at the endpoint's timepoint (toxicity engine).

    Policy: the anchor (e.g. the last RT fraction) is read from the records only to place the
    timepoint; the page shows aggregate rates, never the RT records themselves.
    """
    title = endpoint.title
    if not plugins.toxicity_available():
        return {"title": title, "rows": [], "note": "needs CTCAE grading (abscopal.toxicity is not installed)"}
    ids = [s.id for s in ctx.enrolled]
    labs = data.column_rows(session, Lab, ids, ("collected_on", "test", "value", "unit", "lower_limit",
                                                "upper_limit"))
    rts = data.column_rows(session, RtDelivery, ids, ("delivered_on",))
    anchor_event = endpoint.timepoint_anchor.value if endpoint.timepoint_anchor else "enrolment"
    day = endpoint.timepoint_days or 0
    window = endpoint.timepoint_window_days or 0
    outcomes: dict[str, list[bool]] = defaultdict(list)
    undecided = 0
    for s in ctx.enrolled:
        fractions = sorted(r.delivered_on for r in rts.get(s.id, []))
        anchor = {"rt_last_fraction": fractions[-1] if fractions else None,
                  "rt_first_fraction": fractions[0] if fractions else None}.get(
                      anchor_event, ctx.enrolments[s.id].enrolled_on)
        met = None if anchor is None else plugins.classify_lab_timepoint(
            [(r.collected_on, r.test, r.value, r.unit, r.lower_limit, r.upper_limit) for r in labs.get(s.id, [])],
            term="Lymphocyte count decreased", anchor_date=anchor, offset_days=day, window_days=window,
            min_grade=2)
        if met is None:
            undecided += 1
            continue
        outcomes["All"].append(met)
        if ctx.may["allocation"] and s.id in ctx.arm_of:
            outcomes[ctx.group(s.id)].append(met)
    rows = [derive.proportion_row(group, sum(v), len(v)) for group, v in sorted(outcomes.items())]
    note = (f"grade ≥ 2 Lymphocyte count decreased (CTCAE v5.0) closest to day {day} ± {window} after "
            f"{anchor_event.replace('_', ' ')}; {undecided} subject(s) without a decidable value")
    return {"title": title, "rows": rows, "note": note}


@router.get("/trials/{trial_id}")
def trial_page(trial_id: int, request: Request, session: SessionDep,
               p: Annotated[Principal, web_require("subject", "read")]) -> Response:
    if not allowed(request, p, "enrolment"):
        return redirect(f"/trials/{trial_id}/worklist")
    snap = trial_snapshot(session, request, p, trial_of(request))
    snap.pop("tte", None)
    snap["can"] = {"register": allowed(request, p, "subject", "create"), "audit": allowed(request, p, "audit"),
                   "export": allowed(request, p, "export")}
    return render(request, "dashboard.html", snap)


def _svg(svg: str) -> Response:
    return Response(svg, media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=60"})


@functools.lru_cache(maxsize=256)
def _km_svg(payload: str, title: str) -> str:
    curves = []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in json.loads(payload):
        groups[row["group"]].append(row)
    for label, rows in sorted(groups.items()):
        c = derive.km_curve([r["days"] for r in rows], [r["event"] for r in rows], label=label)
        if c is not None:
            curves.append(figures.KMCurve(label=f"{label} (n={c['n']})", times=c["times"],
                                          survival=c["survival"], censor_times=c["censor_times"],
                                          censor_survival=c["censor_survival"]))
    return figures.to_svg(figures.kaplan_meier(curves, title=title))


@router.get("/trials/{trial_id}/plots/km.svg")
def km_plot(trial_id: int, request: Request, session: SessionDep,
            p: Annotated[Principal, web_require("enrolment", "read")],
            endpoint: Annotated[str, Query(pattern="^(os|pfs)$")] = "os") -> Response:
    snap = trial_snapshot(session, request, p, trial_of(request))
    title = "Overall survival" if endpoint == "os" else "Progression-free survival"
    return _svg(_km_svg(json.dumps(snap["tte"][endpoint], sort_keys=True), f"Kaplan–Meier: {title}"))


@router.get("/trials/{trial_id}/plots/consort.svg")
def consort_plot(trial_id: int, request: Request, session: SessionDep,
                 p: Annotated[Principal, web_require("enrolment", "read")]) -> Response:
    snap = trial_snapshot(session, request, p, trial_of(request))
    consort = snap["consort"]
    arms = {label: {k: v for k, v in c.items() if v is not None} for label, c in consort["groups"].items()}
    return _svg(figures.to_svg(figures.consort(consort["counts"], arms)))


__all__ = ["router", "trial_snapshot"]
