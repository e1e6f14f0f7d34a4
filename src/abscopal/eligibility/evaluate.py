"""Evaluate rules for one patient: three-valued per criterion, then per trial.

Rules
-----
1. A rule node is *met*, *not met* or *unknown*; unknown names the missing data.
2. ``all``/``any``/``not`` follow Kleene's strong three-valued logic.
3. ``if``: the ``then``/``else`` branch by the condition; an unknown condition gives a known
   result only when both branches agree.
4. Measurements: the latest one on or before the screening date (ties: the later one in the
   file); if it is older than the window, or lacks a value, unit or reference range, unknown.
5. Events: overlapping the window (start <= screening date and end (or start) >= window
   start). No matching event is "not met" only if the record covers the window
   (an observation period that starts on or before the window start and runs to the
   screening date); otherwise unknown.
6. Per criterion: an inclusion passes when met, an exclusion when not met; manual criteria are
   "to confirm". Per trial: any failure -> not eligible; else any unknown/manual -> to
   confirm; else eligible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from abscopal.eligibility._windows import parse_window
from abscopal.eligibility.concepts import CONCEPT_SETS
from abscopal.eligibility.derived import (
    compare_value,
    compute_age_years,
    compute_bsa_mosteller_m2,
    compute_crcl_cockcroft_gault_ml_min,
)
from abscopal.eligibility.language import (
    RULE_LANGUAGE_VERSION,
    AgeRule,
    AllRule,
    AnyRule,
    BsaRule,
    CreatinineClearanceRule,
    EventRule,
    FactRule,
    IfRule,
    MeasurementRule,
    NotRule,
    Op,
    Rule,
)
from abscopal.eligibility.measurements import MEASUREMENTS, unit_factor_for
from abscopal.eligibility.patient import Patient, PatientMeasurement

if TYPE_CHECKING:
    from abscopal.protocol.criteria import Criterion
    from abscopal.protocol.model import Protocol


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    MANUAL = "manual"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    TO_CONFIRM = "to_confirm"


class TrialStatus(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    TO_CONFIRM = "to_confirm"


@dataclass(frozen=True)
class Outcome:
    """Result of one rule node: status, the values used, and what was missing."""

    status: Status
    values: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    kind: str
    text: str
    status: Status
    verdict: Verdict
    rule_text: str | None
    values: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()
    manual_reason: str | None = None


@dataclass(frozen=True)
class TrialResult:
    registry_id: str
    patient_id: str
    as_of: date
    status: TrialStatus
    criteria: tuple[CriterionResult, ...]
    rule_language_version: str = RULE_LANGUAGE_VERSION
    counts: dict[str, int] = field(default_factory=dict)


def _bool(flag: bool) -> Status:
    return Status.MET if flag else Status.NOT_MET


class _Context:
    def __init__(self, patient: Patient, as_of: date) -> None:
        self.patient = patient
        self.as_of = as_of
        self.by_name: dict[str, list[PatientMeasurement]] = {}
        for m in patient.measurements:
            key = m.key
            if key is not None and m.date <= as_of:
                self.by_name.setdefault(key, []).append(m)

    def latest(self, name: str) -> PatientMeasurement | None:
        rows = self.by_name.get(name)
        if not rows:
            return None
        best = rows[0]
        for row in rows[1:]:
            if row.date >= best.date:
                best = row
        return best

    def covered_from(self, start: date) -> bool:
        periods = self.patient.observation_periods
        if periods is None:
            return True
        return any(p.start <= start and p.end >= self.as_of for p in periods)


def _compare_all(value: float, comparisons: Sequence[tuple[Op, float]]) -> bool:
    return all(compare_value(value, op, t) for op, t in comparisons)


def _canonical_measurement(
    ctx: _Context, name: str, within_start: date
) -> tuple[float | None, PatientMeasurement | None, str | None]:
    """(value in canonical unit, the record, why missing)."""
    row = ctx.latest(name)
    if row is None or row.date < within_start:
        return None, row, f"{name} on or after {within_start.isoformat()}"
    if row.value is None:
        return None, row, f"{name} value ({row.date.isoformat()})"
    factor = unit_factor_for(name, row.unit)
    if factor is None:
        return None, row, f"{name} in a known unit (got {row.unit!r})"
    return row.value * factor, row, None


def _eval_measurement(rule: MeasurementRule, ctx: _Context) -> Outcome:
    start = rule.window.start_date(ctx.as_of)
    spec = MEASUREMENTS[rule.name]
    if rule.relative_to is None:
        value, row, missing = _canonical_measurement(ctx, rule.name, start)
        if value is None or row is None:
            return Outcome(Status.UNKNOWN, missing=(missing or rule.name,))
        unit = "" if spec.unit == "1" else f" {spec.unit}"
        shown = (rule.name, f"{value:g}{unit} ({row.date.isoformat()})")
        return Outcome(_bool(_compare_all(value, rule.canonical_comparisons())), (shown,))
    row = ctx.latest(rule.name)
    if row is None or row.date < start:
        return Outcome(Status.UNKNOWN, missing=(f"{rule.name} on or after {start.isoformat()}",))
    limit = row.ref_high if rule.relative_to == "uln" else row.ref_low
    if row.value is None:
        return Outcome(Status.UNKNOWN, missing=(f"{rule.name} value ({row.date.isoformat()})",))
    if limit is None or limit <= 0:
        return Outcome(Status.UNKNOWN, missing=(
            f"{rule.name} reference range ({rule.relative_to.upper()}, {row.date.isoformat()})",))
    ratio = row.value / limit
    shown = (rule.name, f"{row.value:g} = {ratio:.3g} x {rule.relative_to.upper()} "
                        f"{limit:g} ({row.date.isoformat()})")
    return Outcome(_bool(_compare_all(ratio, rule.canonical_comparisons())), (shown,))


def _age(ctx: _Context, at: str | None) -> tuple[int | None, str | None]:
    birth = ctx.patient.facts.get("birth_date")
    if not isinstance(birth, date):
        return None, "birth_date"
    on = ctx.as_of
    if at is not None:
        fact = ctx.patient.facts.get(at)
        if not isinstance(fact, date):
            return None, at
        on = fact
    if on < birth:
        return None, "birth_date before the screening date"
    return compute_age_years(birth, on=on), None


def _eval_age(rule: AgeRule, ctx: _Context) -> Outcome:
    age, missing = _age(ctx, rule.at)
    if age is None:
        return Outcome(Status.UNKNOWN, missing=(missing or "birth_date",))
    return Outcome(_bool(_compare_all(float(age), rule.comparisons())),
                   (("age_years", str(age)),))


def _eval_crcl(rule: CreatinineClearanceRule, ctx: _Context) -> Outcome:
    missing: list[str] = []
    age, why = _age(ctx, None)
    if age is None:
        missing.append(why or "birth_date")
    sex = ctx.patient.facts.get("sex")
    if sex not in ("F", "M"):
        missing.append("sex (F/M)")
    weight, _, why_w = _canonical_measurement(
        ctx, "weight", _start(rule.weight_within, ctx.as_of))
    if weight is None or weight <= 0:
        missing.append(why_w or "weight > 0")
    scr, _, why_c = _canonical_measurement(ctx, "creatinine", _start(rule.within, ctx.as_of))
    if scr is None or scr <= 0:
        missing.append(why_c or "creatinine > 0")
    if missing or age is None or weight is None or scr is None or not isinstance(sex, str):
        return Outcome(Status.UNKNOWN, missing=tuple(missing))
    crcl = compute_crcl_cockcroft_gault_ml_min(age, weight_kg=weight, creatinine_mg_dl=scr, sex=sex)
    values = (("crcl_ml_min", f"{crcl:.4g}"), ("age_years", str(age)), ("sex", sex),
              ("weight_kg", f"{weight:g}"), ("creatinine_mg_dl", f"{scr:.4g}"))
    return Outcome(_bool(_compare_all(crcl, rule.canonical_comparisons())), values)


def _start(within: str, as_of: date) -> date:
    return parse_window(within).start_date(as_of)


def _eval_bsa(rule: BsaRule, ctx: _Context) -> Outcome:
    start = _start(rule.within, ctx.as_of)
    weight, _, why_w = _canonical_measurement(ctx, "weight", start)
    height, _, why_h = _canonical_measurement(ctx, "height", start)
    missing = [m for m, v in ((why_w or "weight > 0", weight), (why_h or "height > 0", height))
               if v is None or v <= 0]
    if missing or weight is None or height is None:
        return Outcome(Status.UNKNOWN, missing=tuple(missing))
    bsa = compute_bsa_mosteller_m2(height_cm=height, weight_kg=weight)
    return Outcome(_bool(_compare_all(bsa, rule.canonical_comparisons())),
                   (("bsa_m2", f"{bsa:.4g}"), ("height_cm", f"{height:g}"),
                    ("weight_kg", f"{weight:g}")))


def _eval_fact(rule: FactRule, ctx: _Context) -> Outcome:
    value = ctx.patient.facts.get(rule.field)
    if value is None:
        return Outcome(Status.UNKNOWN, missing=(rule.field,))
    shown = ((rule.field, str(value).lower() if isinstance(value, bool) else str(value)),)
    if isinstance(rule.value, bool) or isinstance(rule.value, str):
        equal = value == rule.value
        return Outcome(_bool(equal if rule.op == "==" else not equal), shown)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Outcome(Status.UNKNOWN, missing=(f"{rule.field} as a number",))
    return Outcome(_bool(compare_value(float(value), rule.op, rule.threshold())), shown)


def count_outcome(count: int, op: Op, target: int, *, covered: bool) -> Status:
    """Decide ``count op target`` when ``count`` may be a lower bound (record not covering)."""
    holds = compare_value(float(count), op, float(target))
    if covered:
        return _bool(holds)
    if op in (">=", ">"):
        return Status.MET if holds else Status.UNKNOWN
    if op in ("<", "<="):
        return Status.UNKNOWN if holds else Status.NOT_MET
    if count > target:
        return Status.NOT_MET if op == "==" else Status.MET
    return Status.UNKNOWN


def _eval_event(rule: EventRule, ctx: _Context) -> Outcome:
    concept_set = CONCEPT_SETS[rule.concept_set]
    window = rule.window
    start = window.start_date(ctx.as_of) if window is not None else None
    n = 0
    seen: list[str] = []
    for event in ctx.patient.events:
        if event.domain != concept_set.domain or event.date > ctx.as_of:
            continue
        if start is not None and (event.end_date or event.date) < start:
            continue
        if any(concept_set.matches(c.vocabulary, c.code) for c in event.codes):
            n += 1
            seen.append(f"{event.label or event.codes[0].code} {event.date.isoformat()}")
    covered = ctx.covered_from(start if start is not None else ctx.as_of)
    status = count_outcome(n, rule.op, rule.count, covered=covered)
    values = ((rule.concept_set, "; ".join(seen) if seen else "none recorded"),)
    missing: tuple[str, ...] = ()
    if status is Status.UNKNOWN:
        since = start.isoformat() if start else "ever"
        missing = (f"complete record of {rule.concept_set} since {since} (observation period)",)
    return Outcome(status, values, missing)


def evaluate_rule(rule: Rule, patient: Patient, *, as_of: date) -> Outcome:
    """Evaluate one rule tree for ``patient`` on the screening date ``as_of``."""
    return _eval(rule, _Context(patient, as_of))


def _merge(children: Sequence[Outcome]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    values: list[tuple[str, str]] = []
    missing: list[str] = []
    for c in children:
        values += [v for v in c.values if v not in values]
        missing += [m for m in c.missing if m not in missing]
    return tuple(values), tuple(missing)


def _eval(rule: Rule, ctx: _Context) -> Outcome:  # noqa: C901 - one branch per node kind
    if isinstance(rule, FactRule):
        return _eval_fact(rule, ctx)
    if isinstance(rule, MeasurementRule):
        return _eval_measurement(rule, ctx)
    if isinstance(rule, AgeRule):
        return _eval_age(rule, ctx)
    if isinstance(rule, CreatinineClearanceRule):
        return _eval_crcl(rule, ctx)
    if isinstance(rule, BsaRule):
        return _eval_bsa(rule, ctx)
    if isinstance(rule, EventRule):
        return _eval_event(rule, ctx)
    if isinstance(rule, NotRule):
        inner = _eval(rule.rule, ctx)
        flipped = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}
        return Outcome(flipped.get(inner.status, Status.UNKNOWN), inner.values, inner.missing)
    if isinstance(rule, (AllRule, AnyRule)):
        children = [_eval(r, ctx) for r in rule.of]
        statuses = {c.status for c in children}
        decisive, other = ((Status.NOT_MET, Status.MET) if isinstance(rule, AllRule)
                           else (Status.MET, Status.NOT_MET))
        values, missing = _merge(children)
        if decisive in statuses:
            return Outcome(decisive, values)
        if statuses == {other}:
            return Outcome(other, values)
        return Outcome(Status.UNKNOWN, values, missing)
    assert isinstance(rule, IfRule)
    cond = _eval(rule.condition, ctx)
    if cond.status is Status.MET:
        branch = _eval(rule.then, ctx)
        return Outcome(branch.status, *_merge([cond, branch]))
    if cond.status is Status.NOT_MET:
        branch = _eval(rule.else_, ctx)
        return Outcome(branch.status, *_merge([cond, branch]))
    then, other_branch = _eval(rule.then, ctx), _eval(rule.else_, ctx)
    values, missing = _merge([cond, then, other_branch])
    if then.status == other_branch.status and then.status is not Status.UNKNOWN:
        return Outcome(then.status, values)
    return Outcome(Status.UNKNOWN, values, missing)


def classify_verdict(kind: str, status: Status) -> Verdict:
    """Inclusion met / exclusion not met -> pass; the reverse -> fail; else to confirm."""
    if status in (Status.UNKNOWN, Status.MANUAL):
        return Verdict.TO_CONFIRM
    passes = (status is Status.MET) == (kind == "inclusion")
    return Verdict.PASS if passes else Verdict.FAIL


def evaluate_criterion(criterion: Criterion, patient: Patient, *, as_of: date) -> CriterionResult:
    """Evaluate one protocol criterion (manual criteria come back as ``manual``)."""
    return _criterion(criterion, _Context(patient, as_of))


def _criterion(criterion: Criterion, ctx: _Context) -> CriterionResult:
    kind = str(criterion.kind.value)
    if criterion.rule is None:
        return CriterionResult(criterion.id, kind, criterion.text, Status.MANUAL,
                               Verdict.TO_CONFIRM, None, manual_reason=criterion.manual_reason)
    out = _eval(criterion.rule, ctx)
    return CriterionResult(criterion.id, kind, criterion.text, out.status,
                           classify_verdict(kind, out.status), criterion.rule.describe(),
                           out.values, out.missing)


def classify_trial(verdicts: Sequence[Verdict]) -> TrialStatus:
    """Any fail -> not eligible; any to-confirm -> to confirm; else eligible.

    A protocol without any criterion (not yet transcribed) is "to confirm", never eligible.
    """
    if not verdicts:
        return TrialStatus.TO_CONFIRM
    if Verdict.FAIL in verdicts:
        return TrialStatus.NOT_ELIGIBLE
    if Verdict.TO_CONFIRM in verdicts:
        return TrialStatus.TO_CONFIRM
    return TrialStatus.ELIGIBLE


def evaluate_protocol(protocol: Protocol, patient: Patient, *, as_of: date) -> TrialResult:
    """Evaluate every criterion of ``protocol`` for ``patient`` on ``as_of``."""
    ctx = _Context(patient, as_of)
    results = tuple(_criterion(c, ctx) for c in protocol.eligibility)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    return TrialResult(protocol.identity.registry_id, patient.patient_id, as_of,
                       classify_trial([r.verdict for r in results]), results, counts=counts)
