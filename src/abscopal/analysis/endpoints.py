"""Time-to-event endpoints derived from trial data: PFS, OS, CSS, FFS, RFS, DoR, PFS2.

Input tables are plain pandas DataFrames (one row per subject, plus an optional table of tumour
assessments); the output is one row per subject with the time in days and months, the event
flag and the reason for the event or the censoring.

Columns (dates as ``datetime64`` or ISO ``YYYY-MM-DD`` strings; blank/NaT = did not happen):

=============================  ================================================================
``subject_id``                 unique subject key (all endpoints)
``start_date``                 randomisation / enrolment date: time origin of PFS, OS, CSS, FFS,
                               RFS
``pd_date``                    date of first progression (from the response engine: the date of
                               the assessment that showed PD) — PFS, FFS, DoR, PFS2
``death_date``                 date of death, any cause
``death_cause``                text, required for CSS where ``death_date`` is set; a death is a
                               cancer death if it is one of ``cancer_death_causes``
``last_contact_date``      last date the subject was known alive — OS, CSS
``new_therapy_date``  optional: start of subsequent anticancer therapy
``treatment_failure_date``     FFS: date of treatment failure other than PD/death (protocol-defined,
                               e.g. discontinuation for toxicity or local failure)
``recurrence_date``            RFS: date of recurrence
``response_date``              DoR: date of first CR/PR (responders only; others are excluded)
``combination_start_date``     PFS2 (NCT06076135): first day of ILDR + PD-(L)1 combination therapy
=============================  ================================================================

Assessments table: ``subject_id``, ``assessment_date`` and optionally ``is_adequate`` (bool,
default True; an adequate assessment is one with an overall response other than NE). Instead
of the table a subject-level ``last_adequate_assessment_date`` may be given (see
:func:`derive_time_to_event`).

One month is 30.4375 days (365.25 / 12).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from abscopal.analysis.km import DAYS_PER_MONTH
from abscopal.errors import DateOrderError, InputError, MissingColumnError


@dataclass(frozen=True)
class CensoringRules:
    """Censoring rules for endpoints observed at tumour assessments (PFS-type endpoints).

    Defaults follow FDA, *Clinical Trial Endpoints for the Approval of Cancer Drugs and
    Biologics* (2018), Table 5 ("PFS censoring"), the primary-analysis column.

    Attributes
    ----------
    rule_version : str
        Identifier carried on every derived row.
    assessment_interval_days : int or None
        Protocol tumour-assessment interval (e.g. 42 for every 6 weeks). Needed by the
        missed-assessment rule; None switches that rule off.
    censor_after_missed_assessments : int or None
        An event (PD or death) seen after this many consecutive missed scheduled assessments is
        censored at the last adequate assessment before it. Default 2 (FDA: "death or progression
        after more than one missed visit"). None switches the rule off.
    assessment_window_days : int
        Tolerance added to the scheduled interval before an assessment counts as missed
        (default 7).
    censor_at_new_therapy : bool
        Censor at the last adequate assessment on or before the start of new anticancer therapy
        when that start precedes the event (default True, FDA). An event on the same day as the
        new therapy counts as an event.
    require_baseline_assessment : bool
        Subjects with no adequate assessment on or before the time origin are censored at the
        origin (default True, FDA "no baseline tumour assessments"). Not applied to DoR.
    add_one_day : bool
        time_days = end - start + 1 (default True: the start day is day 1, the usual SAP and
        CDISC ADaM ADTTE convention); False gives end - start.
    """

    rule_version: str = "fda-2018-pfs-v1"
    assessment_interval_days: int | None = None
    censor_after_missed_assessments: int | None = 2
    assessment_window_days: int = 7
    censor_at_new_therapy: bool = True
    require_baseline_assessment: bool = True
    add_one_day: bool = True

    def __post_init__(self) -> None:
        checks: list[tuple[str, int | None, int]] = [
            ("assessment_interval_days", self.assessment_interval_days, 1),
            ("censor_after_missed_assessments", self.censor_after_missed_assessments, 1),
            ("assessment_window_days", self.assessment_window_days, 0),
        ]
        for name, value, low in checks:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InputError(f"'{name}' must be an integer >= {low} (got {value!r})")

    @property
    def description(self) -> str:
        """The rules in words, for reports and audit."""
        parts = ["no baseline assessment: censored at the time origin"
                 if self.require_baseline_assessment else "baseline assessment not required"]
        if self.censor_at_new_therapy:
            parts.append("new anticancer therapy before the event: censored at the last adequate "
                         "assessment on or before its start")
        if self.assessment_interval_days and self.censor_after_missed_assessments:
            gap = (self.censor_after_missed_assessments * self.assessment_interval_days
                   + self.assessment_window_days)
            parts.append(
                f"event more than {gap} days after the last adequate assessment (>= "
                f"{self.censor_after_missed_assessments} missed {self.assessment_interval_days}-day "
                "assessments): censored at that assessment")
        parts.append("no event by the data cut-off: censored at the last adequate assessment")
        parts.append("time = end - start" + (" + 1 day" if self.add_one_day else "")
                     + f"; months = days / {DAYS_PER_MONTH}")
        return f"{self.rule_version}: " + "; ".join(parts)


@dataclass(frozen=True)
class EndpointDefinition:
    """How one time-to-event endpoint is derived (a row of the endpoint rule table)."""

    name: str
    title: str
    start_column: str
    event_columns: tuple[tuple[str, str], ...]  # (column, event type), in priority order on ties
    assessment_based: bool  # True: censor at tumour assessments; False: at last known alive
    source: str
    required_columns: tuple[str, ...] = field(default=())


ENDPOINT_DEFINITIONS: Mapping[str, EndpointDefinition] = {
    d.name: d
    for d in (
        EndpointDefinition(
            "pfs", "Progression-free survival", "start_date",
            (("pd_date", "progression"), ("death_date", "death")), True,
            "FDA 2018 Clinical Trial Endpoints guidance, PFS definition and Table 5",
        ),
        EndpointDefinition(
            "os", "Overall survival", "start_date", (("death_date", "death"),), False,
            "FDA 2018 guidance: time from randomisation to death from any cause",
            ("last_contact_date",),
        ),
        EndpointDefinition(
            "css", "Cancer-specific survival", "start_date",
            (("_cancer_death_date", "cancer death"),), False,
            "Death from the cancer is the event; death from another cause is censored at the "
            "date of death (a cause-specific hazard, not a cumulative incidence)",
            ("last_contact_date", "death_cause"),
        ),
        EndpointDefinition(
            "ffs", "Failure-free survival", "start_date",
            (("pd_date", "progression"), ("treatment_failure_date", "treatment failure"),
             ("death_date", "death")), True,
            "NCT07277777 secondary endpoint; failure = PD, protocol-defined treatment failure or "
            "death",
            ("treatment_failure_date",),
        ),
        EndpointDefinition(
            "rfs", "Recurrence-free survival", "start_date",
            (("recurrence_date", "recurrence"), ("death_date", "death")), True,
            "Recurrence or death from any cause; censoring as PFS",
        ),
        EndpointDefinition(
            "dor", "Duration of response", "response_date",
            (("pd_date", "progression"), ("death_date", "death")), True,
            "RECIST 1.1 section 4.5 (from first CR/PR to PD); death included as for PFS (FDA "
            "2018); responders only",
        ),
        EndpointDefinition(
            "pfs2", "PFS while receiving ILDR combined therapy (NCT06076135 'PFS2')",
            "combination_start_date", (("pd_date", "progression"), ("death_date", "death")), True,
            "NCT06076135 registry: 'progression free survival while receiving ILDR combined "
            "therapy (PFS2)'. Not the EMA PFS2 (time to second progression on next-line "
            "therapy).",
        ),
    )
}

CANCER_DEATH_CAUSES: tuple[str, ...] = ("cancer", "disease progression", "progressive disease")

OUTPUT_COLUMNS: tuple[str, ...] = (
    "subject_id", "endpoint", "start_date", "end_date", "time_days", "time_months", "event",
    "event_type", "reason", "rule_version",
)


def _to_dates(frame: pd.DataFrame, column: str, *, table: str) -> pd.Series:
    try:
        out = pd.to_datetime(frame[column], errors="raise", format="mixed")
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{table}.{column} must hold dates (YYYY-MM-DD) or blanks: {exc}"
        ) from exc
    return out.dt.normalize()


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], *, table: str,
                   endpoint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"{table} is missing column(s) {missing} needed for endpoint '{endpoint}' "
            f"(has {list(frame.columns)})"
        )


def _prepare_subjects(subjects: pd.DataFrame, d: EndpointDefinition,
                      cancer_death_causes: tuple[str, ...]) -> pd.DataFrame:
    needed = ("subject_id", d.start_column, *d.required_columns,
              *(c for c, _ in d.event_columns if not c.startswith("_")))
    if d.name == "css":
        needed = (*needed, "death_date")
    _check_columns(subjects, tuple(dict.fromkeys(needed)), table="subjects", endpoint=d.name)
    dup = subjects["subject_id"].duplicated()
    if dup.any():
        raise InputError(
            f"subjects.subject_id must be unique (got {subjects['subject_id'][dup].iloc[0]!r} "
            "more than once)"
        )
    out = pd.DataFrame({"subject_id": subjects["subject_id"].to_numpy()})
    date_cols = {c for c, _ in d.event_columns if not c.startswith("_")} | {d.start_column}
    date_cols |= {c for c in ("death_date", "last_contact_date",
                              "new_therapy_date", "last_adequate_assessment_date")
                  if c in subjects.columns}
    for c in sorted(date_cols):
        out[c] = _to_dates(subjects, c, table="subjects").to_numpy()
    if d.name == "css":
        cause = subjects["death_cause"]
        died = out["death_date"].notna().to_numpy()
        unknown = died & cause.isna().to_numpy()
        if unknown.any():
            sid = out["subject_id"][unknown].iloc[0]
            raise InputError(
                f"subjects.death_cause must be given for every death (missing for subject "
                f"{sid!r}); CSS needs the cause of death"
            )
        causes = {c.strip().lower() for c in cancer_death_causes}
        cancer = cause.map(lambda v: isinstance(v, str) and v.strip().lower() in causes)
        cancer = cancer.to_numpy(dtype=bool)
        out["_cancer_death_date"] = out["death_date"].where(cancer)
        out["_other_death_date"] = out["death_date"].where(~cancer)
    if d.name == "dor":
        out = out[out["response_date"].notna()].reset_index(drop=True)
    return out


def _prepare_assessments(
    assessments: pd.DataFrame | None, subjects: pd.DataFrame, d: EndpointDefinition
) -> dict[object, list[pd.Timestamp]]:
    if assessments is None:
        if "last_adequate_assessment_date" not in subjects.columns:
            raise MissingColumnError(
                f"endpoint '{d.name}' is censored at tumour assessments: pass 'assessments' "
                "(subject_id, assessment_date[, is_adequate]) or a subjects column "
                "'last_adequate_assessment_date'"
            )
        by: dict[object, list[pd.Timestamp]] = {}
        for sid, date in zip(subjects["subject_id"], subjects["last_adequate_assessment_date"],
                             strict=True):
            by[sid] = [] if pd.isna(date) else [pd.Timestamp(date)]
        return by
    _check_columns(assessments, ("subject_id", "assessment_date"), table="assessments",
                   endpoint=d.name)
    dates = _to_dates(assessments, "assessment_date", table="assessments")
    keep = dates.notna()
    if "is_adequate" in assessments.columns:
        flag = assessments["is_adequate"]
        if flag.isna().any():
            raise InputError("assessments.is_adequate must be True/False on every row")
        keep &= flag.astype(bool)
    frame = pd.DataFrame({"subject_id": assessments["subject_id"][keep].to_numpy(),
                          "date": dates[keep].to_numpy()})
    return {sid: sorted(pd.Timestamp(x) for x in grp["date"])
            for sid, grp in frame.groupby("subject_id", sort=False)}


def _ts(value: object) -> pd.Timestamp | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value)


def _first_event(row: Mapping[str, object], d: EndpointDefinition, start: pd.Timestamp,
                 cutoff: pd.Timestamp) -> tuple[pd.Timestamp | None, str | None]:
    best: tuple[pd.Timestamp | None, str | None] = (None, None)
    for col, kind in d.event_columns:
        date = _ts(row.get(col))
        if date is None:
            continue
        if date < start:
            raise DateOrderError(
                f"subjects.{col} ({date.date()}) is before {d.start_column} ({start.date()}) "
                f"for subject {row['subject_id']!r}"
            )
        if date > cutoff:
            continue  # after the data cut-off: not yet known at this analysis
        if best[0] is None or date < best[0]:
            best = (date, kind)
    return best


def _assessment_row(
    row: Mapping[str, object], d: EndpointDefinition, visits: list[pd.Timestamp],
    start: pd.Timestamp, cutoff: pd.Timestamp, rules: CensoringRules,
) -> tuple[pd.Timestamp, bool, str | None, str]:
    """(end date, event?, event type, reason) for an assessment-based endpoint."""
    event_date, kind = _first_event(row, d, start, cutoff)
    visits = [v for v in visits if v <= cutoff]
    post = [v for v in visits if v > start]
    if rules.require_baseline_assessment and d.name != "dor" and not any(
        v <= start for v in visits
    ):
        return start, False, None, "censored: no baseline tumour assessment (at time origin)"
    new_tx = _ts(row.get("new_therapy_date"))
    if (rules.censor_at_new_therapy and new_tx is not None and new_tx <= cutoff
            and (event_date is None or new_tx < event_date)):
        before = [v for v in post if v <= new_tx]
        end = before[-1] if before else start
        return end, False, None, (
            "censored: new anticancer therapy before any event (last adequate assessment on or "
            "before its start)"
        )
    if event_date is not None:
        before = [v for v in post if v < event_date]
        last = before[-1] if before else start
        if rules.assessment_interval_days and rules.censor_after_missed_assessments:
            limit = (rules.censor_after_missed_assessments * rules.assessment_interval_days
                     + rules.assessment_window_days)
            if (event_date - last).days > limit:
                return last, False, None, (
                    f"censored: {kind} after >= {rules.censor_after_missed_assessments} missed "
                    f"assessments ({(event_date - last).days} days after the last adequate one)"
                )
        return event_date, True, kind, f"event: {kind}"
    if post:
        return post[-1], False, None, "censored: no event by data cut-off (last adequate assessment)"
    return start, False, None, "censored: no adequate post-baseline assessment (at time origin)"


def _follow_up_row(
    row: Mapping[str, object], d: EndpointDefinition, start: pd.Timestamp, cutoff: pd.Timestamp,
) -> tuple[pd.Timestamp, bool, str | None, str]:
    """(end date, event?, event type, reason) for OS / CSS (censored at last known alive)."""
    event_date, kind = _first_event(row, d, start, cutoff)
    if event_date is not None:
        return event_date, True, kind, f"event: {kind}"
    other = _ts(row.get("_other_death_date"))
    if other is not None and other <= cutoff:
        return other, False, None, "censored: death from another cause (at date of death)"
    alive = _ts(row.get("last_contact_date"))
    death = _ts(row.get("death_date"))
    if death is not None and death > cutoff:
        return cutoff, False, None, "censored: alive at data cut-off (died after it)"
    if alive is None:
        raise InputError(
            f"subjects.last_contact_date is missing for subject {row['subject_id']!r}, who "
            "has no death date: it is needed to censor OS/CSS"
        )
    if alive < start:
        raise DateOrderError(
            f"subjects.last_contact_date ({alive.date()}) is before {d.start_column} "
            f"({start.date()}) for subject {row['subject_id']!r}"
        )
    if alive >= cutoff:
        return cutoff, False, None, "censored: alive at data cut-off"
    return alive, False, None, "censored: last known alive"


def derive_time_to_event(
    subjects: pd.DataFrame,
    endpoint: str,
    *,
    cutoff_date: str | pd.Timestamp,
    assessments: pd.DataFrame | None = None,
    rules: CensoringRules | None = None,
    cancer_death_causes: tuple[str, ...] = CANCER_DEATH_CAUSES,
) -> pd.DataFrame:
    """Derive one time-to-event endpoint per subject.

    Parameters
    ----------
    subjects : DataFrame
        One row per subject; required columns depend on the endpoint (module docstring).
    endpoint : {"pfs", "os", "css", "ffs", "rfs", "dor", "pfs2"}
        Case-insensitive. "pfs2" is NCT06076135's definition (PFS while receiving the ILDR
        combination, from ``combination_start_date``), not EMA's PFS2.
    cutoff_date : date-like
        Data cut-off: events, assessments and therapies after it are ignored.
    assessments : DataFrame, optional
        Tumour assessments (``subject_id``, ``assessment_date``, optional ``is_adequate``),
        baseline included. Needed by the assessment-based endpoints (all except OS/CSS) unless
        ``subjects`` has ``last_adequate_assessment_date`` (then the missed-assessment rule can
        only look at that one date, and a new therapy before it cannot be handled).
    rules : CensoringRules, optional
        Censoring rules for assessment-based endpoints; default ``CensoringRules()``.
    cancer_death_causes : tuple of str
        CSS only: ``death_cause`` values (case-insensitive) that count as death from the
        cancer; default ``("cancer", "disease progression", "progressive disease")``.

    Returns
    -------
    DataFrame
        Columns ``OUTPUT_COLUMNS``: subject_id, endpoint, start_date, end_date, time_days,
        time_months (= days / 30.4375), event (bool), event_type, reason, rule_version. DoR
        has rows for responders only.

    Raises
    ------
    InputError, MissingColumnError, DateOrderError
        Unknown endpoint, missing columns, unparseable dates, duplicate subjects, events before
        the time origin.

    Rules
    -----
    1. Event = the earliest non-missing event date on or before the cut-off (ties: the order in
       ``ENDPOINT_DEFINITIONS``, progression first).
    2. Assessment-based endpoints, in this order (FDA 2018 guidance, Table 5): no baseline
       assessment -> censored at the origin; new anticancer therapy before the event -> censored
       at the last adequate assessment on or before its start; event after
       ``censor_after_missed_assessments`` missed assessments -> censored at the last adequate
       assessment before it; otherwise the event; no event -> censored at the last adequate
       post-baseline assessment (or at the origin if there is none).
    3. OS/CSS: censored at the last known alive date, or at the cut-off if alive after it. For
       CSS a death from another cause is censored at the date of death.
    4. time_days = end - start (+ 1 if ``rules.add_one_day``); never negative.

    Examples
    --------
    >>> subj = pd.DataFrame({"subject_id": ["01"], "start_date": ["2024-01-01"],
    ...                      "pd_date": ["2024-03-01"], "death_date": [None]})
    >>> visits = pd.DataFrame({"subject_id": ["01", "01", "01"],
    ...     "assessment_date": ["2023-12-20", "2024-02-01", "2024-03-01"]})
    >>> out = derive_time_to_event(subj, "pfs", cutoff_date="2024-06-30", assessments=visits)
    >>> int(out.time_days[0]), bool(out.event[0]), out.reason[0]  # 60 days + day 1
    (61, True, 'event: progression')
    """
    key = str(endpoint).strip().lower()
    if key not in ENDPOINT_DEFINITIONS:
        raise InputError(f"'endpoint' must be one of {sorted(ENDPOINT_DEFINITIONS)} "
                         f"(got {endpoint!r})")
    d = ENDPOINT_DEFINITIONS[key]
    try:
        stamp = pd.Timestamp(cutoff_date)
    except (ValueError, TypeError) as exc:
        raise InputError(f"'cutoff_date' must be a date (got {cutoff_date!r})") from exc
    if pd.isna(stamp):
        raise InputError(f"'cutoff_date' must be a date (got {cutoff_date!r})")
    cutoff = stamp.normalize()
    rules = rules if rules is not None else CensoringRules()
    if not isinstance(subjects, pd.DataFrame):
        raise InputError(f"'subjects' must be a pandas DataFrame (got {type(subjects).__name__})")
    if isinstance(cancer_death_causes, str) or not all(
        isinstance(c, str) for c in cancer_death_causes
    ):
        raise InputError(
            f"'cancer_death_causes' must be a tuple of strings (got {cancer_death_causes!r})"
        )
    frame = _prepare_subjects(subjects, d, tuple(cancer_death_causes))
    visits = _prepare_assessments(assessments, frame, d) if d.assessment_based else {}
    rows: list[dict[str, object]] = []
    for row in frame.to_dict("records"):
        sid = row["subject_id"]
        start = _ts(row[d.start_column])
        if start is None:
            raise InputError(f"subjects.{d.start_column} is missing for subject {sid!r}")
        if start > cutoff:
            raise DateOrderError(
                f"subjects.{d.start_column} ({start.date()}) is after 'cutoff_date' "
                f"({cutoff.date()}) for subject {sid!r}: exclude subjects not yet started"
            )
        if d.assessment_based:
            if assessments is None:
                last = _ts(row.get("last_adequate_assessment_date"))
                new_tx = _ts(row.get("new_therapy_date"))
                if last is not None and new_tx is not None and new_tx < last:
                    raise InputError(
                        f"subject {sid!r}: new anticancer therapy precedes the last adequate "
                        "assessment; pass the full 'assessments' table to find the assessment "
                        "before it"
                    )
                # The baseline is unknown without the table: treat the origin as assessed.
                subject_visits = [start, *visits.get(sid, [])]
            else:
                subject_visits = visits.get(sid, [])
            end, event, kind, reason = _assessment_row(row, d, subject_visits, start, cutoff,
                                                       rules)
        else:
            end, event, kind, reason = _follow_up_row(row, d, start, cutoff)
        days = (end - start).days + (1 if rules.add_one_day else 0)
        rows.append({
            "subject_id": sid, "endpoint": d.name, "start_date": start.date(),
            "end_date": end.date(), "time_days": int(days),
            "time_months": days / DAYS_PER_MONTH, "event": bool(event), "event_type": kind,
            "reason": reason, "rule_version": rules.rule_version,
        })
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))


def compute_months(days: float) -> float:
    """Days to months at 30.4375 days per month (365.25 / 12).

    >>> round(compute_months(182.625), 6)
    6.0
    """
    if isinstance(days, bool) or not isinstance(days, float | int) or not math.isfinite(days):
        raise InputError(f"'days' must be a finite number (got {days!r})")
    return float(days) / DAYS_PER_MONTH
