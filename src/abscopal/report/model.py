"""The trial report's numbers: a frozen model built from derived ``TrialData`` and a Protocol.

Every statistic comes from a core function (``abscopal.analysis``, ``abscopal.response``,
``abscopal.design``, ``abscopal.radiation``); this module only selects subjects, counts
categories and arranges results. Renderers (``report.render``) turn the model into HTML/PDF.

Blinded reports (``ReportOptions(blinded=True)``) hold one pooled group ("All subjects"), no
by-arm table, no between-arm test, and no exposure that only some arms receive.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from abscopal.analysis import (
    DAYS_PER_MONTH,
    CensoringRules,
    CoxResult,
    FisherExactResult,
    KaplanMeierResult,
    LandmarkResult,
    LogrankResult,
    ProportionDifferenceResult,
    ProportionResult,
    compute_cox_ph,
    compute_fisher_exact,
    compute_kaplan_meier,
    compute_logrank_test,
    compute_proportion_ci,
    compute_proportion_difference,
    derive_time_to_event,
)
from abscopal.design import (
    ProtocolDesignCheck,
    SimonDecision,
    SimonDesign,
    classify_simon_stage1,
    compute_simon_characteristics,
    validate_statistical_design,
)
from abscopal.errors import InputError
from abscopal.protocol import (
    ArmType,
    FisherExactDesign,
    Protocol,
    RadiationIntervention,
    Randomised,
    SimonTwoStageDesign,
)
from abscopal.protocol.assessments import AssessmentKind
from abscopal.protocol.design import InvestigatorReviewRule, SafetyRunInRule, SimonTwoStageRule
from abscopal.protocol.endpoints import EndpointKind
from abscopal.protocol.interventions import AnchorEvent
from abscopal.radiation import LQResult, compute_lq
from abscopal.report.derive import DerivedTrial
from abscopal.response import AbscopalRate, PatientEvaluation, compute_abscopal_response_rate
from abscopal.toxicity import (
    AdverseEvent,
    DatedLabGrade,
    classify_grade_at_timepoint,
    derive_worst_grades,
    grade_lab,
)

RULE_VERSION = "trial-report/1"
ALL = "All subjects"

RECIST_CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
IRECIST_CATEGORIES = ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE")
RESPONDERS = {"recist_1_1": ("CR", "PR"), "irecist": ("iCR", "iPR")}
DISEASE_CONTROL = {"recist_1_1": ("CR", "PR", "SD", "NON-CR/NON-PD"),
                   "irecist": ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD")}


@dataclass(frozen=True)
class ReportOptions:
    """Choices a report is built with (each stated in the report).

    Attributes
    ----------
    blinded : bool
        Pool all arms and leave out anything that reveals the allocation.
    data_cut : date or None
        Data cut-off; default the latest date in the data.
    conf_type : str
        Kaplan–Meier pointwise CI ("log-log" default, or "log" as R survfit).
    landmarks_months : tuple of float
        Landmark survival rates reported (months of 30.4375 days).
    at_risk_every_months : int
        Spacing of the numbers-at-risk table.
    alpha_betas_gy : tuple of float
        alpha/beta ratios for BED/EQD2 (10 Gy tumour/early, 3 Gy late).
    """

    blinded: bool = False
    data_cut: dt.date | None = None
    conf_type: str = "log-log"
    landmarks_months: tuple[float, ...] = (6.0, 12.0)
    at_risk_every_months: int = 3
    alpha_betas_gy: tuple[float, ...] = (10.0, 3.0)


@dataclass(frozen=True)
class Group:
    """A column of the report: one arm, or all subjects."""

    key: str
    label: str
    subject_ids: tuple[str, ...]


@dataclass(frozen=True)
class ConsortArm:
    label: str
    allocated: int
    received_rt: int
    received_drug: int
    discontinued: int
    died: int
    evaluable_for_response: int


@dataclass(frozen=True)
class Consort:
    screened: int
    excluded: int
    exclusion_reasons: dict[str, int]
    enrolled: int
    arms: tuple[ConsortArm, ...]


@dataclass(frozen=True)
class BaselineRow:
    """One line of the baseline table: a label and one text cell per group."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ResponseTable:
    """BOR counts, ORR and DCR of one group under one criteria set."""

    group: str
    criteria: str
    n: int
    counts: dict[str, int]
    orr: ProportionResult
    dcr: ProportionResult


