"""Stored records → core inputs, and the core's results → plain rows for templates.

Nothing clinical is computed here: responses come from ``abscopal.response``, proportions and
their intervals from ``abscopal.analysis``, Kaplan–Meier from ``abscopal.analysis``, Simon
decisions from ``abscopal.design``. This module only translates.

Policies (where the store or the issue is silent; see docs/guides/web.md)
-------------------------------------------------------------------------
1. Lesion values: a target's ``diameter_mm`` is its measurement; status ``absent`` means
   disappeared; ``not_evaluable`` or no value means not assessed. Non-target and new lesions
   use their status (a new lesion without status is present; ``not_evaluable`` is equivocal).
   A lesion's role is the category of its first appearance.
2. In field: the lesion's recorded ``in_field`` (latest assessment that records it) decides.
   Only when no assessment records it, the fallback applies: in the field when an RT
   delivery's ``target`` equals its label or its organ (case-insensitive). Callers who may not
   read RT records see no field status.
3. Confirmation of CR/PR is required unless the trial is randomised (RECIST 1.1 §4.6).
4. ORR/DCR denominator: enrolled subjects with a baseline assessment; a subject whose
   response cannot be derived counts as NE (in the denominator, not a responder).
5. Time to event (days from enrolment): OS ends at death, else censored at the last recorded
   date; PFS ends at the first progression (response engine) or death, else censored at the
   last lesion assessment.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from abscopal.analysis import compute_kaplan_meier, compute_proportion_ci
from abscopal.design import classify_simon_stage1, compute_simon_characteristics
from abscopal.errors import AbscopalError
from abscopal.protocol import Allocation as AllocationKind
from abscopal.protocol import Protocol, SimonTwoStageDesign, SimonTwoStageRule
from abscopal.response import (
    ResponseParams,
    derive_irecist,
    derive_recist11,
    parse_patient,
)

RESPONDERS = frozenset({"CR", "PR", "iCR", "iPR"})
DISEASE_CONTROL = RESPONDERS | {"SD", "NON-CR/NON-PD", "iSD", "NON-iCR/NON-iUPD"}

_TARGET = {"absent": "disappeared", "not_evaluable": "not_assessed"}
_NON_TARGET = {"present": "present", "absent": "absent",
               "unequivocal_progression": "unequivocal_progression",
               "not_evaluable": "not_assessed"}
_NEW = {"present": "present", "absent": "absent", "unequivocal_progression": "progressed",
        "not_evaluable": "equivocal"}


def lesion_value(category: str, diameter_mm: float | None, status: str | None) -> Any:
    """The response engine's value for one stored lesion row (policy 1)."""
    if category == "target":
        if status in _TARGET:
            return _TARGET[status]
        return "not_assessed" if diameter_mm is None else diameter_mm
    if category == "non_target":
        if status is None:
            return "not_assessed" if diameter_mm is None else "present"
        return _NON_TARGET[status]
    return _NEW.get(status or "present", "present")


