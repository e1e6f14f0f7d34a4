"""Shared internals: the response labels, the prepared (integer) form of a patient record,
target-lesion classification in exact arithmetic, and readable number formatting."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from abscopal.errors import CriteriaError, InputError
from abscopal.response._rules import SCALE, ResponseParams, ResponseRules
from abscopal.response.model import (
    LesionRole,
    NewLesionCategory,
    NewLesionStatus,
    NonTargetStatus,
    Observation,
    PatientRecord,
    TargetStatus,
    to_units,
)


class Response(StrEnum):
    """Timepoint and best-response labels (RECIST 1.1 and iRECIST)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "NON-CR/NON-PD"
    PD = "PD"
    NE = "NE"
    ICR = "iCR"
    IPR = "iPR"
    ISD = "iSD"
    NON_ICR_NON_IUPD = "NON-iCR/NON-iUPD"
    IUPD = "iUPD"
    ICPD = "iCPD"


class NewLesionFinding(StrEnum):
    """What the new lesions say at one timepoint (R11 §4.3.5)."""

    NONE = "none"
    EQUIVOCAL = "equivocal"
    PRESENT = "present"


@dataclass(slots=True)
class Prepared:
    """A patient record in integer units, lesions sorted by id (order never matters)."""

    patient_id: str
    dates: list[dt.date]
    reference_date: dt.date
    reference_is_baseline: bool
    target_ids: list[str]
    target_nodal: list[bool]
    target_in_field: list[bool]
    target_values: list[list[int | None]]  # [assessment][target]
    nt_ids: list[str]
    nt_status: list[list[NonTargetStatus]]  # [assessment][non-target]
    new_ids: list[str]
    new_category: dict[str, NewLesionCategory]
    new_status: list[dict[str, tuple[NewLesionStatus, int | None]]]  # present-ish only


def _units_of(fr: Fraction, name: str) -> int:
    u = fr * SCALE
    if u.denominator != 1:
        raise InputError(f"rule '{name}' must be a multiple of 0.0001 mm (got {fr})")
    return int(u)


def prepare(
    record: PatientRecord, rules: ResponseRules, params: ResponseParams
) -> Prepared:
    """Convert a record to integer units; raise if a target has no baseline measurement."""
    too_small = _units_of(rules.too_small_mm, "too_small_mm")
    node_normal = rules.node_normal_below_mm * SCALE
    targets = sorted(
        (les for les in record.lesions if les.role is LesionRole.TARGET), key=lambda x: x.lesion_id
    )
    moved = [t for t in targets if params.exclude_in_field_from_targets and t.in_field]
    targets = [t for t in targets if t not in moved]
    nts = sorted(
        (les for les in record.lesions if les.role is LesionRole.NON_TARGET),
        key=lambda x: x.lesion_id,
    )
    news = sorted(
        (les for les in record.lesions if les.role is LesionRole.NEW), key=lambda x: x.lesion_id
    )
    tv_all: list[list[int | None]] = []
    nt_all: list[list[NonTargetStatus]] = []
    new_all: list[dict[str, tuple[NewLesionStatus, int | None]]] = []
    target_ids = [t.lesion_id for t in targets]
    moved_ids = [(t.lesion_id, t.is_nodal) for t in moved]
    nt_ids = [n.lesion_id for n in nts]
    new_ids = [n.lesion_id for n in news]
    not_assessed, disappeared = TargetStatus.NOT_ASSESSED, TargetStatus.DISAPPEARED

    def value(ob: Observation | None) -> int | None:
        if ob is None or ob.status is not_assessed:
            return None
        if ob.status is disappeared:
            return 0
        if ob.fragments_mm:
            return sum(fast_units(f) for f in ob.fragments_mm)
        if ob.size_mm is not None:
            return fast_units(ob.size_mm)
        return too_small  # too small to measure, no value given: 5 mm (R11 §4.3.2)

    for a in record.assessments:
        by_id = {ob.lesion_id: ob for ob in a.observations}
        tv_all.append([value(by_id.get(lid)) for lid in target_ids])
        moved_status: list[NonTargetStatus] = []
        for lid, nodal in moved_ids:
            v = value(by_id.get(lid))
            if v is None:
                moved_status.append(NonTargetStatus.NOT_ASSESSED)
            elif v == 0 or (nodal and v < node_normal):
                moved_status.append(NonTargetStatus.ABSENT)
            else:
                moved_status.append(NonTargetStatus.PRESENT)
        nstat: list[NonTargetStatus] = []
        for lid in nt_ids:
            ob = by_id.get(lid)
            nstat.append(NonTargetStatus.NOT_ASSESSED if ob is None
                         else ob.status)  # type: ignore[arg-type]  # checked by role
        nt_all.append(nstat + moved_status)
        new_d: dict[str, tuple[NewLesionStatus, int | None]] = {}
        for lid in new_ids:
            ob = by_id.get(lid)
            if ob is not None and ob.status is not NewLesionStatus.ABSENT:
                size = None if ob.size_mm is None else fast_units(ob.size_mm)
                new_d[lid] = (ob.status, size)  # type: ignore[assignment]  # checked by role
        new_all.append(new_d)
    for t, v in zip(targets, tv_all[0], strict=True):
        if v is None:
            raise CriteriaError(
                f"patient {record.patient_id!r}, lesion {t.lesion_id!r}, assessment "
                f"{record.baseline_date}: target lesion has no baseline measurement "
                "(RECIST 1.1 §4.2)"
            )
    ref = record.treatment_start_date
    return Prepared(
        patient_id=record.patient_id,
        dates=[a.assessment_date for a in record.assessments],
        reference_date=ref if ref is not None else record.baseline_date,
        reference_is_baseline=ref is None,
        target_ids=[t.lesion_id for t in targets],
        target_nodal=[t.is_nodal for t in targets],
        target_in_field=[t.in_field for t in targets],
        target_values=tv_all,
        nt_ids=[n.lesion_id for n in nts] + [t.lesion_id for t in moved],
        nt_status=nt_all,
        new_ids=[n.lesion_id for n in news],
        new_category={
            n.lesion_id: n.new_category or NewLesionCategory.NLNT for n in news
        },
        new_status=new_all,
    )


