"""Best overall response (RECIST 1.1 §4.4, §4.6, Table 3; iRECIST iBOR, iR Table 3).

Works on timepoint labels, so it serves both criteria and can be fed label sequences
directly (e.g. the rows of R11 Table 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from abscopal.errors import DateOrderError
from abscopal.response._core import Response
from abscopal.response._rules import ResponseParams

_NORM: dict[Response, str] = {
    Response.CR: "CR", Response.ICR: "CR",
    Response.PR: "PR", Response.IPR: "PR",
    Response.SD: "SD", Response.ISD: "SD",
    Response.NON_CR_NON_PD: "NN", Response.NON_ICR_NON_IUPD: "NN",
    Response.PD: "PD", Response.ICPD: "PD",
    Response.IUPD: "UPD",
    Response.NE: "NE",
}
_BACK_RECIST = {"CR": Response.CR, "PR": Response.PR, "SD": Response.SD,
                "NN": Response.NON_CR_NON_PD, "PD": Response.PD, "NE": Response.NE}
_BACK_IRECIST = {"CR": Response.ICR, "PR": Response.IPR, "SD": Response.ISD,
                 "NN": Response.NON_ICR_NON_IUPD, "PD": Response.ICPD, "NE": Response.NE,
                 "UPD": Response.IUPD}
_IRECIST_LABELS = frozenset(
    {Response.ICR, Response.IPR, Response.ISD, Response.NON_ICR_NON_IUPD, Response.IUPD,
     Response.ICPD}
)


class TimepointLike(Protocol):
    """Anything with a date, an overall label and (optionally) a target label."""

    @property
    def assessment_date(self) -> dt.date: ...

    @property
    def overall(self) -> Response | None: ...

    @property
    def target(self) -> Response | None: ...


@dataclass(frozen=True, slots=True)
class TimepointLabel:
    """A bare timepoint label, for feeding label sequences (e.g. R11 Table 3 rows)."""

    assessment_date: dt.date
    overall: Response | None
    target: Response | None = None


@dataclass(frozen=True, slots=True)
class BestOverallResponse:
    """Best overall response and the dates DoR and PFS need.

    Attributes
    ----------
    response : Response
    require_confirmation : bool
        Whether CR/PR needed confirmation in this derivation.
    first_response_date : date or None
        First CR/PR timepoint of the (confirmed, when required) response: DoR start.
    confirmation_date : date or None
        The timepoint that confirmed it (None when confirmation was not required).
    pd_date : date or None
        First PD (RECIST 1.1) or iCPD (iRECIST) timepoint used.
    sd_min_date : date
        Reference date + ``sd_min_days``: SD counts from this date on.
    reasons : tuple of str
    """

    response: Response
    require_confirmation: bool
    first_response_date: dt.date | None
    confirmation_date: dt.date | None
    pd_date: dt.date | None
    sd_min_date: dt.date
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Tp:
    day: dt.date
    label: str
    target: str


def _confirming_index(seq: list[_Tp], i: int, kind: str, params: ResponseParams) -> int | None:
    """Index of the timepoint confirming a ``kind`` (CR/PR) response that starts at ``i``."""
    accept = {"CR"} if kind == "CR" else {"CR", "PR"}
    ne = 0
    d0 = seq[i].day
    for j in range(i + 1, len(seq)):
        lab = seq[j].label
        if lab in accept:
            if (seq[j].day - d0).days >= params.confirm_min_days:
                return j
            continue
        if lab == "NE":
            ne += 1
            if ne > params.max_ne_between_confirmation:
                return None
            continue
        if lab == "SD" and kind == "PR" and params.accept_sd_between_confirmation:
            continue
        return None
    return None


def derive_best_overall_response(
    timepoints: Sequence[TimepointLike],
    *,
    reference_date: dt.date,
    params: ResponseParams | None = None,
    require_confirmation: bool | None = None,
    has_target_disease: bool = True,
) -> BestOverallResponse:
    """Derive the best overall response from timepoint labels.

    Parameters
    ----------
    timepoints : sequence of timepoint-like objects
        In date order; ``overall`` None (after PD) is ignored. RECIST 1.1 or iRECIST
        labels (not mixed).
    reference_date : date
        Start of the SD minimum duration (treatment start; baseline if unknown).
    params : ResponseParams, optional
        Protocol parameters (defaults: recist_spec §7).
    require_confirmation : bool, optional
        Overrides ``params.require_confirmation``.
    has_target_disease : bool
        False for non-target-only disease: the stable category is NON-CR/NON-PD.

    Returns
    -------
    BestOverallResponse

    Rules
    -----
    1. Only timepoints up to and including the first PD (iCPD) count (R11 §4.4.3).
       Under iRECIST an unconfirmed iUPD does not stop the evaluation (iR Table 3).
    2. With ``pd_after_cr_reappearance``, a timepoint after an overall CR whose target
       response is PR/SD (disease back) is PD (R11 Table 3 footnote a).
    3. With confirmation: CR needs a later CR, PR a later PR/CR, at least
       ``confirm_min_days`` later, with only CR/PR, at most
       ``max_ne_between_confirmation`` NE, and SD only if
       ``accept_sd_between_confirmation`` in between (R11 §4.6, §4.4.4, Table 3).
    4. Without confirmation any CR/PR timepoint counts (R11 §4.4.3).
    5. Otherwise SD (NON-CR/NON-PD without target disease) if a CR/PR/SD
       (CR/NON-CR/NON-PD) timepoint lies >= ``sd_min_days`` after ``reference_date``;
       then PD (iCPD) if progression was documented; then iUPD (iRECIST, never
       confirmed); else NE (R11 §4.4.3, iR Table 3).

    Examples
    --------
    >>> import datetime as dt
    >>> d = dt.date
    >>> tps = [TimepointLabel(d(2025, 2, 1), Response.PR), TimepointLabel(d(2025, 3, 1), Response.PR)]
    >>> derive_best_overall_response(tps, reference_date=d(2025, 1, 1)).response.value
    'PR'
    """
    p = params if params is not None else ResponseParams()
    confirm = p.require_confirmation if require_confirmation is None else require_confirmation
    irecist = any(tp.overall in _IRECIST_LABELS for tp in timepoints)
    back = _BACK_IRECIST if irecist else _BACK_RECIST
    sd_min_date = reference_date + dt.timedelta(days=p.sd_min_days)
    reasons: list[str] = []
    seq = _normalise(timepoints, p, reasons)
    pd_date = seq[-1].day if seq and seq[-1].label == "PD" else None
    if confirm:
        best, first_resp, conf_date = _confirmed_response(seq, p, back, reasons)
    else:
        best, first_resp, conf_date = _any_response(seq, back, reasons)
    if best is None:
        stable = ("CR", "PR", "SD") if has_target_disease else ("CR", "NN")
        ok = [st for st in seq if st.label in stable and st.day >= sd_min_date]
        if ok:
            best = "SD" if has_target_disease else "NN"
            reasons.append(
                f"BOR {back[best].value}: {back[ok[0].label].value} on {ok[0].day} is on or after "
                f"the SD minimum date {sd_min_date} ({p.sd_min_days} days after {reference_date})"
            )
        else:
            best = _no_stable(seq, stable, sd_min_date, pd_date, irecist, back, reasons)
    return BestOverallResponse(
        response=back[best],
        require_confirmation=confirm,
        first_response_date=first_resp,
        confirmation_date=conf_date,
        pd_date=pd_date,
        sd_min_date=sd_min_date,
        reasons=tuple(reasons),
    )


def _normalise(
    timepoints: Sequence[TimepointLike], p: ResponseParams, reasons: list[str]
) -> list[_Tp]:
    """Labels up to and including the first PD; disease after CR is PD (footnote a)."""
    seq: list[_Tp] = []
    prev: dt.date | None = None
    seen_cr = False
    for tp in timepoints:
        if prev is not None and tp.assessment_date <= prev:
            raise DateOrderError(
                f"timepoint dates must be strictly increasing ({tp.assessment_date} "
                f"is not after {prev})"
            )
        prev = tp.assessment_date
        if tp.overall is None:
            continue
        lab = _NORM[tp.overall]
        tgt = _NORM[tp.target] if tp.target is not None else lab
        if seen_cr and p.pd_after_cr_reappearance and tgt in ("PR", "SD"):
            reasons.append(
                f"{tp.assessment_date}: {tp.overall.value} after CR means disease came back: "
                "counted as PD (R11 Table 3 footnote a; pd_after_cr_reappearance)"
            )
            lab = "PD"
        seen_cr = seen_cr or lab == "CR"
        seq.append(_Tp(tp.assessment_date, lab, tgt))
        if lab == "PD":
            break
    return seq


_Found = tuple[str | None, dt.date | None, dt.date | None]


def _confirmed_response(
    seq: list[_Tp], p: ResponseParams, back: dict[str, Response], reasons: list[str]
) -> _Found:
    for kind in ("CR", "PR"):
        starts = ("CR",) if kind == "CR" else ("CR", "PR")
        for i, st in enumerate(seq):
            j = _confirming_index(seq, i, kind, p) if st.label in starts else None
            if j is None:
                continue
            reasons.append(
                f"BOR {back[kind].value}: {back[st.label].value} on {st.day} confirmed "
                f"by {back[seq[j].label].value} on {seq[j].day} "
                f"({(seq[j].day - st.day).days} days >= {p.confirm_min_days}; R11 §4.6)"
            )
            # DoR starts at the first response that was itself confirmed (PR or CR)
            first = next(
                s.day for m, s in enumerate(seq)
                if s.label in ("CR", "PR") and _confirming_index(seq, m, "PR", p) is not None
            )
            return kind, first, seq[j].day
    unconf = [st for st in seq if st.label in ("CR", "PR")]
    if unconf:
        reasons.append(
            f"{back[unconf[0].label].value} on {unconf[0].day} not confirmed "
            f"(needs a later response >= {p.confirm_min_days} days after it)"
        )
    return None, None, None


def _any_response(seq: list[_Tp], back: dict[str, Response], reasons: list[str]) -> _Found:
    for kind in ("CR", "PR"):
        hit = [st for st in seq if st.label == kind]
        if hit:
            first = min(st.day for st in seq if st.label in ("CR", "PR"))
            reasons.append(
                f"BOR {back[kind].value}: {back[kind].value} on {hit[0].day} "
                "(no confirmation required)"
            )
            return kind, first, None
    return None, None, None


def _no_stable(
    seq: list[_Tp],
    stable: tuple[str, ...],
    sd_min_date: dt.date,
    pd_date: dt.date | None,
    irecist: bool,
    back: dict[str, Response],
    reasons: list[str],
) -> str:
    early = [st for st in seq if st.label in stable]
    if early:
        reasons.append(
            f"{back[early[0].label].value} on {early[0].day} is before the SD minimum "
            f"date {sd_min_date}: too early to count as stable disease"
        )
    if pd_date is not None:
        reasons.append(f"BOR {back['PD'].value}: progression on {pd_date}")
        return "PD"
    if irecist and any(st.label == "UPD" for st in seq):
        reasons.append("BOR iUPD: iUPD never confirmed and nothing better (iR Table 3)")
        return "UPD"
    reasons.append("BOR NE: no evaluable response meeting the rules")
    return "NE"
