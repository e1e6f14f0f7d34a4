"""Adverse-event records graded with CTCAE, and per-patient worst grades."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from abscopal.errors import DateOrderError, InputError
from abscopal.toxicity._schema import TermSpec
from abscopal.toxicity.ctcae import load_criteria


class Attribution(StrEnum):
    """What the investigator attributes the event to (several may apply)."""

    RT = "RT"
    ICI = "ICI"
    OTHER_DRUG = "other drug"
    UNRELATED = "unrelated"


def find_term(term: str, *, version: str) -> TermSpec:
    """Look up a CTCAE term for AE recording (case-insensitive, verbatim name).

    Raises
    ------
    InputError
        If the term is not in the table, with a pointer when it is a common non-term
        (e.g. "Hepatitis" for immune hepatitis, which v5.0 does not have).
    """
    table = load_criteria(version)
    if not isinstance(term, str) or not term.strip():
        raise InputError(f"'term' must be a CTCAE term name (got {term!r})")
    t = " ".join(term.split()).lower()
    for spec in table.terms:
        if spec.term.lower() == t:
            return spec
    if t in table.not_a_term:
        raise InputError(f"'term' {term!r} is not a {table.version} term: {table.not_a_term[t]}")
    raise InputError(f"'term' {term!r} is not in abscopal's {table.version} term table "
                     f"({len(table.terms)} terms; `abscopal ctcae terms` lists them)")


@dataclass(frozen=True)
class AdverseEvent:
    """One adverse event as recorded on the CRF.

    Attributes
    ----------
    subject_id : str
        Patient identifier.
    term : str
        CTCAE term; normalised to its verbatim spelling.
    grade : int
        1-5, one of the grades the term allows (e.g. Fatigue 1-3; Myocarditis 2-5).
    onset_date : datetime.date
        First day of the event.
    resolution_date : datetime.date or None
        Last day; None while ongoing. Not before onset.
    attribution : tuple of Attribution
        RT, ICI, other drug and/or unrelated; may name several (RT + ICI).
    serious : bool
        Meets the ICH E2A "serious" definition (investigator's call).
    immune_related : bool
        Investigator-judged immune-related AE (irAE).
    version : str
        Criteria version the grade was assigned with, e.g. ``"ctcae_v5"``.
    """

    subject_id: str
    term: str
    grade: int
    onset_date: date
    resolution_date: date | None = None
    attribution: tuple[Attribution, ...] = ()
    serious: bool = False
    immune_related: bool = False
    version: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.subject_id, str) or not self.subject_id:
            raise InputError(f"'subject_id' must be a non-empty string (got {self.subject_id!r})")
        spec = find_term(self.term, version=self.version)
        object.__setattr__(self, "term", spec.term)
        if isinstance(self.grade, bool) or self.grade not in spec.allowed_grades:
            raise InputError(
                f"'grade' for {spec.term!r} must be one of {list(spec.allowed_grades)} in "
                f"{load_criteria(self.version).version} (got {self.grade!r})"
            )
        if not isinstance(self.onset_date, date):
            raise InputError(f"'onset_date' must be a date (got {self.onset_date!r})")
        if self.resolution_date is not None:
            if not isinstance(self.resolution_date, date):
                raise InputError(f"'resolution_date' must be a date or None "
                                 f"(got {self.resolution_date!r})")
            if self.resolution_date < self.onset_date:
                raise DateOrderError(
                    f"'resolution_date' {self.resolution_date} is before 'onset_date' "
                    f"{self.onset_date} for {spec.term!r} (subject {self.subject_id})"
                )
        try:
            attrs = tuple(Attribution(a) for a in self.attribution)
        except ValueError:
            raise InputError(f"'attribution' must be drawn from {[a.value for a in Attribution]} "
                             f"(got {self.attribution!r})") from None
        if Attribution.UNRELATED in attrs and len(attrs) > 1:
            raise InputError(f"'attribution' cannot combine 'unrelated' with a cause "
                             f"(got {[a.value for a in attrs]})")
        object.__setattr__(self, "attribution", attrs)


@dataclass(frozen=True)
class WorstGrade:
    """A subject's worst grade, overall or for one term.

    Attributes
    ----------
    subject_id : str
    term : str or None
        None for the worst grade over all terms.
    grade : int
    n_events : int
        Events that were considered.
    worst_event : AdverseEvent
        The first-onset event that reached the worst grade.
    """

    subject_id: str
    term: str | None
    grade: int
    n_events: int
    worst_event: AdverseEvent


def derive_worst_grades(
    events: Iterable[AdverseEvent],
    *,
    by_term: bool = True,
    immune_related_only: bool = False,
    attribution: Attribution | str | None = None,
) -> tuple[WorstGrade, ...]:
    """Each subject's worst CTCAE grade, per term or overall.

    Parameters
    ----------
    events : iterable of AdverseEvent
    by_term : bool
        True: one row per (subject, term); False: one row per subject.
    immune_related_only : bool
        Keep only irAEs.
    attribution : Attribution or str, optional
        Keep only events attributed (at least partly) to this cause.

    Returns
    -------
    tuple of WorstGrade
        Sorted by subject, then term.

    Rules
    -----
    1. Worst grade = maximum grade over the subject's events (CTCAE: "when criteria for more
       than one grade are met, report the highest"); ties go to the earliest onset.
    """
    want = Attribution(attribution) if attribution is not None else None
    best: dict[tuple[str, str | None], tuple[AdverseEvent, int]] = {}
    for ev in events:
        if not isinstance(ev, AdverseEvent):
            raise InputError(f"'events' must hold AdverseEvent records (got {type(ev).__name__})")
        if immune_related_only and not ev.immune_related:
            continue
        if want is not None and want not in ev.attribution:
            continue
        key = (ev.subject_id, ev.term if by_term else None)
        cur = best.get(key)
        if cur is None:
            best[key] = (ev, 1)
            continue
        top, count = cur
        better = ev.grade > top.grade or (ev.grade == top.grade and ev.onset_date < top.onset_date)
        best[key] = (ev if better else top, count + 1)
    rows = [WorstGrade(s, t, ev.grade, n, ev) for (s, t), (ev, n) in best.items()]
    return tuple(sorted(rows, key=lambda r: (r.subject_id, r.term or "")))


__all__ = ["AdverseEvent", "Attribution", "WorstGrade", "derive_worst_grades", "find_term"]
