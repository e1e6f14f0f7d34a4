"""``abscopal ctcae``: grade lab values with CTCAE (one value or a CSV file); list terms."""

from __future__ import annotations

import io
import sys
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from abscopal.cli._common import console, handle_errors, print_json, read_text
from abscopal.errors import InputError, MissingColumnError
from abscopal.toxicity import grade_lab, grade_labs, load_criteria
from abscopal.toxicity.batch import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

app = typer.Typer(help="CTCAE grading: lab values, files of labs, the term table.",
                  no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
VersionOpt = Annotated[str, typer.Option("--criteria", help="Criteria version (ctcae_v5).")]


@app.command("grade")
@handle_errors
def grade(
    term: Annotated[str, typer.Option("--term", help="CTCAE term, e.g. 'Lymphocyte count "
                                                     "decreased'.")],
    value: Annotated[str, typer.Option("--value", help="Lab value (read exactly as written).")],
    unit: Annotated[str, typer.Option("--unit", help="Unit, e.g. 10^9/L, /mm3, g/dL, mmol/L, "
                                                     "umol/L, U/L.")],
    lln: Annotated[str | None, typer.Option("--lln", help="Lab's lower limit of normal "
                                                          "(same unit).")] = None,
    uln: Annotated[str | None, typer.Option("--uln", help="Lab's upper limit of normal "
                                                          "(same unit).")] = None,
    baseline: Annotated[str | None, typer.Option("--baseline", help="Subject's baseline value "
                                                                    "(same unit).")] = None,
    baseline_uln: Annotated[str | None, typer.Option(
        "--baseline-uln", help="ULN of the baseline sample's lab (default: --uln).")] = None,
    baseline_record: Annotated[bool, typer.Option(
        "--baseline-record", help="The value is the baseline itself (graded against ULN).")] = False,
    clinical_grade: Annotated[int | None, typer.Option(
        "--clinical-grade", help="Grade from clinical facts (symptoms, transfusion...).")] = None,
    version: VersionOpt = "ctcae_v5",
    json_out: JsonFlag = False,
) -> None:
    """Grade one lab value."""
    r = grade_lab(term, value, unit, version=version, lln=lln, uln=uln, baseline=baseline,
                  baseline_uln=baseline_uln, is_baseline_record=baseline_record,
                  clinical_grade=clinical_grade)
    if r.grade is None and "|NG:" in r.rule_id:
        limit = r.rule_id.rsplit("|NG:", 1)[1].lower()
        raise InputError(f"--{limit} is required to grade {r.term!r} at {value} {unit}: "
                         f"{r.not_gradable_reason} (CTCAE v5.0 text: "
                         f"'{r.rule_text or _cell(r.term, r.grade_at_most, version)}')")
    if json_out:
        print_json(r.to_dict())
        return
    g = f"grade {r.grade}" if r.grade is not None else "not gradable"
    console.print(f"[bold]{r.term}[/]: {g} ({r.criteria_version})", highlight=False)
    console.print(f"rule: {r.rule}", highlight=False, markup=False)
    if r.not_gradable_reason:
        console.print(f"reason: {r.not_gradable_reason}", highlight=False, markup=False)
    if r.unit_converted:
        console.print(f"converted: {r.value} {r.unit} -> {r.graded_value} {r.graded_unit}",
                      highlight=False, markup=False)
    for reason in r.review_reasons:
        console.print(f"needs clinical review: {reason}", style="yellow", highlight=False,
                      markup=False)


def _cell(term: str, grade: int | None, version: str) -> str:
    crit = next(c for c in load_criteria(version).lab_criteria if c.term == term)
    return crit.text.get(grade or 1, "")


def _read_csv(path: str) -> pd.DataFrame:
    text = read_text(path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype={"term": str, "unit": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    for col in REQUIRED_COLUMNS:
        if col not in df.columns:
            raise MissingColumnError(f"{path}: missing column {col!r}; required columns are "
                                     f"{list(REQUIRED_COLUMNS)}, optional {list(OPTIONAL_COLUMNS)}")
    return df


@app.command("grade-file")
@handle_errors
def grade_file(
    path: Annotated[str, typer.Argument(help="CSV of labs ('-' = stdin): columns term, value, "
                                             "unit; optional lln, uln, baseline, "
                                             "baseline_uln, is_baseline_record, "
                                             "clinical_grade; other "
                                             "columns are carried through.")],
    out: Annotated[str | None, typer.Option("--out", help="Write the graded rows as CSV to "
                                                          "this file.")] = None,
    version: VersionOpt = "ctcae_v5",
    json_out: JsonFlag = False,
) -> None:
    """Grade every row of a CSV file of labs (vectorised)."""
    df = _read_csv(path)
    graded = grade_labs(df, version=version)
    result = pd.concat([df, graded.drop(columns=[c for c in graded.columns
                                                 if c in df.columns])], axis=1)
    if out is not None:
        result.to_csv(out, index=False)
    if json_out:
        records = result.astype(object).where(result.notna(), None).to_dict(orient="records")
        print_json({"rows": len(result), "criteria_version": load_criteria(version).version,
                    "results": records})
        return
    if out is None:
        result.to_csv(sys.stdout, index=False)
        return
    counts = graded["grade"].value_counts(dropna=False).sort_index()
    console.print(f"graded {len(result)} rows -> {out}", highlight=False)
    for g, n in counts.items():
        console.print(f"  {'not gradable' if pd.isna(g) else f'grade {g}'}: {n}",
                      highlight=False)
    console.print(f"  needs clinical review: {int(graded['needs_clinical_review'].sum())}",
                  highlight=False)


@app.command("terms")
@handle_errors
def terms(version: VersionOpt = "ctcae_v5", json_out: JsonFlag = False) -> None:
    """List the CTCAE terms abscopal knows, their allowed grades and lab grading."""
    table = load_criteria(version)
    by_term: dict[str, list[str]] = {}
    for c in table.lab_criteria:
        units = [b.name for b in c.branches if b.unit] or (["any unit (x ULN/baseline)"]
                                                           if c.branches else [])
        label = c.analyte.name + (f" [{', '.join(units)}]" if units else " [clinical only]")
        by_term.setdefault(c.term, []).append(label)
    rows: list[dict[str, object]] = [
        {"term": s.term, "soc": s.soc, "allowed_grades": list(s.allowed_grades),
         "meddra_code": s.meddra_code, "lab_graded": s.term in by_term,
         "lab_analytes": by_term.get(s.term, [])} for s in table.terms]
    if json_out:
        print_json({"criteria_version": table.version, "source": table.source, "terms": rows})
        return
    t = Table(title=f"{table.version} terms ({len(rows)})")
    for col in ("term", "grades", "SOC", "lab grading"):
        t.add_column(col)
    for s in table.terms:
        t.add_row(s.term, ",".join(map(str, s.allowed_grades)), s.soc,
                  "; ".join(by_term.get(s.term, [])) or "-")
    console.print(t)