# --- formatting ----------------------------------------------------------------------


def mm(units: int | Fraction) -> str:
    """Format integer units as mm without trailing zeros: 570000 -> '57', 322000 -> '32.2'."""
    if isinstance(units, Fraction):
        if units.denominator != 1:
            return f"{float(units) / SCALE:g}"
        units = int(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), SCALE)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:04d}".rstrip("0")


def to_mm_decimal(units: int | None) -> Decimal | None:
    """Exact Decimal in mm, no exponent notation (1000000 -> Decimal('100'))."""
    return None if units is None else Decimal(mm(units))


def _tenths_of_percent(num: int, den: int) -> int:
    """round(num / den * 100, 1) in tenths of a percent, half to even, exactly (den > 0)."""
    q, r = divmod(num * 1000, den)
    if 2 * r > den or (2 * r == den and q % 2):
        q += 1
    return q


def pct(num: int, den: int) -> str:
    """Signed percent change num/den, one decimal: '+21.3 %'."""
    if den == 0:
        return "n/a %"
    q = _tenths_of_percent(num, den)
    return f"{'-' if q < 0 else '+'}{abs(q) // 10}.{abs(q) % 10} %"


def pct_decimal(num: int, den: int) -> Decimal | None:
    """Percent change rounded to 0.1 (display only; classification is exact)."""
    if den == 0:
        return None
    return Decimal(_tenths_of_percent(num, den)).scaleb(-1)


def fast_units(size_mm: Decimal) -> int:
    """Units of an already validated size (PatientRecord checks sign and decimals)."""
    if isinstance(size_mm, Decimal):
        return int(size_mm.scaleb(4))
    return to_units(size_mm)


# --- target classification ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Integer form of a rule table for fast exact comparisons."""

    pr_num: int
    pr_den: int
    pd_num: int
    pd_den: int
    pd_abs: Fraction
    node_normal: Fraction
    icpd_abs: Fraction
    pr_decrease_text: str
    pd_increase_text: str

    @classmethod
    def of(cls, rules: ResponseRules) -> Thresholds:
        return _thresholds_of(rules)

    @classmethod
    def build(cls, rules: ResponseRules) -> Thresholds:
        return cls(
            pr_num=rules.pr_max_ratio.numerator,
            pr_den=rules.pr_max_ratio.denominator,
            pd_num=rules.pd_min_ratio.numerator,
            pd_den=rules.pd_min_ratio.denominator,
            pd_abs=rules.pd_min_increase_mm * SCALE,
            node_normal=rules.node_normal_below_mm * SCALE,
            icpd_abs=rules.icpd_min_increase_mm * SCALE,
            pr_decrease_text=f"{float((1 - rules.pr_max_ratio) * 100):g} %",
            pd_increase_text=(
                f"+{float((rules.pd_min_ratio - 1) * 100):g} % and "
                f"+{mm(rules.pd_min_increase_mm * SCALE)} mm"
            ),
        )

    def is_pd(self, cur: int, nadir: int) -> bool:
        """Sum >= ratio x nadir and sum - nadir >= the absolute minimum (exact)."""
        return cur * self.pd_den >= nadir * self.pd_num and cur - nadir >= self.pd_abs

    def is_pr(self, cur: int, base: int) -> bool:
        return cur * self.pr_den <= base * self.pr_num