@dataclass(frozen=True)
class ArmComparison:
    """ORR of the experimental vs the comparator randomised arm."""

    criteria: str
    experimental: str
    comparator: str
    difference: ProportionDifferenceResult
    fisher: FisherExactResult


@dataclass(frozen=True)
class SurvivalGroup:
    group: str
    km: KaplanMeierResult
    landmarks: tuple[LandmarkResult, ...]


@dataclass(frozen=True)
class SurvivalEndpoint:
    """One time-to-event endpoint: per-group curves, at-risk counts and the arm comparison."""

    endpoint: str
    title: str
    groups: tuple[SurvivalGroup, ...]
    at_risk_months: tuple[int, ...]
    at_risk: dict[str, tuple[int, ...]]
    logrank: LogrankResult | None
    cox: CoxResult | None
    cox_note: str
    censoring: str
    events: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class AbscopalGroup:
    group: str
    rate: AbscopalRate
    lesion_rate: ProportionResult | None
    patient_rate: ProportionResult | None


@dataclass(frozen=True)
class AeRow:
    """Subjects by worst grade of one term in one group."""

    term: str
    group: str
    n_subjects: int
    by_grade: tuple[int, int, int, int, int]

    @property
    def any_grade(self) -> int:
        return sum(self.by_grade)

    @property
    def grade3_plus(self) -> int:
        return sum(self.by_grade[2:])


@dataclass(frozen=True)
class Lymphopenia:
    """Grade >= 2 lymphopenia at the protocol timepoint, per group (evaluable subjects)."""

    derived: bool
    note: str
    timepoint_text: str
    rates: tuple[tuple[str, ProportionResult], ...]
    fisher: FisherExactResult | None
    missing: dict[str, int]


@dataclass(frozen=True)
class RegimenRow:
    intervention: str
    regimen: str
    subjects: int
    lq: tuple[LQResult, ...]


@dataclass(frozen=True)
class MetricRow:
    intervention: str
    metric: str
    unit: str
    n: int
    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    within_prescription: str


@dataclass(frozen=True)
class StageDecision:
    stage: str
    rule: str
    responders: int
    evaluated: int
    orr: ProportionResult | None
    simon: SimonDesign | None
    decision: SimonDecision | None
    text: str


@dataclass(frozen=True)
class TrialReport:
    """Everything a trial report shows, as numbers and core result objects."""

    registry_id: str
    title: str
    protocol_version: str
    data_cut: dt.date
    blinded: bool
    options: ReportOptions
    groups: tuple[Group, ...]
    criteria: tuple[str, ...]
    require_confirmation: bool
    consort: Consort
    baseline: tuple[BaselineRow, ...]
    responses: tuple[ResponseTable, ...]
    comparisons: tuple[ArmComparison, ...]
    survival: tuple[SurvivalEndpoint, ...]
    abscopal: tuple[AbscopalGroup, ...]
    adverse_events: tuple[AeRow, ...]
    immune_related: tuple[AeRow, ...]
    lymphopenia: Lymphopenia
    regimens: tuple[RegimenRow, ...]
    dose_metrics: tuple[MetricRow, ...]
    design_check: ProtocolDesignCheck
    stages: tuple[StageDecision, ...]
    notes: tuple[str, ...]
    derived: DerivedTrial = field(repr=False)
    rule_version: str = RULE_VERSION

    def response(self, group: str, criteria: str = "recist_1_1") -> ResponseTable:
        """The response table of one group and criteria."""
        for table in self.responses:
            if table.group == group and table.criteria == criteria:
                return table
        raise KeyError(f"no response table for {group!r} / {criteria!r}")

    def endpoint(self, name: str) -> SurvivalEndpoint:
        for ep in self.survival:
            if ep.endpoint == name:
                return ep
        raise KeyError(f"no survival endpoint {name!r}")


# --------------------------------------------------------------------------- helpers


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _as_date(value: Any) -> dt.date | None:
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        day: dt.date = value.date()
        return day
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _latest_date(derived: DerivedTrial) -> dt.date:
    data = derived.data
    candidates: list[dt.date] = []
    for frame, col in ((data.subjects, "last_contact_date"), (data.subjects, "death_date"),
                       (data.lesion_measurements, "assessment_date"), (data.labs, "lab_date")):
        dates = [d for d in (_as_date(v) for v in frame[col]) if d is not None]
        candidates += dates[-1:] if not dates else [max(dates)]
    if not candidates:
        raise InputError("the trial has no dated records: give 'data_cut' explicitly")
    return max(candidates)


