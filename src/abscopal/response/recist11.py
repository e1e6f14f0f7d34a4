"""RECIST 1.1 timepoint responses (R11 §4.3, Tables 1 and 2) and the patient-level result."""

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
from abscopal.response._rules import RECIST_1_1_RULES, PostPrPolicy, ResponseParams, ResponseRules
from abscopal.response.confirm import BestOverallResponse, derive_best_overall_response
from abscopal.response.model import NewLesionStatus, PatientRecord


@dataclass(frozen=True, slots=True)
class TimepointResponse:
    """The response at one follow-up assessment.

    Attributes
    ----------
    assessment_date : date
    target_sum_mm : Decimal or None
        Sum of diameters (None when a target was not assessed or there are no targets).
    nadir_mm : Decimal or None
        The nadir this timepoint was compared with (smallest evaluable sum before it,
        baseline included), and ``nadir_date`` its date.
    change_from_baseline_pct, change_from_nadir_pct : Decimal or None
        Rounded to 0.1 for display; the classification uses exact arithmetic.
    target, non_target : Response or None
        Component responses (None: no such lesions, or evaluation ended).
    new_lesions : NewLesionFinding
    overall : Response or None
        None after the first PD (evaluation ended).
    reasons : tuple of str
    """

    assessment_date: dt.date
    target_sum_mm: Decimal | None
    nadir_mm: Decimal | None
    nadir_date: dt.date | None
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None
    target: Response | None
    non_target: Response | None
    new_lesions: NewLesionFinding
    overall: Response | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recist11Result:
    """Everything RECIST 1.1 derives for one patient.

    ``best_overall_response`` is the BOR under the protocol's confirmation choice;
    both BORs (with and without confirmation) are always present.
    """

    patient_id: str
    rule_version: str
    baseline_date: dt.date
    baseline_sum_mm: Decimal | None
    reference_date: dt.date
    timepoints: tuple[TimepointResponse, ...]
    bor_confirmed: BestOverallResponse
    bor_unconfirmed: BestOverallResponse
    require_confirmation: bool
    notes: tuple[str, ...]

    @property
    def best_overall_response(self) -> BestOverallResponse:
        return self.bor_confirmed if self.require_confirmation else self.bor_unconfirmed

    @property
    def pd_date(self) -> dt.date | None:
        return self.best_overall_response.pd_date

    @property
    def first_response_date(self) -> dt.date | None:
        return self.best_overall_response.first_response_date


def combine_overall(
    target: Response | None, non_target: Response | None, new_present: bool
) -> tuple[Response, str]:
    """Overall timepoint response from its components (R11 Tables 1 and 2).

    Rules
    -----
    1. Targets at baseline -> R11 Table 1 (non-targets may be absent: None).
    2. Non-target disease only -> R11 Table 2 (NON-CR/NON-PD "preferred over SD").
    """
    new = "yes" if new_present else "no"
    if target is not None:
        row = f"R11 Table 1: target {target.value}, non-target {_nt(non_target)}, new {new}"
        if new_present or target is Response.PD or non_target is Response.PD:
            return Response.PD, row + " -> PD"
        if target is Response.NE:
            return Response.NE, row + " -> NE"
        if target is Response.CR:
            if non_target in (None, Response.CR):
                return Response.CR, row + " -> CR"
            return Response.PR, row + " -> PR"
        return target, row + f" -> {target.value}"
    row = f"R11 Table 2: non-target {_nt(non_target)}, new {new}"
    if new_present or non_target is Response.PD:
        return Response.PD, row + " -> PD"
    assert non_target is not None  # a record always has baseline disease
    return non_target, row + f" -> {non_target.value}"


def _nt(r: Response | None) -> str:
    return "none at baseline" if r is None else r.value


def _new_finding(
    new: dict[str, tuple[NewLesionStatus, int | None]],
) -> tuple[NewLesionFinding, list[str], list[str]]:
    present = sorted(k for k, (s, _) in new.items()
                     if s in (NewLesionStatus.PRESENT, NewLesionStatus.PROGRESSED))
    equivocal = sorted(k for k, (s, _) in new.items() if s is NewLesionStatus.EQUIVOCAL)
    if present:
        return NewLesionFinding.PRESENT, present, equivocal
    if equivocal:
        return NewLesionFinding.EQUIVOCAL, present, equivocal
    return NewLesionFinding.NONE, present, equivocal


