"""iRECIST timepoint responses (iR Table 2), iUPD -> iCPD confirmation, reset, and iBOR."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from abscopal.response._core import (
    NewLesionFinding,
    Prepared,
    Response,
    TargetCall,
    Thresholds,
    classify_non_targets,
    classify_targets,
    mm,
    pct_decimal,
    prepare,
    to_mm_decimal,
)
from abscopal.response._rules import IRECIST_RULES, ResponseParams, ResponseRules
from abscopal.response.confirm import BestOverallResponse, derive_best_overall_response
from abscopal.response.model import (
    NewLesionCategory,
    NewLesionStatus,
    NonTargetStatus,
    PatientRecord,
)
from abscopal.response.recist11 import TimepointResponse, ended_timepoint

_TARGET, _NT, _NEW = "target", "non-target", "new lesion"


@dataclass(frozen=True, slots=True)
class IrecistResult:
    """Everything iRECIST derives for one patient.

    Attributes
    ----------
    timepoints : tuple of TimepointResponse
        Overall labels iCR/iPR/iSD/NON-iCR/NON-iUPD/iUPD/iCPD/NE; None after iCPD.
    ibor_confirmed, ibor_unconfirmed : BestOverallResponse
        iBOR with and without CR/PR confirmation (iR Table 3 assumes none).
    first_iupd_date : date or None
        First iUPD (the RECIST 1.1 PD date).
    confirmed_iupd_date : date or None
        The iUPD that was later confirmed (progression date for iPFS, abscopal convention).
    icpd_date : date or None
    """

    patient_id: str
    rule_version: str
    baseline_date: dt.date
    baseline_sum_mm: Decimal | None
    reference_date: dt.date
    timepoints: tuple[TimepointResponse, ...]
    ibor_confirmed: BestOverallResponse
    ibor_unconfirmed: BestOverallResponse
    require_confirmation: bool
    first_iupd_date: dt.date | None
    confirmed_iupd_date: dt.date | None
    icpd_date: dt.date | None
    notes: tuple[str, ...]

    @property
    def best_overall_response(self) -> BestOverallResponse:
        return self.ibor_confirmed if self.require_confirmation else self.ibor_unconfirmed


@dataclass(slots=True)
class _Pending:
    """An unconfirmed iUPD and the measurements it is compared with."""

    day: dt.date
    categories: set[str]
    target_sum: int
    nlt_som: int
    new_ids: frozenset[str]


def _label(t: Response | None, nt: Response | None, new_present: bool) -> tuple[Response, str]:
    """iR Table 2 left column for a timepoint without progression."""
    row = (f"iR Table 2: target {t.value if t else 'none'}, non-target "
           f"{nt.value if nt else 'none'}, new lesions {'present (not progressing)' if new_present else 'none'}")
    if t is not None:
        if t is Response.NE:
            return Response.NE, row + " -> NE"
        if t is Response.CR:
            if nt in (None, Response.CR) and not new_present:
                return Response.ICR, row + " -> iCR"
            return Response.IPR, row + " -> iPR"
        if t is Response.PR:
            return Response.IPR, row + " -> iPR"
        return Response.ISD, row + " -> iSD"
    if nt is Response.NE:
        return Response.NE, row + " -> NE"
    if nt is Response.CR and not new_present:
        return Response.ICR, row + " -> iCR"
    return Response.NON_ICR_NON_IUPD, row + " -> NON-iCR/NON-iUPD"


def _iupd_reason(
    triggers: set[str], unknown: list[str], progressed: list[str], som_pd: tuple[int, int] | None
) -> str:
    why = []
    if unknown:
        why.append(f"new lesion(s) {', '.join(unknown)}")
    if progressed:
        why.append(f"new lesion(s) {', '.join(progressed)} progressed")
    if som_pd is not None:
        why.append(f"NLT sum of measures {mm(som_pd[0])} mm meets PD over its nadir "
                   f"{mm(som_pd[1])} mm")
    return (f"iUPD ({', '.join(sorted(triggers))}): " + ("; ".join(why) if why else "RECIST 1.1 PD")
            + " - needs confirmation (iR)")


def _confirmations(
    pending: _Pending,
    can_confirm: bool,
    *,
    t: Response | None,
    nt: Response | None,
    partial: int,
    som: int,
    unknown: list[str],
    progressed: list[str],
    grew: list[str],
    th: Thresholds,
) -> list[str]:
    """What confirms the pending iUPD at this scan (iR Table 2, FAQ-i); empty if nothing."""
    conf: list[str] = []
    if unknown:
        conf.append(f"additional new lesion(s) {', '.join(unknown)}")
    if not can_confirm:
        return conf
    if _TARGET in pending.categories:
        if partial - pending.target_sum >= th.icpd_abs:
            conf.append(f"target sum {mm(partial)} mm is +{mm(partial - pending.target_sum)} mm "
                        f"over {mm(pending.target_sum)} mm at iUPD (>= {mm(th.icpd_abs)} mm)")
    elif t is Response.PD:
        conf.append("target PD in a category that had not progressed")
    if _NT in pending.categories:
        if grew:
            conf.append(f"further non-target increase ({', '.join(grew)})")
    elif nt is Response.PD:
        conf.append("non-target unequivocal progression in a category that had not progressed")
    if progressed:
        conf.append(f"new lesion(s) {', '.join(progressed)} grew")
    if som - pending.nlt_som >= th.icpd_abs:
        conf.append(f"NLT sum of measures {mm(som)} mm is +{mm(som - pending.nlt_som)} mm over "
                    f"{mm(pending.nlt_som)} mm at iUPD")
    return conf


def _still_progressed(
    pending: _Pending, t: Response | None, nt: Response | None, call: TargetCall | None,
    new_present: bool,
) -> list[str]:
    """Categories still progressed; persisting new lesions do not block a reset when the
    baseline targets shrank below the sum at iUPD and meet PR (FAQ-i scenario B)."""
    still: list[str] = []
    if t is Response.PD:
        still.append(_TARGET)
    if nt is Response.PD:
        still.append(_NT)
    if new_present:
        shrank = (
            call is not None and call.sum_units is not None
            and call.sum_units < pending.target_sum and t in (Response.PR, Response.CR)
        )
        if not shrank:
            still.append(_NEW)
    return still


def derive_irecist_timepoints(
    prep: Prepared, *, rules: ResponseRules, params: ResponseParams
) -> tuple[tuple[TimepointResponse, ...], dt.date | None, dt.date | None, dt.date | None]:
    """Per-timepoint iRECIST responses.

    Returns the timepoints, the first iUPD date, the confirmed iUPD date and the iCPD date.

    Rules
    -----
    1. Any RECIST 1.1 PD event (target >= +20 % and +5 mm over nadir, unequivocal
       non-target progression, a new lesion) is iUPD (iR §"iUPD").
    2. iUPD is confirmed (iCPD) at a later scan >= ``irecist_min_confirm_days`` -
       ``irecist_confirm_tolerance_days`` after it by: target sum >= +5 mm over the sum
       at iUPD (additive); any further non-target increase (status ``increased``) when
       non-targets drove it; NLT sum of measures >= +5 mm over iUPD; an NLNT
       ``progressed``; PD in a category that had not progressed. An additional new
       lesion confirms at any time (FAQ-i).
    3. Otherwise the timepoint stays iUPD while any category is still progressed; if
       none is, the iSD/iPR/iCR label is given and iUPD is reset (iR Table 3 ex. 2-5).
       New lesions that persist block the reset unless the baseline targets shrank
       below the sum at iUPD and meet PR (FAQ-i scenario B vs F).
    4. After a reset, known new lesions trigger a new iUPD only if further new lesions
       appear, their NLT sum of measures meets PD over its own nadir, or an NLNT
       progresses. The target nadir is never reset.
    5. After iCPD, timepoints are reported with ``overall = None``.
    """
    th = Thresholds.of(rules)
    has_targets = bool(prep.target_ids)
    base = sum(v for v in prep.target_values[0] if v is not None) if has_targets else 0
    nadir, nadir_date = base, prep.dates[0]
    pending: _Pending | None = None
    known_new: set[str] = set()
    som_nadir = 0
    after_cr = False
    first_iupd: dt.date | None = None
    confirmed_iupd: dt.date | None = None
    icpd: dt.date | None = None
    out: list[TimepointResponse] = []
    min_days = params.irecist_min_confirm_days - params.irecist_confirm_tolerance_days
    for k in range(1, len(prep.dates)):
        day = prep.dates[k]
        new = prep.new_status[k]
        present = sorted(lid for lid, (s, _) in new.items() if s is not NewLesionStatus.EQUIVOCAL)
        finding = (NewLesionFinding.PRESENT if present else
                   NewLesionFinding.EQUIVOCAL if new else NewLesionFinding.NONE)
        som = sum(
            size for lid, (s, size) in new.items()
            if s is not NewLesionStatus.EQUIVOCAL and size is not None
            and prep.new_category[lid] is NewLesionCategory.NLT
        )
        if icpd is not None:
            out.append(ended_timepoint(prep, k, finding, f"evaluation ended at iCPD on {icpd}"))
            continue
        reasons: list[str] = []
        call: TargetCall | None = None
        t: Response | None = None
        if has_targets:
            call = classify_targets(
                prep.target_values[k], prep.target_nodal, base=base, nadir=nadir,
                nadir_date=nadir_date, th=th, after_cr=after_cr,
                pd_after_cr=params.pd_after_cr_reappearance, ids=prep.target_ids,
            )
            t = call.response
            reasons.append(call.reason)
        nt, nt_reason = classify_non_targets(
            prep.nt_status[k], prep.nt_ids, after_cr=after_cr,
            pd_after_cr=params.pd_after_cr_reappearance,
        )
        if prep.nt_ids:
            reasons.append(nt_reason)
        known_new &= set(present)  # a resolved new lesion that comes back is new again
        unknown = [lid for lid in present if lid not in known_new]
        progressed = [lid for lid in present if new[lid][0] is NewLesionStatus.PROGRESSED]
        som_pd = bool(known_new) and som > 0 and th.is_pd(som, som_nadir)
        triggers = {name for name, hit in (
            (_TARGET, t is Response.PD), (_NT, nt is Response.PD),
            (_NEW, bool(unknown or progressed or som_pd))) if hit}
        partial = call.partial_units if call is not None else 0
        overall: Response
        if pending is None:
            if triggers:
                overall = Response.IUPD
                pending = _Pending(day, set(triggers), partial, som, frozenset(present))
                first_iupd = first_iupd or day
                reasons.append(_iupd_reason(triggers, unknown, progressed,
                                            (som, som_nadir) if som_pd else None))
                known_new |= set(present)
                som_nadir = som
            else:
                overall, row = _label(t, nt, bool(present))
                reasons.append(row)
                som_nadir = min(som_nadir, som) if known_new else som_nadir
        else:
            days = (day - pending.day).days
            conf = _confirmations(
                pending, days >= min_days, t=t, nt=nt, partial=partial, som=som,
                unknown=unknown, progressed=progressed, th=th,
                grew=[prep.nt_ids[i] for i, s in enumerate(prep.nt_status[k])
                      if s is NonTargetStatus.INCREASED],
            )
            if days < min_days and (triggers - {_NEW} or progressed) and not unknown:
                reasons.append(f"scan {days} days after iUPD ({pending.day}) is < {min_days} "
                               "days: cannot confirm iCPD except by an additional new lesion")
            if conf:
                overall = Response.ICPD
                icpd, confirmed_iupd = day, pending.day
                reasons.append(f"iCPD: iUPD of {pending.day} confirmed by " + "; ".join(conf))
                if days > params.irecist_max_confirm_days:
                    reasons.append(f"note: confirmed {days} days after iUPD, beyond the advised "
                                   f"{params.irecist_max_confirm_days} days")
            else:
                still = _still_progressed(pending, t, nt, call, bool(present))
                if still:
                    overall = Response.IUPD
                    reasons.append(f"remains iUPD (since {pending.day}): {', '.join(still)} still "
                                   "progressed, no confirming change")
                elif t is Response.NE or (t is None and nt is Response.NE):
                    overall = Response.NE
                    reasons.append(f"NE: iUPD of {pending.day} neither confirmed nor reset")
                else:
                    overall, row = _label(t, nt, bool(present))
                    reasons.append(row)
                    reasons.append(f"iUPD of {pending.day} reset by {overall.value} (iR Table 3)")
                    pending = None
                    known_new |= set(present)
                    som_nadir = som
        s_units = call.sum_units if call is not None else None
        out.append(TimepointResponse(
            assessment_date=day,
            target_sum_mm=to_mm_decimal(s_units),
            nadir_mm=to_mm_decimal(nadir) if has_targets else None,
            nadir_date=nadir_date if has_targets else None,
            change_from_baseline_pct=None if s_units is None else pct_decimal(s_units - base, base),
            change_from_nadir_pct=None if s_units is None else pct_decimal(s_units - nadir, nadir),
            target=t,
            non_target=nt,
            new_lesions=finding,
            overall=overall,
            reasons=tuple(reasons),
        ))
        if s_units is not None and s_units < nadir:
            nadir, nadir_date = s_units, day
        if overall is Response.ICR:
            after_cr = True
    return tuple(out), first_iupd, confirmed_iupd, icpd


def derive_irecist(
    record: PatientRecord,
    *,
    rules: ResponseRules = IRECIST_RULES,
    params: ResponseParams | None = None,
) -> IrecistResult:
    """Derive iRECIST timepoint responses and iBOR for one patient.

    Parameters
    ----------
    record : PatientRecord
    rules : ResponseRules
        Default ``irecist``.
    params : ResponseParams, optional

    Returns
    -------
    IrecistResult

    Rules
    -----
    See :func:`derive_irecist_timepoints`; iBOR per
    :func:`abscopal.response.confirm.derive_best_overall_response` (iR Table 3:
    iCR > iPR > iSD > NON-iCR/NON-iUPD > iCPD > iUPD > NE; responses after an
    unconfirmed iUPD count).
    """
    p = params if params is not None else ResponseParams()
    prep = prepare(record, rules, p)
    tps, first, confirmed, icpd = derive_irecist_timepoints(prep, rules=rules, params=p)
    has_targets = bool(prep.target_ids)
    base = sum(v for v in prep.target_values[0] if v is not None) if has_targets else None
    notes: list[str] = []
    if prep.reference_is_baseline:
        notes.append(f"SD minimum counted from the baseline scan {prep.dates[0]} "
                     "(no treatment_start_date given)")
    if any(tp.new_lesions is NewLesionFinding.EQUIVOCAL for tp in tps):
        notes.append("equivocal new lesions are not iUPD and are not dated back under iRECIST")
    ref = prep.reference_date
    return IrecistResult(
        patient_id=record.patient_id,
        rule_version=rules.version,
        baseline_date=prep.dates[0],
        baseline_sum_mm=to_mm_decimal(base),
        reference_date=ref,
        timepoints=tps,
        ibor_confirmed=derive_best_overall_response(
            tps, reference_date=ref, params=p, require_confirmation=True,
            has_target_disease=has_targets),
        ibor_unconfirmed=derive_best_overall_response(
            tps, reference_date=ref, params=p, require_confirmation=False,
            has_target_disease=has_targets),
        require_confirmation=p.require_confirmation,
        first_iupd_date=first,
        confirmed_iupd_date=confirmed,
        icpd_date=icpd,
        notes=tuple(notes),
    )