@functools.lru_cache(maxsize=64)
def _thresholds_of(rules: ResponseRules) -> Thresholds:
    return Thresholds.build(rules)


@dataclass(frozen=True, slots=True)
class TargetCall:
    """Target-lesion response at one timepoint, with its numbers and reason."""

    response: Response
    sum_units: int | None  # None when a target is missing
    partial_units: int
    reason: str


def classify_targets(
    values: list[int | None],
    nodal: list[bool],
    *,
    base: int,
    nadir: int,
    nadir_date: dt.date,
    th: Thresholds,
    after_cr: bool,
    pd_after_cr: bool,
    ids: list[str],
) -> TargetCall:
    """R11 §4.3.1 in the order NE -> PD -> CR -> PR -> SD (recist_spec §3.1)."""
    partial = 0
    missing: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            missing.append(ids[i])
        else:
            partial += v
    pd = th.is_pd(partial, nadir)

    def over() -> str:
        sign = "+" if partial >= nadir else "-"
        return ((f"{pct(partial - nadir, nadir)} and " if nadir else "")
                + f"{sign}{mm(abs(partial - nadir))} mm over nadir {mm(nadir)} mm ({nadir_date})")

    if missing:
        if pd:
            return TargetCall(
                Response.PD, None, partial,
                f"PD: partial sum {mm(partial)} mm (without {', '.join(missing)}) is {over()}: "
                "PD whatever the missing lesions measure (R11 §4.4.2)",
            )
        return TargetCall(
            Response.NE, None, partial,
            f"NE: target(s) {', '.join(missing)} not assessed; partial sum {mm(partial)} mm "
            "does not reach PD (R11 §4.4.2)",
        )
    if pd:
        return TargetCall(Response.PD, partial, partial, f"PD: sum {mm(partial)} mm is {over()}")
    if after_cr and pd_after_cr:
        back = [
            ids[i] for i, v in enumerate(values)
            if v is not None and ((v >= th.node_normal) if nodal[i] else v > 0)
        ]
        if back:
            return TargetCall(
                Response.PD, partial, partial,
                f"PD: target(s) {', '.join(back)} reappeared after CR (sum {mm(partial)} mm; "
                "pd_after_cr_reappearance, FAQ-R)",
            )
    full = [v for v in values if v is not None]
    if all((v < th.node_normal) if nodal[i] else v == 0 for i, v in enumerate(full)):
        return TargetCall(
            Response.CR, partial, partial,
            f"CR: all non-nodal targets 0 mm, nodal short axes < {mm(th.node_normal)} mm "
            f"(sum {mm(partial)} mm; R11 §4.3.1)",
        )
    base_txt = f"{pct(partial - base, base)} from baseline {mm(base)} mm"
    if th.is_pr(partial, base):
        return TargetCall(
            Response.PR, partial, partial,
            f"PR: sum {mm(partial)} mm is {base_txt} (decrease >= {th.pr_decrease_text})",
        )
    return TargetCall(
        Response.SD, partial, partial,
        f"SD: sum {mm(partial)} mm is {base_txt}; {over()}",
    )


def classify_non_targets(
    statuses: list[NonTargetStatus], ids: list[str], *, after_cr: bool, pd_after_cr: bool
) -> tuple[Response | None, str]:
    """R11 §4.3.3-4.3.4: PD > NE > CR > NON-CR/NON-PD; None when there are no non-targets."""
    if not statuses:
        return None, "no non-target lesions"
    prog = [ids[i] for i, s in enumerate(statuses) if s is NonTargetStatus.UNEQUIVOCAL_PROGRESSION]
    if prog:
        return Response.PD, f"non-target PD: unequivocal progression of {', '.join(prog)}"
    if after_cr and pd_after_cr:
        back = [ids[i] for i, s in enumerate(statuses)
                if s in (NonTargetStatus.PRESENT, NonTargetStatus.INCREASED)]
        if back:
            return Response.PD, (
                f"non-target PD: {', '.join(back)} reappeared after CR "
                "(pd_after_cr_reappearance, FAQ-R)"
            )
    ne = [ids[i] for i, s in enumerate(statuses) if s is NonTargetStatus.NOT_ASSESSED]
    if ne:
        return Response.NE, f"non-target NE: {', '.join(ne)} not assessed"
    if all(s is NonTargetStatus.ABSENT for s in statuses):
        return Response.CR, "non-target CR: all non-target lesions absent"
    return Response.NON_CR_NON_PD, "non-target NON-CR/NON-PD: non-target disease persists"