def derive_recist11_timepoints(
    prep: Prepared, *, rules: ResponseRules, params: ResponseParams
) -> tuple[TimepointResponse, ...]:
    """Per-timepoint RECIST 1.1 responses for a prepared record (all follow-ups).

    Rules
    -----
    1. Sum = LD of non-nodal + SA of nodal targets; too small = 5 mm; fragments summed
       (R11 §4.3.2).
    2. Nadir = smallest evaluable sum so far, baseline included (R11 §4.3.1).
    3. Targets NE -> PD -> CR -> PR -> SD; a partial sum already at PD is PD (§4.4.2).
    4. Equivocal new lesion later confirmed: PD dated back to its first equivocal scan
       (§4.3.5); the timepoint at that date becomes PD and later ones end.
    5. ``continuing_pr``: once PR is established (confirmed if required), target SD
       stays PR until PD (FAQ-R).
    6. After the first PD, timepoints are reported with ``overall = None``.
    """
    th = Thresholds.of(rules)
    has_targets = bool(prep.target_ids)
    base = sum(v for v in prep.target_values[0] if v is not None) if has_targets else 0
    nadir, nadir_date = base, prep.dates[0]
    out: list[TimepointResponse] = []
    after_cr = False
    pr_start: dt.date | None = None
    pr_established = False
    equivocal_since: dict[str, int] = {}
    ended_at: dt.date | None = None
    for k in range(1, len(prep.dates)):
        day = prep.dates[k]
        new = prep.new_status[k]
        finding, present, equivocal = _new_finding(new)
        for lid in list(equivocal_since):
            if lid not in new:
                del equivocal_since[lid]  # resolved: a later appearance starts afresh
        for lid in equivocal:
            equivocal_since.setdefault(lid, len(out))
        if ended_at is not None:
            out.append(ended_timepoint(prep, k, finding, f"evaluation ended at PD on {ended_at}"))
            continue
        reasons: list[str] = []
        call: TargetCall | None = None
        t_resp: Response | None = None
        if has_targets:
            call = classify_targets(
                prep.target_values[k], prep.target_nodal, base=base, nadir=nadir,
                nadir_date=nadir_date, th=th, after_cr=after_cr,
                pd_after_cr=params.pd_after_cr_reappearance, ids=prep.target_ids,
            )
            t_resp = call.response
            reasons.append(call.reason)
            if (
                t_resp is Response.SD
                and params.post_pr_policy is PostPrPolicy.CONTINUING_PR
                and pr_established
            ):
                t_resp = Response.PR
                reasons.append("target PR kept: PR established earlier and PD not met "
                               "(post_pr_policy=continuing_pr, FAQ-R)")
        nt_resp, nt_reason = classify_non_targets(
            prep.nt_status[k], prep.nt_ids, after_cr=after_cr,
            pd_after_cr=params.pd_after_cr_reappearance,
        )
        if prep.nt_ids:
            reasons.append(nt_reason)
        reasons += _new_reasons(present, equivocal)
        overall, row = combine_overall(t_resp, nt_resp, bool(present))
        reasons.append(row)
        s_units = call.sum_units if call is not None else None
        nadir_before, nadir_date_before = nadir, nadir_date
        out.append(TimepointResponse(
            assessment_date=day,
            target_sum_mm=to_mm_decimal(s_units),
            nadir_mm=to_mm_decimal(nadir_before) if has_targets else None,
            nadir_date=nadir_date_before if has_targets else None,
            change_from_baseline_pct=None if s_units is None else pct_decimal(s_units - base, base),
            change_from_nadir_pct=(
                None if s_units is None else pct_decimal(s_units - nadir_before, nadir_before)
            ),
            target=t_resp,
            non_target=nt_resp,
            new_lesions=finding,
            overall=overall,
            reasons=tuple(reasons),
        ))
        if s_units is not None and s_units < nadir:
            nadir, nadir_date = s_units, day
        after_cr = after_cr or overall is Response.CR
        pr_start, pr_established = _track_pr(overall, day, pr_start, pr_established, params)
        if overall is Response.PD:
            ended_at = _date_back(out, present, equivocal_since, day)
    return tuple(out)


def _new_reasons(present: list[str], equivocal: list[str]) -> list[str]:
    out = []
    if present:
        out.append(f"new lesion(s) {', '.join(present)} unequivocal (R11 §4.3.5)")
    if equivocal:
        out.append(f"new lesion(s) {', '.join(equivocal)} equivocal: not PD yet (R11 §4.3.5)")
    return out


def _track_pr(
    overall: Response, day: dt.date, start: dt.date | None, established: bool,
    params: ResponseParams,
) -> tuple[dt.date | None, bool]:
    """Is a PR established (confirmed when required) for ``continuing_pr``?"""
    if established:
        return start, True
    if overall in (Response.PR, Response.CR):
        start = start or day
        ok = not params.require_confirmation or (day - start).days >= params.confirm_min_days
        return start, ok
    if overall is Response.NE:
        return start, False
    return None, False


def ended_timepoint(
    prep: Prepared, k: int, finding: NewLesionFinding, reason: str
) -> TimepointResponse:
    """A timepoint after the evaluation ended: sum shown, no response."""
    vals = prep.target_values[k]
    s = sum(v for v in vals if v is not None) if prep.target_ids and None not in vals else None
    return TimepointResponse(
        prep.dates[k], to_mm_decimal(s), None, None, None, None, None, None, finding, None,
        (reason,),
    )