def in_field_labels(rt_targets: Iterable[str], lesions: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Labels of lesions inside an irradiated field (policy 2: recorded flag, else name match).

    ``lesions`` are the subject's lesion rows in assessment order (an ``in_field`` key, when
    present and not None, is the recorded flag).
    """
    targets = {t.strip().lower() for t in rt_targets if t and t.strip()}
    recorded: dict[str, bool] = {}
    matched: set[str] = set()
    for les in lesions:
        label = str(les["lesion_label"])
        if les.get("in_field") is not None:
            recorded[label] = bool(les["in_field"])
        if label.lower() in targets or str(les["organ"]).lower() in targets:
            matched.add(label)
    return frozenset(label for label in matched | set(recorded)
                     if recorded.get(label, label in matched))


def patient_json(label: str, assessments: Sequence[Mapping[str, Any]], *,
                 in_field: frozenset[str], treatment_start: dt.date | None) -> dict[str, Any]:
    """The response engine's JSON form of one subject's assessments (sorted by date)."""
    ordered = sorted(assessments, key=lambda a: (a["assessed_on"], a.get("id", 0)))
    declared: dict[str, dict[str, Any]] = {}
    rows = []
    for a in ordered:
        values: dict[str, Any] = {}
        for les in a["lesions"]:
            lid = str(les["lesion_label"])
            if lid not in declared:
                declared[lid] = {"id": lid, "role": les["category"], "organ": les["organ"],
                                 "nodal": bool(les["is_nodal"]), "in_field": lid in in_field}
            role = declared[lid]["role"]
            values[lid] = lesion_value(role, les["diameter_mm"], les["status"])
        rows.append({"date": a["assessed_on"].isoformat(), "lesions": values})
    out: dict[str, Any] = {"patient_id": label, "lesions": list(declared.values()), "assessments": rows}
    if treatment_start is not None:
        out["treatment_start_date"] = treatment_start.isoformat()
    return out


def _pct(value: Any) -> float | None:
    return None if value is None else float(value)


@functools.lru_cache(maxsize=4096)
def _derive_cached(patient: str, criteria: str, require_confirmation: bool) -> dict[str, Any]:
    record = parse_patient(json.loads(patient))
    params = ResponseParams(require_confirmation=require_confirmation)
    result: Any = (derive_irecist(record, params=params) if criteria == "irecist"
                   else derive_recist11(record, params=params))
    bor = result.best_overall_response if criteria != "irecist" else (
        result.ibor_confirmed if require_confirmation else result.ibor_unconfirmed)
    timepoints = [{
        "date": t.assessment_date.isoformat(),
        "sum_mm": _pct(t.target_sum_mm),
        "change_from_baseline_pct": _pct(t.change_from_baseline_pct),
        "change_from_nadir_pct": _pct(t.change_from_nadir_pct),
        "target": None if t.target is None else t.target.value,
        "non_target": None if t.non_target is None else t.non_target.value,
        "new_lesions": t.new_lesions.value,
        "overall": None if t.overall is None else t.overall.value,
        "reasons": list(t.reasons),
    } for t in result.timepoints]
    progression = result.pd_date if criteria != "irecist" else result.confirmed_iupd_date
    return {
        "criteria": result.rule_version,
        "baseline_date": result.baseline_date.isoformat(),
        "baseline_sum_mm": _pct(result.baseline_sum_mm),
        "timepoints": timepoints,
        "bor": bor.response.value,
        "bor_reasons": list(bor.reasons),
        "require_confirmation": require_confirmation,
        "progression_date": None if progression is None else progression.isoformat(),
        "error": None,
    }


def derive_subject_response(label: str, assessments: Sequence[Mapping[str, Any]], *,
                            criteria: str, require_confirmation: bool,
                            in_field: frozenset[str] = frozenset(),
                            treatment_start: dt.date | None = None) -> dict[str, Any] | None:
    """Per-timepoint responses and BOR of one subject, or None without any assessment.

    A record the engine refuses (e.g. a lesion that changes role) gives ``{"error": message}``
    so the page shows why instead of failing.
    """
    if not assessments:
        return None
    payload = patient_json(label, assessments, in_field=in_field, treatment_start=treatment_start)
    try:
        return _derive_cached(json.dumps(payload, sort_keys=True), criteria, require_confirmation)
    except AbscopalError as exc:
        return {"criteria": criteria, "timepoints": [], "bor": "NE", "bor_reasons": [],
                "progression_date": None, "error": str(exc)}


def requires_confirmation(protocol: Protocol) -> bool:
    """Policy 3: confirmation unless the trial is randomised."""
    return protocol.design.allocation is not AllocationKind.RANDOMIZED


def response_criteria(protocol: Protocol, assessments: Sequence[Mapping[str, Any]]) -> str:
    """iRECIST when any assessment or a protocol endpoint asks for it, else RECIST 1.1."""
    if any(a.get("criteria") == "irecist" for a in assessments):
        return "irecist"
    if any(c.value == "irecist" for e in protocol.endpoints for c in e.criteria):
        return "irecist"
    return "recist_1_1"


def lesion_table(assessments: Sequence[Mapping[str, Any]], *,
                 in_field: frozenset[str] | None) -> dict[str, Any]:
    """Rows = lesions, columns = assessments (diameter or status); ``in_field`` None = hidden."""
    ordered = sorted(assessments, key=lambda a: (a["assessed_on"], a.get("id", 0)))
    rows: dict[str, dict[str, Any]] = {}
    for index, a in enumerate(ordered):
        for les in a["lesions"]:
            label = str(les["lesion_label"])
            row = rows.setdefault(label, {
                "label": label, "category": les["category"], "organ": les["organ"],
                "is_nodal": les["is_nodal"],
                "field": None if in_field is None else ("in field" if label in in_field else "out of field"),
                "values": [""] * len(ordered)})
            if les["diameter_mm"] is not None:
                row["values"][index] = f"{les['diameter_mm']:g} mm"
            if les["status"]:
                sep = " · " if row["values"][index] else ""
                row["values"][index] += sep + str(les["status"]).replace("_", " ")
    return {"columns": [{"date": a["assessed_on"].isoformat(), "timepoint": a["timepoint"],
                         "id": a.get("id"), "version": a.get("version")} for a in ordered],
            "rows": list(rows.values())}


def spider_rows(assessments: Sequence[Mapping[str, Any]], *,
                in_field: frozenset[str]) -> list[dict[str, Any]]:
    """% change from baseline per target lesion and assessment (for ``figures.spider``)."""
    ordered = sorted(assessments, key=lambda a: (a["assessed_on"], a.get("id", 0)))
    if not ordered:
        return []
    base_day = ordered[0]["assessed_on"]
    baseline = {str(les["lesion_label"]): les["diameter_mm"] for les in ordered[0]["lesions"]
                if les["category"] == "target" and les["diameter_mm"]}
    out = []
    for a in ordered:
        for les in a["lesions"]:
            label = str(les["lesion_label"])
            if label in baseline and les["diameter_mm"] is not None:
                out.append({"key": label, "days": (a["assessed_on"] - base_day).days,
                            "pct_change": 100.0 * (les["diameter_mm"] - baseline[label]) / baseline[label],
                            "in_field": label in in_field})
    return out


def proportion_row(label: str, events: int, n: int) -> dict[str, Any]:
    """A proportion with its exact (Clopper–Pearson) 95 % interval."""
    if n == 0:
        return {"label": label, "events": 0, "n": 0, "estimate": None, "lower": None, "upper": None}
    r = compute_proportion_ci(events, n)
    return {"label": label, "events": events, "n": n, "estimate": r.estimate_, "lower": r.ci_lower_,
            "upper": r.ci_upper_}


def orr_dcr(bors: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """ORR and DCR with exact 95 % CIs over the given BORs (policy 4)."""
    n = len(bors)
    return (proportion_row("ORR", sum(b in RESPONDERS for b in bors), n),
            proportion_row("DCR", sum(b in DISEASE_CONTROL for b in bors), n))


def km_curve(times_days: Sequence[float], events: Sequence[bool], *, label: str) -> dict[str, Any] | None:
    """Kaplan–Meier steps for ``figures.KMCurve`` plus the median (None without subjects)."""
    if not times_days:
        return None
    km = compute_kaplan_meier(list(times_days), [bool(e) for e in events], label=label)
    times = [0.0, *[float(t) for t in km.timeline_]]
    surv = [1.0, *[float(s) for s in km.survival_]]
    censored = [(float(t), float(s)) for t, s, c in zip(km.timeline_, km.survival_, km.n_censored_at_,
                                                         strict=True) if c > 0]
    median = float(km.median_)
    return {"label": label, "n": km.n, "events": km.n_events, "times": times, "survival": surv,
            "censor_times": [c[0] for c in censored], "censor_survival": [c[1] for c in censored],
            "median_days": None if median != median else median}


def stage_status(protocol: Protocol, *, bors_in_order: Sequence[str]) -> list[dict[str, Any]]:
    """Each design stage with its decision rule; a Simon stage-1 decision once n1 are evaluable."""
    out = []
    simon_stats = [d for d in protocol.statistical_design if isinstance(d, SimonTwoStageDesign)]
    for stage in protocol.design.stages:
        rule = stage.decision_rule
        row: dict[str, Any] = {"id": stage.id, "label": stage.label, "size": stage.size,
                               "rule": None if rule is None else rule.kind, "decision": None,
                               "detail": getattr(rule, "description", None)}
        if isinstance(rule, SimonTwoStageRule):
            row.update(_simon(rule.r1, rule.n1, rule.r, rule.n, bors_in_order, simon_stats))
        out.append(row)
    if not out:
        for d in simon_stats:
            if None not in (d.r1, d.n1, d.r, d.n):
                row = {"id": d.endpoint, "label": f"Simon two-stage ({d.endpoint})", "size": d.n,
                       "rule": "simon_two_stage", "decision": None, "detail": None}
                row.update(_simon(d.r1 or 0, d.n1 or 1, d.r or 0, d.n or 2, bors_in_order, simon_stats))
                out.append(row)
    return out


def _simon(r1: int, n1: int, r: int, n: int, bors: Sequence[str],
           stats: Sequence[SimonTwoStageDesign]) -> dict[str, Any]:
    p0 = next((s.p0 for s in stats if s.p0), 0.1)
    p1 = next((s.p1 for s in stats if s.p1), 0.3)
    design = compute_simon_characteristics(r1, n1, r, n, p0=p0, p1=p1)
    evaluated = list(bors[:n1])
    if len(evaluated) < n1:
        return {"detail": f"stage 1: {len(evaluated)} of {n1} evaluable; stop if ≤ {r1} responses",
                "decision": "pending"}
    decision = classify_simon_stage1(sum(b in RESPONDERS for b in evaluated), design=design)
    return {"detail": decision.reason, "decision": decision.decision.replace("_", " ")}


__all__ = [
    "DISEASE_CONTROL",
    "RESPONDERS",
    "derive_subject_response",
    "in_field_labels",
    "km_curve",
    "lesion_table",
    "lesion_value",
    "orr_dcr",
    "patient_json",
    "proportion_row",
    "requires_confirmation",
    "response_criteria",
    "spider_rows",
    "stage_status",
]
