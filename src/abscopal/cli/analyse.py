"""``abscopal analyse``: response proportions, Kaplan–Meier, log-rank, Cox, endpoint derivation."""

from __future__ import annotations

import io
import sys
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from abscopal.analysis import (
    CensoringRules,
    compute_cox_ph,
    compute_fisher_exact,
    compute_kaplan_meier,
    compute_kaplan_meier_by_group,
    compute_logrank_test,
    compute_proportion_ci,
    compute_proportion_difference,
    derive_time_to_event,
)
from abscopal.cli._common import console, handle_errors, print_json
from abscopal.errors import InputError, MissingColumnError

app = typer.Typer(
    help="Endpoint statistics: proportions with exact CIs, Kaplan–Meier, log-rank, Cox.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
Confidence = Annotated[float, typer.Option("--confidence", help="Two-sided level, in (0, 1).")]
FileArg = Annotated[str, typer.Argument(help="CSV file, one row per subject ('-' = stdin).")]
TimeCol = Annotated[str, typer.Option("--time", help="Column with follow-up times (>= 0).")]
EventCol = Annotated[str, typer.Option("--event", help="Column with 1 = event, 0 = censored.")]


def _read_csv(path: str, columns: list[str]) -> pd.DataFrame:
    source = io.StringIO(sys.stdin.read()) if path == "-" else path
    try:
        frame = pd.read_csv(source, comment="#", dtype={"subject_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"{path}: missing column(s) {missing} (has {list(frame.columns)})"
        )
    return frame


def _groups(frame: pd.DataFrame, column: str, path: str) -> pd.Series:
    missing = frame[column].isna()
    if missing.any():
        i = int(missing.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{path}: column '{column}' has missing group values (first on data row {i + 1}); "
            "drop or label those rows"
        )
    return frame[column].astype(str)


def _numeric(frame: pd.DataFrame, column: str, path: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{path}: column '{column}' must be numeric (got {frame[column].iloc[i]!r} on data "
            f"row {i + 1})"
        )
    return values


@app.command("proportion")
@handle_errors
def proportion(
    events: Annotated[int, typer.Option("--events", help="Subjects with the outcome.")],
    n: Annotated[int, typer.Option("--n", help="Subjects evaluated (denominator).")],
    method: Annotated[str, typer.Option("--method", help="clopper-pearson | wilson")] = (
        "clopper-pearson"
    ),
    confidence: Confidence = 0.95,
    json_out: JsonFlag = False,
) -> None:
    """A proportion (ORR, DCR, ...) with its confidence interval; the method is named."""
    r = compute_proportion_ci(events, n, method=method, confidence=confidence)
    if json_out:
        print_json(r.to_dict())
        return
    console.print(r.summary, highlight=False, soft_wrap=True)


@app.command("compare")
@handle_errors
def compare(
    events_1: Annotated[int, typer.Option("--events-1", help="Outcomes in group 1.")],
    n_1: Annotated[int, typer.Option("--n-1", help="Subjects in group 1.")],
    events_2: Annotated[int, typer.Option("--events-2", help="Outcomes in group 2.")],
    n_2: Annotated[int, typer.Option("--n-2", help="Subjects in group 2.")],
    alternative: Annotated[str, typer.Option(
        "--alternative", help="two-sided | greater | less (Fisher's test)")] = "two-sided",
    confidence: Confidence = 0.95,
    json_out: JsonFlag = False,
) -> None:
    """Two proportions: difference with Newcombe CI and Fisher's exact test."""
    diff = compute_proportion_difference(events_1, n_1, events_2, n_2, confidence=confidence)
    fisher = compute_fisher_exact(events_1, n_1, events_2, n_2, alternative=alternative,
                                  confidence=confidence)
    if json_out:
        print_json({"difference": diff.to_dict(), "fisher": fisher.to_dict()})
        return
    console.print(diff.summary, highlight=False, soft_wrap=True)
    console.print(fisher.summary, highlight=False, soft_wrap=True)


@app.command("km")
@handle_errors
def km(
    file: FileArg,
    time: TimeCol,
    event: EventCol,
    group: Annotated[str | None, typer.Option("--group", help="Column with the arm/group.")] = None,
    conf_type: Annotated[str, typer.Option(
        "--conf-type", help="log-log (default; lifelines) | log (R survfit's default)")] = "log-log",
    landmark: Annotated[list[float] | None, typer.Option(
        "--landmark", help="Landmark time(s) for survival rates, in the file's time unit.")] = None,
    time_unit: Annotated[str, typer.Option("--time-unit", help="Label for the times.")] = "days",
    confidence: Confidence = 0.95,
    curve: Annotated[bool, typer.Option("--curve", help="Include the curve in --json.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Kaplan–Meier median with CI (per group), landmark rates, and log-rank if grouped."""
    cols = [time, event] + ([group] if group else [])
    frame = _read_csv(file, cols)
    t, e = _numeric(frame, time, file), _numeric(frame, event, file)
    if group:
        groups = _groups(frame, group, file)
        fits = compute_kaplan_meier_by_group(t, e, groups, conf_type=conf_type,
                                             confidence=confidence, time_unit=time_unit)
        test = compute_logrank_test(t, e, groups)
    else:
        fits = (compute_kaplan_meier(t, e, conf_type=conf_type, confidence=confidence,
                                     time_unit=time_unit),)
        test = None
    landmarks = landmark or []
    if json_out:
        print_json({
            "groups": [
                {**f.to_dict(include_curve=curve),
                 "landmarks": [f.survival_at(x).to_dict() for x in landmarks]}
                for f in fits
            ],
            "logrank": test.to_dict() if test else None,
        })
        return
    table = Table(title=f"Kaplan–Meier ({fits[0].method})", title_justify="left")
    for col in ("group", "n", "events", "median", f"{100 * confidence:g}% CI", *(
            f"S({x:g})" for x in landmarks)):
        table.add_column(col)
    for f in fits:
        ci = f"{_num(f.median_ci_lower_)} to {_num(f.median_ci_upper_)}"
        rates = []
        for x in landmarks:
            lm = f.survival_at(x)
            rates.append(f"{_num(lm.survival_, 3)} ({_num(lm.ci_lower_, 3)}-"
                         f"{_num(lm.ci_upper_, 3)})")
        table.add_row(f.label or "all", str(f.n), str(f.n_events), _num(f.median_), ci, *rates)
    console.print(table)
    if test is not None:
        console.print(test.summary, highlight=False, soft_wrap=True)


def _num(value: float, digits: int = 4) -> str:
    return "NA" if value != value else f"{value:.{digits}g}"


@app.command("logrank")
@handle_errors
def logrank(
    file: FileArg,
    time: TimeCol,
    event: EventCol,
    group: Annotated[str, typer.Option("--group", help="Column with the arm/group.")],
    json_out: JsonFlag = False,
) -> None:
    """Log-rank test across the groups of a column (as R survdiff)."""
    frame = _read_csv(file, [time, event, group])
    r = compute_logrank_test(_numeric(frame, time, file), _numeric(frame, event, file),
                             _groups(frame, group, file))
    if json_out:
        print_json(r.to_dict())
        return
    console.print(r.summary, highlight=False, soft_wrap=True)


@app.command("cox")
@handle_errors
def cox(
    file: FileArg,
    time: TimeCol,
    event: EventCol,
    covariate: Annotated[list[str], typer.Option(
        "--covariate", help="Numeric covariate column (repeat for several).")],
    ties: Annotated[str, typer.Option("--ties", help="efron (default, as R) | breslow")] = "efron",
    confidence: Confidence = 0.95,
    json_out: JsonFlag = False,
) -> None:
    """Cox proportional-hazards model: hazard ratios with Wald CIs and global tests."""
    frame = _read_csv(file, [time, event, *covariate])
    x = pd.DataFrame({c: _numeric(frame, c, file) for c in covariate})
    keep = x.notna().all(axis=1).to_numpy()
    dropped = int((~keep).sum())
    r = compute_cox_ph(_numeric(frame, time, file)[keep], _numeric(frame, event, file)[keep],
                       x[keep], ties=ties, confidence=confidence)
    if json_out:
        print_json({**r.to_dict(), "rows_dropped_for_missing_covariates": dropped})
        return
    console.print(r.summary, highlight=False, soft_wrap=True)
    if dropped:
        console.print(f"({dropped} row(s) with missing covariates dropped)", highlight=False, soft_wrap=True)


@app.command("derive")
@handle_errors
def derive(
    subjects: Annotated[str, typer.Argument(help="Subjects CSV (columns: see the guide).")],
    endpoint: Annotated[str, typer.Option(
        "--endpoint", help="pfs | os | css | ffs | rfs | dor | pfs2")],
    cutoff: Annotated[str, typer.Option("--cutoff", help="Data cut-off date, YYYY-MM-DD.")],
    assessments: Annotated[str | None, typer.Option(
        "--assessments", help="Assessments CSV: subject_id, assessment_date[, is_adequate].")
    ] = None,
    interval_days: Annotated[int | None, typer.Option(
        "--interval-days", help="Assessment interval; enables the missed-assessment rule.")
    ] = None,
    missed: Annotated[int, typer.Option(
        "--missed", help="Consecutive missed assessments that censor an event.")] = 2,
    json_out: JsonFlag = False,
) -> None:
    """Derive a time-to-event endpoint per subject (FDA-style censoring); CSV or JSON out."""
    subj = _read_csv(subjects, ["subject_id"])
    visits = _read_csv(assessments, ["subject_id", "assessment_date"]) if assessments else None
    rules = CensoringRules(assessment_interval_days=interval_days,
                           censor_after_missed_assessments=missed)
    out = derive_time_to_event(subj, endpoint, cutoff_date=cutoff, assessments=visits,
                               rules=rules)
    if json_out:
        print_json({"rules": rules.description, "rows": out.to_dict(orient="records")})
        return
    sys.stdout.write(out.to_csv(index=False))