def _date_back(
    out: list[TimepointResponse], present: list[str], equivocal_since: dict[str, int],
    day: dt.date,
) -> dt.date:
    """Date PD back to the first equivocal scan of a now-unequivocal new lesion (§4.3.5);
    rewrite the timepoints in between; return the PD date."""
    back = [equivocal_since[lid] for lid in present if lid in equivocal_since]
    if not back or min(back) >= len(out) - 1:
        return day
    j = min(back)
    first = out[j]
    lids = sorted(lid for lid in present if equivocal_since.get(lid) == j)
    out[j] = _as_dated_back_pd(first, lids, day)
    for m in range(j + 1, len(out)):
        out[m] = _ended(out[m], first.assessment_date,
                        confirmed_on=day if m == len(out) - 1 else None, lids=lids)
    return first.assessment_date


def _as_dated_back_pd(tp: TimepointResponse, lids: list[str], confirmed: dt.date) -> TimepointResponse:
    reason = (
        f"PD dated back: new lesion(s) {', '.join(lids)} equivocal on {tp.assessment_date} "
        f"and unequivocal on {confirmed} (R11 §4.3.5)"
    )
    return TimepointResponse(
        tp.assessment_date, tp.target_sum_mm, tp.nadir_mm, tp.nadir_date,
        tp.change_from_baseline_pct, tp.change_from_nadir_pct, tp.target, tp.non_target,
        tp.new_lesions, Response.PD, (*tp.reasons, reason),
    )


def _ended(tp: TimepointResponse, pd_day: dt.date, *, confirmed_on: dt.date | None,
           lids: list[str]) -> TimepointResponse:
    r = f"evaluation ended at PD on {pd_day} (dated back)"
    if confirmed_on is not None:
        r += f"; new lesion(s) {', '.join(lids)} unequivocal here confirm it"
    return TimepointResponse(
        tp.assessment_date, tp.target_sum_mm, None, None, None, None, None, None,
        tp.new_lesions, None, (r,),
    )


def derive_recist11(
    record: PatientRecord,
    *,
    rules: ResponseRules = RECIST_1_1_RULES,
    params: ResponseParams | None = None,
) -> Recist11Result:
    """Derive RECIST 1.1 timepoint responses and best overall response for one patient.

    Parameters
    ----------
    record : PatientRecord
        Baseline + follow-up assessments (see :mod:`abscopal.response.model`).
    rules : ResponseRules
        The threshold table (default ``recist_1_1``).
    params : ResponseParams, optional
        Protocol parameters (defaults: recist_spec §7).

    Returns
    -------
    Recist11Result

    Raises
    ------
    CriteriaError
        A target lesion has no baseline measurement.

    Rules
    -----
    See :func:`derive_recist11_timepoints` and
    :func:`abscopal.response.confirm.derive_best_overall_response`.

    Examples
    --------
    >>> import datetime as dt
    >>> from abscopal.response.model import Assessment, Lesion, LesionRole, Observation
    >>> from abscopal.response.model import PatientRecord, TargetStatus
    >>> from decimal import Decimal as D
    >>> t = Lesion("T1", LesionRole.TARGET, "liver")
    >>> obs = lambda x: (Observation("T1", TargetStatus.MEASURED, D(x)),)
    >>> rec = PatientRecord("P1", (t,), (Assessment(dt.date(2025, 1, 1), obs("46.0")),
    ...                                   Assessment(dt.date(2025, 2, 26), obs("32.2"))))
    >>> derive_recist11(rec).timepoints[0].overall.value
    'PR'
    """
    p = params if params is not None else ResponseParams()
    prep = prepare(record, rules, p)
    tps = derive_recist11_timepoints(prep, rules=rules, params=p)
    has_targets = bool(prep.target_ids)
    kw = dict(reference_date=prep.reference_date, params=p, has_target_disease=has_targets)
    notes: list[str] = []
    if prep.reference_is_baseline:
        notes.append(f"SD minimum counted from the baseline scan {prep.dates[0]} "
                     "(no treatment_start_date given)")
    base = sum(v for v in prep.target_values[0] if v is not None) if has_targets else None
    if base is not None:
        notes.append(f"baseline sum {mm(base)} mm on {prep.dates[0]}")
    return Recist11Result(
        patient_id=record.patient_id,
        rule_version=rules.version,
        baseline_date=prep.dates[0],
        baseline_sum_mm=to_mm_decimal(base),
        reference_date=prep.reference_date,
        timepoints=tps,
        bor_confirmed=derive_best_overall_response(tps, require_confirmation=True, **kw),  # type: ignore[arg-type]
        bor_unconfirmed=derive_best_overall_response(tps, require_confirmation=False, **kw),  # type: ignore[arg-type]
        require_confirmation=p.require_confirmation,
        notes=tuple(notes),
    )