def _pct(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else f"{part}"


def _groups(derived: DerivedTrial, protocol: Protocol, blinded: bool) -> tuple[Group, ...]:
    subjects = derived.data.subjects
    enrolled = subjects[subjects["enrolment_date"].notna()]
    everyone = Group(ALL, ALL, tuple(str(s) for s in enrolled["subject_id"]))
    if blinded:
        return (everyone,)
    groups = []
    for arm in protocol.arms:
        ids = tuple(str(s) for s in enrolled.loc[enrolled["arm_id"] == arm.id, "subject_id"])
        if ids:
            groups.append(Group(arm.id, arm.label, ids))
    return tuple(groups) + ((everyone,) if len(groups) > 1 else ())


def _arm_groups(groups: Sequence[Group]) -> list[Group]:
    return [g for g in groups if g.key != ALL] or list(groups)


# --------------------------------------------------------------------------- sections


def _consort(derived: DerivedTrial, protocol: Protocol, groups: Sequence[Group],
             blinded: bool) -> Consort:
    data = derived.data
    s = data.subjects
    enrolled = s[s["enrolment_date"].notna()]
    excluded = s[s["enrolment_date"].isna()]
    reasons = {str(k): int(v) for k, v in excluded["screen_fail_reason"].fillna("unspecified")
               .astype(str).value_counts().sort_index().items()}
    rt_ids = set(map(str, data.rt_fractions["subject_id"]))
    drug_ids = set(map(str, data.drug_admins["subject_id"]))
    # In a blinded report "received RT/drug" would reveal arms whose regimens differ.
    arms = []
    for g in _arm_groups(groups):
        ids = set(g.subject_ids)
        rows = enrolled[enrolled["subject_id"].astype(str).isin(ids)]
        arms.append(ConsortArm(
            label=g.label, allocated=len(ids),
            received_rt=-1 if blinded else len(ids & rt_ids),
            received_drug=-1 if blinded else len(ids & drug_ids),
            discontinued=int(rows["off_study_date"].notna().sum()),
            died=int(rows["death_date"].notna().sum()),
            evaluable_for_response=sum(1 for i in ids if i in derived.evaluations
                                       and len(derived.evaluations[i].recist11.timepoints) > 0),
        ))
    return Consort(len(s), len(excluded), reasons, len(enrolled), tuple(arms))


def _baseline(derived: DerivedTrial, groups: Sequence[Group]) -> tuple[BaselineRow, ...]:
    s = derived.data.subjects.copy()
    s["subject_id"] = s["subject_id"].astype(str)
    s = s.set_index("subject_id")
    rows: list[BaselineRow] = [BaselineRow("N", tuple(str(len(g.subject_ids)) for g in groups))]

    def cells(fn: Any) -> tuple[str, ...]:
        return tuple(fn(s.loc[list(g.subject_ids)]) for g in groups)

    def age(frame: pd.DataFrame) -> pd.Series:
        out = []
        for b, c in zip(frame["birth_date"], frame["consent_date"], strict=True):
            bd, cd = _as_date(b), _as_date(c)
            out.append(math.nan if bd is None or cd is None else
                       cd.year - bd.year - ((cd.month, cd.day) < (bd.month, bd.day)))
        return pd.Series(out, dtype=float)

    def median_range(values: pd.Series) -> str:
        v = values.dropna()
        return "" if v.empty else f"{v.median():g} ({v.min():g}–{v.max():g})"

    rows.append(BaselineRow("Age at consent, years: median (range)",
                            cells(lambda f: median_range(age(f)))))
    for sex, label in (("F", "Female"), ("M", "Male")):
        rows.append(BaselineRow(f"Sex: {label}, n (%)",
                                cells(lambda f, x=sex: _pct(int((f["sex"] == x).sum()), len(f)))))
    for ecog in sorted({int(e) for e in s["ecog"].dropna()}):
        rows.append(BaselineRow(f"ECOG {ecog}, n (%)",
                                cells(lambda f, x=ecog: _pct(int((f["ecog"] == x).sum()),
                                                             len(f)))))
    for tumour in sorted({str(t) for t in s["tumour_type"].dropna()}):
        rows.append(BaselineRow(f"Tumour: {tumour}, n (%)", cells(
            lambda f, x=tumour: _pct(int((f["tumour_type"].astype(str) == x).sum()), len(f)))))
    rows.append(BaselineRow("Weight, kg: median (range)",
                            cells(lambda f: median_range(f["weight_kg"].astype(float)))))
    return tuple(rows)


def _bor(ev: PatientEvaluation | None, criteria: str) -> str:
    if ev is None:
        return "NE"
    if criteria == "irecist":
        assert ev.irecist is not None
        return ev.irecist.best_overall_response.response.value
    return ev.recist11.best_overall_response.response.value


def _responses(derived: DerivedTrial, groups: Sequence[Group]) -> tuple[ResponseTable, ...]:
    tables = []
    for criteria in derived.criteria:
        cats = IRECIST_CATEGORIES if criteria == "irecist" else RECIST_CATEGORIES
        for g in groups:
            bors = [_bor(derived.evaluations.get(i), criteria) for i in g.subject_ids]
            counts = {c: bors.count(c) for c in cats}
            n = len(bors)
            orr = compute_proportion_ci(sum(counts[c] for c in RESPONDERS[criteria]), n)
            dcr = compute_proportion_ci(sum(counts[c] for c in DISEASE_CONTROL[criteria]), n)
            tables.append(ResponseTable(g.key, criteria, n, counts, orr, dcr))
    return tuple(tables)


def _randomised_pair(protocol: Protocol, groups: Sequence[Group]
                     ) -> tuple[Group, Group] | None:
    """(experimental, comparator) among the randomised arms, when there are exactly two."""
    keys = {g.key: g for g in groups}
    arms = [a for a in protocol.arms if isinstance(a.assignment, Randomised) and a.id in keys]
    if len(arms) != 2:
        return None
    arms.sort(key=lambda a: a.type is not ArmType.EXPERIMENTAL)
    return keys[arms[0].id], keys[arms[1].id]


def _comparisons(tables: Sequence[ResponseTable], pair: tuple[Group, Group] | None
                 ) -> tuple[ArmComparison, ...]:
    if pair is None:
        return ()
    out = []
    by = {(t.group, t.criteria): t for t in tables}
    for criteria in sorted({t.criteria for t in tables}):
        e, c = by[(pair[0].key, criteria)], by[(pair[1].key, criteria)]
        out.append(ArmComparison(
            criteria, pair[0].label, pair[1].label,
            compute_proportion_difference(e.orr.events, e.orr.n, c.orr.events, c.orr.n),
            compute_fisher_exact(e.orr.events, e.orr.n, c.orr.events, c.orr.n)))
    return tuple(out)


def time_to_event_inputs(derived: DerivedTrial) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The subject and assessment tables ``derive_time_to_event`` takes, from derived data.

    ``pd_date`` is RECIST 1.1 progression from the response engine; an assessment is adequate
    unless its RECIST 1.1 overall response is NE.
    """
    s = derived.data.subjects
    enrolled = s[s["enrolment_date"].notna()]
    pd_dates = {sid: ev.recist11.pd_date for sid, ev in derived.evaluations.items()}
    subjects = pd.DataFrame({
        "subject_id": enrolled["subject_id"].astype(str).to_numpy(),
        "start_date": [_as_date(v) for v in enrolled["enrolment_date"]],
        "pd_date": [pd_dates.get(str(i)) for i in enrolled["subject_id"]],
        "death_date": [_as_date(v) for v in enrolled["death_date"]],
        "last_contact_date": [_as_date(v) for v in enrolled["last_contact_date"]],
        "new_therapy_date": [_as_date(v) for v in enrolled["new_therapy_date"]],
    })
    scans = derived.data.lesion_measurements[["subject_id", "assessment_date"]].drop_duplicates()
    scans = scans.assign(subject_id=scans["subject_id"].astype(str))
    resp = derived.data.responses
    ne = set()
    if not resp.empty:
        rec = resp[(resp["criteria"] == "recist_1_1") & (resp["response"] == "NE")]
        ne = {(str(a), _as_date(b)) for a, b in zip(rec["subject_id"], rec["assessment_date"],
                                                    strict=True)}
    scans = scans.assign(is_adequate=[(a, _as_date(b)) not in ne for a, b in
                                      zip(scans["subject_id"], scans["assessment_date"],
                                          strict=True)])
    scans = scans[scans["subject_id"].isin(set(subjects["subject_id"]))]
    return subjects, scans.reset_index(drop=True)


def _censoring_rules(protocol: Protocol) -> CensoringRules:
    imaging = [a.every_days for a in protocol.assessments
               if a.kind is AssessmentKind.IMAGING and a.every_days]
    return CensoringRules(assessment_interval_days=imaging[0] if imaging else None)


def _survival(derived: DerivedTrial, protocol: Protocol, groups: Sequence[Group],
              options: ReportOptions, cut: dt.date) -> tuple[SurvivalEndpoint, ...]:
    subjects, scans = time_to_event_inputs(derived)
    rules = _censoring_rules(protocol)
    pair = None if options.blinded else _randomised_pair(protocol, groups)
    out = []
    for endpoint, title in (("pfs", "Progression-free survival (RECIST 1.1)"),
                            ("os", "Overall survival")):
        tte = derive_time_to_event(subjects, endpoint, cutoff_date=pd.Timestamp(cut),
                                   assessments=scans if endpoint == "pfs" else None,
                                   rules=rules)
        tte = tte.assign(subject_id=tte["subject_id"].astype(str)).set_index("subject_id")
        curves = []
        horizon = float(tte["time_months"].max()) if len(tte) else 0.0
        at_months = tuple(range(0, int(horizon) + 1, options.at_risk_every_months))
        at_risk: dict[str, tuple[int, ...]] = {}
        for g in groups:
            sub = tte.loc[list(g.subject_ids)]
            km = compute_kaplan_meier(sub["time_days"], sub["event"].astype(int),
                                      conf_type=options.conf_type, label=g.label)
            marks = tuple(km.survival_at(m * DAYS_PER_MONTH) for m in options.landmarks_months)
            curves.append(SurvivalGroup(g.key, km, marks))
            # Numbers at risk: subjects still followed at the start of each interval.
            at_risk[g.label] = tuple(int((sub["time_days"] >= m * DAYS_PER_MONTH).sum())
                                     for m in at_months)
        logrank = cox = None
        cox_note = ""
        if pair is not None:
            ids = list(pair[0].subject_ids) + list(pair[1].subject_ids)
            sub = tte.loc[ids]
            arm = np.array([1.0] * len(pair[0].subject_ids) + [0.0] * len(pair[1].subject_ids))
            logrank = compute_logrank_test(sub["time_days"], sub["event"].astype(int),
                                           [pair[0].label] * len(pair[0].subject_ids)
                                           + [pair[1].label] * len(pair[1].subject_ids))
            cox = compute_cox_ph(sub["time_days"], sub["event"].astype(int),
                                 pd.DataFrame({"arm": arm}))
            cox_note = (f"hazard ratio {pair[0].label} vs {pair[1].label} (reference); "
                        "Cox model, Efron ties, Wald CI")
        out.append(SurvivalEndpoint(endpoint, title, tuple(curves), at_months, at_risk,
                                    logrank, cox, cox_note, rules.description
                                    if endpoint == "pfs" else
                                    "death from any cause; alive censored at last contact "
                                    "or the cut-off", tte))
    return tuple(out)


def _abscopal(derived: DerivedTrial, protocol: Protocol, groups: Sequence[Group],
              blinded: bool) -> tuple[AbscopalGroup, ...]:
    """Abscopal rates of the arms that receive radiotherapy (pooled over all subjects when
    blinded, since selecting RT arms would reveal their size)."""
    rt_ids = {i.id for i in protocol.interventions if isinstance(i, RadiationIntervention)}
    rt_arms = {a.id for a in protocol.arms if rt_ids & set(a.interventions)}
    arm_of = dict(zip(derived.data.subjects["subject_id"].astype(str),
                      derived.data.subjects["arm_id"], strict=True))
    out = []
    for g in groups:
        if not blinded and g.key != ALL and g.key not in rt_arms:
            continue
        results = [derived.evaluations[i].abscopal for i in g.subject_ids
                   if i in derived.evaluations and (blinded or arm_of.get(i) in rt_arms)]
        if not results:
            continue
        rate = compute_abscopal_response_rate(results)
        lesion = (compute_proportion_ci(rate.lesions_responding, rate.lesions_evaluable)
                  if rate.lesions_evaluable else None)
        patient = (compute_proportion_ci(rate.patients_responding, rate.patients_evaluable)
                   if rate.patients_evaluable else None)
        out.append(AbscopalGroup(g.key, rate, lesion, patient))
    return tuple(out)


def adverse_event_records(aes: pd.DataFrame, *, version: str = "ctcae_v5"
                          ) -> list[AdverseEvent]:
    """``TrialData.adverse_events`` rows as the toxicity engine's AdverseEvent records."""
    out = []
    for row in aes.to_dict("records"):
        onset = _as_date(row["onset_date"])
        if onset is None:
            raise InputError(f"adverse_events.onset_date is missing for subject "
                             f"{row['subject_id']}, term {row['term']!r}")
        out.append(AdverseEvent(str(row["subject_id"]), str(row["term"]), int(row["grade"]),
                                onset, _as_date(row["resolution_date"]),
                                serious=bool(row["serious"]),
                                immune_related=bool(row["immune_related"]), version=version))
    return out


def _ae_rows(events: Sequence[AdverseEvent], groups: Sequence[Group], *,
             immune_related_only: bool) -> tuple[AeRow, ...]:
    worst = derive_worst_grades(events, by_term=True, immune_related_only=immune_related_only)
    terms = sorted({w.term for w in worst if w.term is not None})
    rows = []
    for g in groups:
        ids = set(g.subject_ids)
        for term in terms:
            grades = [w.grade for w in worst if w.term == term and w.subject_id in ids]
            counts = tuple(grades.count(k) for k in range(1, 6))
            rows.append(AeRow(term, g.key, len(g.subject_ids),
                              (counts[0], counts[1], counts[2], counts[3], counts[4])))
    return tuple(rows)


def _lymphopenia(derived: DerivedTrial, protocol: Protocol, groups: Sequence[Group],
                 pair: tuple[Group, Group] | None) -> Lymphopenia:
    endpoint = next((e for e in protocol.endpoints
                     if e.kind is EndpointKind.LYMPHOPENIA_GRADE2_AT_TIMEPOINT), None)
    if endpoint is None or endpoint.timepoint_days is None:
        return Lymphopenia(False, "the protocol has no lymphopenia endpoint at a timepoint",
                           "", (), None, {})
    anchor = endpoint.timepoint_anchor or AnchorEvent.ENROLMENT
    window = endpoint.timepoint_window_days or 0
    anchor_text = {AnchorEvent.RT_LAST_FRACTION: "the last RT fraction",
                   AnchorEvent.RT_FIRST_FRACTION: "the first RT fraction"}.get(
                       anchor, anchor.value.replace("_", " "))
    text = (f"grade ≥ 2 at {endpoint.timepoint_days} days after {anchor_text} "
            f"(window ±{window} days; value closest to the target day)")
    data = derived.data
    anchors = _anchor_dates(data, anchor)
    labs = data.labs[data.labs["test"] == "LYM"]
    term = "Lymphocyte count decreased"
    by_subject: dict[str, list[DatedLabGrade]] = {}
    for row in labs.to_dict("records"):
        day = _as_date(row["lab_date"])
        if day is None:
            continue
        grade = grade_lab(term, float(row["value"]), str(row["unit"]), version="ctcae_v5",
                          lln=None if _is_missing(row["lln"]) else float(row["lln"]),
                          uln=None if _is_missing(row["uln"]) else float(row["uln"]))
        by_subject.setdefault(str(row["subject_id"]), []).append(DatedLabGrade(day, grade))
    met: dict[str, bool | None] = {}
    for sid, start in anchors.items():
        result = classify_grade_at_timepoint(
            by_subject.get(sid, []), term=term, anchor_date=start,
            offset_days=endpoint.timepoint_days, window_before_days=window,
            window_after_days=window, min_grade=2)
        met[sid] = result.met
    rates = []
    missing: dict[str, int] = {}
    for g in groups:
        values = [met.get(i) for i in g.subject_ids]
        known = [v for v in values if v is not None]
        missing[g.key] = len(values) - len(known)
        if known:
            rates.append((g.key, compute_proportion_ci(sum(known), len(known))))
    fisher = None
    if pair is not None:
        by = dict(rates)
        e, c = by.get(pair[0].key), by.get(pair[1].key)
        design = next((d for d in protocol.statistical_design
                       if isinstance(d, FisherExactDesign) and d.endpoint == endpoint.id), None)
        alternative = ("less" if design is not None and design.sides == 1
                       and design.p_treatment < design.p_control else "two-sided")
        if e is not None and c is not None:
            fisher = compute_fisher_exact(e.events, e.n, c.events, c.n, alternative=alternative)
    return Lymphopenia(True, "", text, tuple(rates), fisher, missing)


def _anchor_dates(data: Any, anchor: AnchorEvent) -> dict[str, dt.date]:
    """Per subject, the date of the endpoint's anchor event (subjects without it are left
    out: e.g. no RT, no 'last fraction')."""
    subjects = data.subjects[data.subjects["enrolment_date"].notna()]
    if anchor in (AnchorEvent.RT_LAST_FRACTION, AnchorEvent.RT_FIRST_FRACTION,
                  AnchorEvent.IMPLANT):
        fx = data.rt_fractions
        grouped = fx.groupby(fx["subject_id"].astype(str))["fraction_date"]
        dates = grouped.min() if anchor is not AnchorEvent.RT_LAST_FRACTION else grouped.max()
        return {k: d for k, v in dates.items() if (d := _as_date(v)) is not None}
    return {str(k): d for k, v in zip(subjects["subject_id"], subjects["enrolment_date"],
                                      strict=True) if (d := _as_date(v)) is not None}


def _regimens(derived: DerivedTrial, protocol: Protocol, options: ReportOptions
              ) -> tuple[RegimenRow, ...]:
    fx = derived.data.rt_fractions
    rows = []
    common = _common_interventions(protocol)
    for iv in protocol.interventions:
        if not isinstance(iv, RadiationIntervention) or iv.isotope is not None:
            continue
        if options.blinded and iv.id not in common:
            continue
        sub = fx[(fx["intervention_id"] == iv.id) & fx["dose_gy"].notna()]
        if sub.empty:
            continue
        per_subject = sub.groupby("subject_id").agg(dose=("dose_gy", "first"),
                                                    fractions=("fraction_number", "count"))
        for (dose, fractions), group in per_subject.groupby(["dose", "fractions"]):
            lq = tuple(compute_lq(float(dose), int(fractions), alpha_beta_gy=ab)
                       for ab in options.alpha_betas_gy)
            rows.append(RegimenRow(iv.name, f"{float(dose):g} Gy × {int(fractions)}",
                                   len(group), lq))
    return tuple(rows)


def _common_interventions(protocol: Protocol) -> set[str]:
    sets = [set(a.interventions) for a in protocol.arms]
    return set.intersection(*sets) if sets else set()


def _dose_metrics(derived: DerivedTrial, protocol: Protocol, options: ReportOptions
                  ) -> tuple[MetricRow, ...]:
    dm = derived.data.dose_metrics
    common = _common_interventions(protocol)
    rows = []
    for iv in protocol.interventions:
        if not isinstance(iv, RadiationIntervention):
            continue
        if options.blinded and iv.id not in common:
            continue
        ranges = {r.metric.value: r for r in iv.prescription}
        for metric, group in dm[dm["intervention_id"] == iv.id].groupby("metric", sort=True):
            values = group["value"].astype(float).to_numpy()
            q1, med, q3 = np.percentile(values, [25, 50, 75])
            within = ""
            rng = ranges.get(str(metric))
            if rng is not None:
                ok = np.ones(len(values), dtype=bool)
                if rng.min_gy is not None:
                    ok &= values >= rng.min_gy
                if rng.max_gy is not None:
                    ok &= values <= rng.max_gy
                within = _pct(int(ok.sum()), len(values))
            rows.append(MetricRow(iv.name, str(metric), str(group["unit"].iloc[0]), len(values),
                                  float(med), float(q1), float(q3), float(values.min()),
                                  float(values.max()), within))
    return tuple(rows)


def _stages(derived: DerivedTrial, protocol: Protocol) -> tuple[StageDecision, ...]:
    s = derived.data.subjects
    out = []
    simon_designs = [d for d in protocol.statistical_design if isinstance(d, SimonTwoStageDesign)]
    for stage in protocol.design.stages:
        rows = s[(s["stage_id"] == stage.id) & s["enrolment_date"].notna()]
        rows = rows.sort_values("enrolment_date")
        ids = [str(i) for i in rows["subject_id"]]
        rule = stage.decision_rule
        bors = [_bor(derived.evaluations.get(i), "recist_1_1") for i in ids]
        responders = sum(b in RESPONDERS["recist_1_1"] for b in bors)
        orr = compute_proportion_ci(responders, len(ids)) if ids else None
        simon = decision = None
        if isinstance(rule, SimonTwoStageRule):
            spec = simon_designs[0] if simon_designs else None
            if spec is not None and spec.p0 is not None and spec.p1 is not None:
                simon = compute_simon_characteristics(rule.r1, rule.n1, rule.r, rule.n,
                                                      p0=spec.p0, p1=spec.p1)
                first = bors[:rule.n1]
                if len(first) == rule.n1:
                    decision = classify_simon_stage1(
                        sum(b in RESPONDERS["recist_1_1"] for b in first), design=simon)
            text = (decision.reason if decision else
                    f"Simon rule r1/n1 = {rule.r1}/{rule.n1}, r/n = {rule.r}/{rule.n}: "
                    f"{len(ids)} of {rule.n1} stage-1 patients evaluated so far")
            name = "Simon two-stage"
        elif isinstance(rule, InvestigatorReviewRule):
            name = "investigator review"
            text = ("No Simon (or other formal) boundary is stated in the registry record: "
                    f"the decision is the investigators' ({rule.description})")
        elif isinstance(rule, SafetyRunInRule):
            name = "safety run-in"
            text = ("DLT limits not stated in the registry record; the gate needs a recorded "
                    "decision" if rule.max_dlt is None else
                    f"continue if at most {rule.max_dlt} of {rule.n} have a DLT")
        else:
            name, text = "none", "no decision rule (last stage)"
        out.append(StageDecision(stage.label, name, responders, len(ids), orr, simon, decision,
                                 text))
    return tuple(out)


def build_report(
    derived: DerivedTrial,
    protocol: Protocol,
    *,
    options: ReportOptions | None = None,
) -> TrialReport:
    """Compute every number of the trial report from derived data.

    Parameters
    ----------
    derived : DerivedTrial
        From :func:`abscopal.report.derive.derive_trial` (responses filled).
    protocol : Protocol
        The protocol the data were captured under.
    options : ReportOptions, optional

    Rules
    -----
    1. Denominators are all enrolled subjects of the group (intention to treat); a subject
       without a post-baseline assessment counts as NE (RECIST 1.1 §4.4).
    2. ORR = CR + PR; DCR = CR + PR + SD + NON-CR/NON-PD (iRECIST: the i-categories);
       Clopper–Pearson 95 % CIs (``compute_proportion_ci``).
    3. BOR needs confirmation unless the trial is randomised (RECIST 1.1 §4.6;
       ``derive.default_response_params``).
    4. PFS/OS from enrolment via ``derive_time_to_event`` (FDA 2018 censoring; the protocol's
       imaging interval for the missed-assessment rule); KM with the stated CI type.
    5. Log-rank and Cox HR only between exactly two randomised arms, never when blinded.
    6. AEs: each subject counted once per term at the worst grade (``derive_worst_grades``).
    7. Lymphopenia endpoint: ``classify_grade_at_timepoint`` (closest value in the window)
       on CTCAE v5.0 grades; subjects without a value in the window are missing, not
       negative; Fisher's exact test between randomised arms, one-sided when the protocol's
       Fisher design is.
    """
    opts = options or ReportOptions()
    cut = opts.data_cut or _latest_date(derived)
    groups = _groups(derived, protocol, opts.blinded)
    responses = _responses(derived, groups)
    pair = None if opts.blinded else _randomised_pair(protocol, groups)
    events = adverse_event_records(derived.data.adverse_events)
    notes = [
        f"Data cut-off {cut.isoformat()}; protocol version {derived.data.protocol_version}.",
        "Response: " + ", ".join(c.replace("recist_1_1", "RECIST 1.1").replace(
            "irecist", "iRECIST") for c in derived.criteria)
        + (" (confirmed BOR)" if derived.params.require_confirmation else
           " (BOR without confirmation: randomised trial)") + ".",
    ]
    if opts.blinded:
        notes.append("Blinded report: arms pooled; no by-arm results, arm comparisons or "
                     "arm-specific exposure.")
    return TrialReport(
        registry_id=protocol.identity.registry_id,
        title=protocol.identity.title,
        protocol_version=derived.data.protocol_version,
        data_cut=cut,
        blinded=opts.blinded,
        options=opts,
        groups=groups,
        criteria=derived.criteria,
        require_confirmation=derived.params.require_confirmation,
        consort=_consort(derived, protocol, groups, opts.blinded),
        baseline=_baseline(derived, groups),
        responses=responses,
        comparisons=_comparisons(responses, pair),
        survival=_survival(derived, protocol, groups, opts, cut),
        abscopal=_abscopal(derived, protocol, groups, opts.blinded),
        adverse_events=_ae_rows(events, groups, immune_related_only=False),
        immune_related=_ae_rows(events, groups, immune_related_only=True),
        lymphopenia=_lymphopenia(derived, protocol, groups, pair),
        regimens=_regimens(derived, protocol, opts),
        dose_metrics=_dose_metrics(derived, protocol, opts),
        design_check=validate_statistical_design(protocol),
        stages=() if opts.blinded else _stages(derived, protocol),
        notes=tuple(notes),
        derived=derived,
    )


__all__ = [
    "ALL",
    "RULE_VERSION",
    "ReportOptions",
    "TrialReport",
    "adverse_event_records",
    "build_report",
    "time_to_event_inputs",
]
