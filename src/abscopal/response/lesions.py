"""Lesion-level response, the out-of-field (non-irradiated) subset, and the abscopal response.

PROJECT CONVENTION, not RECIST (recist_spec §6): there is no standard abscopal
definition, so the definition is a protocol parameter (:class:`AbscopalDefinition`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from abscopal.response._core import (
    Response,
    Thresholds,
    classify_targets,
    mm,
    pct,
    pct_decimal,
    prepare,
    to_mm_decimal,
)
from abscopal.response._rules import (
    RECIST_1_1_RULES,
    AbscopalBasis,
    AbscopalDefinition,
    ResponseParams,
    ResponseRules,
)
from abscopal.response.model import PatientRecord
from abscopal.response.recist11 import derive_recist11_timepoints


@dataclass(frozen=True, slots=True)
class LesionTimepoint:
    """One target lesion at one follow-up assessment."""

    assessment_date: dt.date
    size_mm: Decimal | None
    change_from_baseline_mm: Decimal | None
    change_from_baseline_pct: Decimal | None
    nadir_mm: Decimal | None
    change_from_nadir_mm: Decimal | None
    change_from_nadir_pct: Decimal | None
    response: Response
    reason: str


@dataclass(frozen=True, slots=True)
class LesionResponse:
    """A target lesion's course, its per-assessment response, and whether it responded
    (per the abscopal definition) within the window."""

    lesion_id: str
    is_nodal: bool
    in_field: bool
    baseline_mm: Decimal
    timepoints: tuple[LesionTimepoint, ...]
    is_evaluable: bool
    responded: bool


@dataclass(frozen=True, slots=True)
class SubsetTimepoint:
    """The out-of-field target subset at one assessment (§3.1 rules on its own sum)."""

    assessment_date: dt.date
    sum_mm: Decimal | None
    response: Response
    reason: str


@dataclass(frozen=True, slots=True)
class AbscopalResult:
    """Lesion-level and abscopal findings for one patient.

    Attributes
    ----------
    lesions : tuple of LesionResponse
        Every target lesion, in- and out-of-field.
    out_of_field : tuple of SubsetTimepoint
        Response of the out-of-field target subset (empty if none).
    abscopal_response : bool or None
        None when the patient has no evaluable out-of-field target.
    window_end_date : date or None
        First overall RECIST 1.1 PD (assessments after it do not count), if any.
    """

    patient_id: str
    rule_version: str
    definition: AbscopalDefinition
    lesions: tuple[LesionResponse, ...]
    out_of_field: tuple[SubsetTimepoint, ...]
    abscopal_response: bool | None
    window_end_date: dt.date | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AbscopalRate:
    """Lesion-based and patient-based abscopal response rates over a cohort."""

    lesions_responding: int
    lesions_evaluable: int
    patients_responding: int
    patients_evaluable: int
    definition: AbscopalDefinition

    @property
    def lesion_rate(self) -> Fraction | None:
        return Fraction(self.lesions_responding, self.lesions_evaluable) if self.lesions_evaluable else None

    @property
    def patient_rate(self) -> Fraction | None:
        return Fraction(self.patients_responding, self.patients_evaluable) if self.patients_evaluable else None


def _meets(cur: int, base: int, f: Fraction) -> bool:
    """cur <= (1 - f) * base, exactly."""
    return cur * f.denominator <= base * (f.denominator - f.numerator)


def classify_lesion(
    size: int | None, *, baseline: int, nadir: int, is_nodal: bool, th: Thresholds
) -> tuple[Response, str]:
    """Per-lesion response: NE -> PD (own nadir) -> CR -> PR (own baseline) -> SD."""
    if size is None:
        return Response.NE, "not measured"
    if th.is_pd(size, nadir):
        return Response.PD, (f"PD: {mm(size)} mm is {pct(size - nadir, nadir)} and +{mm(size - nadir)}"
                             f" mm over its nadir {mm(nadir)} mm")
    if (size < th.node_normal) if is_nodal else size == 0:
        return Response.CR, f"CR: {mm(size)} mm" + (" (node < 10 mm)" if is_nodal else "")
    if th.is_pr(size, baseline):
        return Response.PR, f"PR: {mm(size)} mm is {pct(size - baseline, baseline)} from baseline"
    return Response.SD, (f"SD: {mm(size)} mm is {pct(size - baseline, baseline)} from baseline "
                         f"{mm(baseline)} mm")


def derive_abscopal_response(
    record: PatientRecord,
    *,
    rules: ResponseRules = RECIST_1_1_RULES,
    params: ResponseParams | None = None,
) -> AbscopalResult:
    """Per-lesion responses, the out-of-field subset response and the abscopal flag.

    Parameters
    ----------
    record : PatientRecord
        Targets carry ``in_field`` (irradiated) flags.
    rules : ResponseRules
    params : ResponseParams, optional
        ``params.abscopal`` is the definition (default: any out-of-field target with
        a >= 30 % decrease from its baseline or a lesion CR, up to the first overall PD).

    Returns
    -------
    AbscopalResult

    Rules
    -----
    1. Per lesion: NE (not measured) -> PD (>= 1.2 x own nadir and >= +5 mm) -> CR
       (non-nodal 0 mm, node < 10 mm) -> PR (<= 0.7 x own baseline) -> SD
       (recist_spec §6).
    2. Out-of-field subset: R11 §4.3.1 target rules on the sum of out-of-field targets
       (own baseline, own nadir; the reappearance-after-CR rule is not applied).
    3. Abscopal flag (basis ``lesion``): any out-of-field target decreasing by at least
       ``min_decrease_fraction`` or reaching lesion CR; (basis ``subset_sum``): the
       subset sum decreasing that much or reaching CR; counted up to and including
       the first overall RECIST 1.1 PD when ``until_first_pd`` (project convention).
    """
    p = params if params is not None else ResponseParams()
    definition = p.abscopal
    th = Thresholds.of(rules)
    prep = prepare(record, rules, replace(p, exclude_in_field_from_targets=False))
    overall = derive_recist11_timepoints(
        prepare(record, rules, p), rules=rules, params=p
    )
    pd_days = [tp.assessment_date for tp in overall if tp.overall is Response.PD]
    window_end = pd_days[0] if pd_days else None
    in_window = [
        k for k in range(1, len(prep.dates))
        if not definition.until_first_pd or window_end is None or prep.dates[k] <= window_end
    ]
    lesions: list[LesionResponse] = []
    for i, lid in enumerate(prep.target_ids):
        b = prep.target_values[0][i]
        assert b is not None  # prepare() checks baseline targets
        nadir = b
        tps: list[LesionTimepoint] = []
        responded = False
        evaluable = False
        for k in range(1, len(prep.dates)):
            v = prep.target_values[k][i]
            resp, why = classify_lesion(v, baseline=b, nadir=nadir,
                                        is_nodal=prep.target_nodal[i], th=th)
            tps.append(LesionTimepoint(
                assessment_date=prep.dates[k],
                size_mm=to_mm_decimal(v),
                change_from_baseline_mm=None if v is None else to_mm_decimal(v - b),
                change_from_baseline_pct=None if v is None else pct_decimal(v - b, b),
                nadir_mm=to_mm_decimal(nadir),
                change_from_nadir_mm=None if v is None else to_mm_decimal(v - nadir),
                change_from_nadir_pct=None if v is None else pct_decimal(v - nadir, nadir),
                response=resp,
                reason=why,
            ))
            if k in in_window and v is not None:
                evaluable = True
                if resp is Response.CR or _meets(v, b, definition.min_decrease_fraction):
                    responded = True
            if v is not None and v < nadir:
                nadir = v
        lesions.append(LesionResponse(
            lesion_id=lid, is_nodal=prep.target_nodal[i], in_field=prep.target_in_field[i],
            baseline_mm=to_mm_decimal(b) or Decimal(0), timepoints=tuple(tps),
            is_evaluable=evaluable, responded=responded,
        ))

    oof = [i for i in range(len(prep.target_ids)) if not prep.target_in_field[i]]
    subset: list[SubsetTimepoint] = []
    subset_hit = False
    subset_evaluable = False
    if oof:
        ids = [prep.target_ids[i] for i in oof]
        nodal = [prep.target_nodal[i] for i in oof]
        sb = sum(prep.target_values[0][i] or 0 for i in oof)
        snadir, snadir_date = sb, prep.dates[0]
        for k in range(1, len(prep.dates)):
            vals = [prep.target_values[k][i] for i in oof]
            call = classify_targets(vals, nodal, base=sb, nadir=snadir, nadir_date=snadir_date,
                                    th=th, after_cr=False, pd_after_cr=False, ids=ids)
            subset.append(SubsetTimepoint(prep.dates[k], to_mm_decimal(call.sum_units),
                                          call.response, call.reason))
            if call.sum_units is not None:
                if k in in_window:
                    subset_evaluable = True
                    if call.response is Response.CR or _meets(
                        call.sum_units, sb, definition.min_decrease_fraction
                    ):
                        subset_hit = True
                if call.sum_units < snadir:
                    snadir, snadir_date = call.sum_units, prep.dates[k]

    reasons: list[str] = []
    flag: bool | None
    window = f" up to the first PD on {window_end}" if window_end and definition.until_first_pd else ""
    need = f"a decrease >= {float(definition.min_decrease_fraction * 100):g} % or CR"
    if not oof:
        flag = None
        reasons.append("no out-of-field target lesion: abscopal response not evaluable")
    elif definition.basis is AbscopalBasis.LESION:
        ev = [les for les in lesions if not les.in_field and les.is_evaluable]
        hits = [les.lesion_id for les in ev if les.responded]
        flag = bool(hits) if ev else None
        reasons.append(
            f"abscopal response (basis lesion): {', '.join(hits)} reached {need}{window}"
            if hits else
            (f"no abscopal response: no out-of-field target reached {need}{window}" if ev else
             "out-of-field targets never re-measured: abscopal response not evaluable")
        )
    else:
        flag = subset_hit if subset_evaluable else None
        reasons.append(
            f"abscopal response (basis subset_sum): out-of-field sum reached {need}{window}"
            if subset_hit else
            (f"no abscopal response: out-of-field sum never reached {need}{window}"
             if subset_evaluable else "out-of-field sum never evaluable")
        )
    return AbscopalResult(
        patient_id=record.patient_id,
        rule_version=rules.version,
        definition=definition,
        lesions=tuple(lesions),
        out_of_field=tuple(subset),
        abscopal_response=flag,
        window_end_date=window_end,
        reasons=tuple(reasons),
    )


def compute_abscopal_response_rate(results: Sequence[AbscopalResult]) -> AbscopalRate:
    """Lesion-based and patient-based abscopal response rates over a cohort.

    Rules
    -----
    1. Lesion-based rate = responding out-of-field target lesions / out-of-field target
       lesions measured at least once in the window (project convention, recist_spec §6).
    2. Patient-based rate = patients with ``abscopal_response`` True / patients where it
       is not None.
    3. All results must share one definition.

    Raises
    ------
    InputError
        Results derived with different abscopal definitions.
    """
    from abscopal.errors import InputError

    defs = {r.definition for r in results}
    if len(defs) > 1:
        raise InputError("all results must use the same abscopal definition "
                         f"(got {len(defs)} different ones)")
    definition = next(iter(defs)) if defs else AbscopalDefinition()
    les = [le for r in results for le in r.lesions if not le.in_field and le.is_evaluable]
    return AbscopalRate(
        lesions_responding=sum(1 for le in les if le.responded),
        lesions_evaluable=len(les),
        patients_responding=sum(1 for r in results if r.abscopal_response),
        patients_evaluable=sum(1 for r in results if r.abscopal_response is not None),
        definition=definition,
    )
