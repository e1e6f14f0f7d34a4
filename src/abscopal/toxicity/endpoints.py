"""Lab-grade endpoints at a timepoint, e.g. "lymphopenia grade >= 2 at 6 weeks after RT".

NCT06439888's primary endpoint is the proportion with lymphopenia grade >= 2 (CTCAE v5.0
"Lymphocyte count decreased", i.e. ALC < 0.8 x 10^9/L) 6 weeks after the end of radiotherapy.
The registry gives no visit window and no rule for several labs in it; both are parameters here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from abscopal.errors import InputError
from abscopal.toxicity.ctcae import LabGrade


class WindowSelection(StrEnum):
    """Which lab counts when several fall in the window."""

    CLOSEST = "closest"  # nearest the target day; ties -> higher grade, then later date
    WORST = "worst"  # highest grade in the window
    LAST = "last"  # latest in the window
    FIRST = "first"  # earliest in the window


@dataclass(frozen=True)
class DatedLabGrade:
    """A graded lab with its collection date."""

    collection_date: date
    result: LabGrade


@dataclass(frozen=True)
class TimepointGradeResult:
    """Outcome of a grade-at-timepoint endpoint for one subject.

    Attributes
    ----------
    met : bool or None
        True: grade >= ``min_grade``; False: below; None: cannot be decided (no lab in the
        window, or the selected lab is not gradable and could reach ``min_grade``).
    grade : int or None
        Grade of the selected lab (None if none or not gradable).
    selected : DatedLabGrade or None
    n_in_window : int
        Labs of the term inside the window.
    target_date, window_start, window_end : datetime.date
    selection : WindowSelection
    min_grade : int
    reason : str
        How ``met`` was decided, in words.
    """

    met: bool | None
    grade: int | None
    selected: DatedLabGrade | None
    n_in_window: int
    target_date: date
    window_start: date
    window_end: date
    selection: WindowSelection
    min_grade: int
    reason: str


def _decide(lab: LabGrade, min_grade: int) -> bool | None:
    if lab.grade is not None:
        return lab.grade >= min_grade
    if lab.grade_at_most is not None and lab.grade_at_most < min_grade:
        return False
    return None


def _sort_rank(d: DatedLabGrade) -> int:
    r = d.result
    if r.grade is not None:
        return r.grade
    return -1 if r.grade_at_most is None else r.grade_at_most - 1  # unknown ranks below known


def classify_grade_at_timepoint(
    labs: Iterable[DatedLabGrade],
    *,
    term: str,
    anchor_date: date,
    offset_days: int,
    window_before_days: int,
    window_after_days: int,
    min_grade: int,
    selection: WindowSelection | str = WindowSelection.CLOSEST,
) -> TimepointGradeResult:
    """Decide "grade >= min_grade at anchor + offset (window)" for one subject.

    Parameters
    ----------
    labs : iterable of DatedLabGrade
        The subject's graded labs (any terms; only ``term`` is used).
    term : str
        CTCAE term, e.g. ``"Lymphocyte count decreased"``.
    anchor_date : datetime.date
        E.g. the last day of radiotherapy.
    offset_days : int
        Target day after the anchor (NCT06439888: 42 = 6 weeks).
    window_before_days, window_after_days : int
        Non-negative; the window is [target - before, target + after], inclusive.
    min_grade : int
        1-5 (NCT06439888: 2).
    selection : WindowSelection or str
        ``"closest"`` (default: the value *at* the timepoint, ADaM analysis-window practice),
        ``"worst"``, ``"last"``, ``"first"``.

    Returns
    -------
    TimepointGradeResult

    Rules
    -----
    1. Only labs of ``term`` dated inside the inclusive window count.
    2. ``closest``: smallest |date - target|; ties -> higher grade, then later date.
       ``worst``: highest grade; ties -> closest to target.
    3. A not-gradable lab (e.g. missing LLN) still decides the endpoint when its highest
       possible grade is below ``min_grade`` (ALC >= 0.8 x 10^9/L cannot be grade 2).
    4. No lab in the window: ``met`` is None (missing), never False.
    """
    try:
        sel = WindowSelection(selection)
    except ValueError:
        raise InputError(f"'selection' must be one of {[s.value for s in WindowSelection]} "
                         f"(got {selection!r})") from None
    for name, val in (("offset_days", offset_days), ("window_before_days", window_before_days),
                      ("window_after_days", window_after_days)):
        if isinstance(val, bool) or not isinstance(val, int) or val < 0:
            raise InputError(f"{name!r} must be a non-negative integer (got {val!r})")
    if isinstance(min_grade, bool) or min_grade not in (1, 2, 3, 4, 5):
        raise InputError(f"'min_grade' must be 1-5 (got {min_grade!r})")
    target = anchor_date + timedelta(days=offset_days)
    start = target - timedelta(days=window_before_days)
    end = target + timedelta(days=window_after_days)
    wanted = term.strip().lower()
    inside = [d for d in labs
              if d.result.term.lower() == wanted and start <= d.collection_date <= end]

    def result(met: bool | None, grade: int | None, selected: DatedLabGrade | None,
               reason: str) -> TimepointGradeResult:
        return TimepointGradeResult(
            met=met, grade=grade, selected=selected, n_in_window=len(inside), target_date=target,
            window_start=start, window_end=end, selection=sel, min_grade=min_grade,
            reason=reason)

    if not inside:
        return result(None, None, None, f"no {term} lab between {start} and {end}")

    def dist(d: DatedLabGrade) -> int:
        return abs((d.collection_date - target).days)

    if sel is WindowSelection.CLOSEST:
        chosen = min(inside,
                     key=lambda d: (dist(d), -_sort_rank(d), -d.collection_date.toordinal()))
    elif sel is WindowSelection.WORST:
        chosen = min(inside, key=lambda d: (-_sort_rank(d), dist(d), d.collection_date))
    elif sel is WindowSelection.LAST:
        chosen = max(inside, key=lambda d: (d.collection_date, _sort_rank(d)))
    else:
        chosen = min(inside, key=lambda d: (d.collection_date, -_sort_rank(d)))
    met = _decide(chosen.result, min_grade)
    if sel is WindowSelection.WORST and met is not True:
        decided = [_decide(d.result, min_grade) for d in inside]
        met = True if any(x is True for x in decided) else (
            None if any(x is None for x in decided) else False)
    r = chosen.result
    desc = f"G{r.grade}" if r.grade is not None else f"not gradable ({r.not_gradable_reason})"
    reason = (f"{sel.value} lab of {len(inside)} in window: {chosen.collection_date} {desc}; "
              f"grade >= {min_grade}: {'undecided' if met is None else met}")
    return result(met, r.grade, chosen, reason)


__all__ = [
    "DatedLabGrade",
    "TimepointGradeResult",
    "WindowSelection",
    "classify_grade_at_timepoint",
]
