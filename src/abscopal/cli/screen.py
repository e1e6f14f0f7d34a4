"""``abscopal screen``: eligibility for one patient file, or batch over an OMOP CDM database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from abscopal.cli._common import console, handle_errors, print_json, read_text
from abscopal.datasets import list_trial_ids, load_trial
from abscopal.eligibility import TrialResult, evaluate_protocol, parse_patient
from abscopal.errors import InputError
from abscopal.protocol import Protocol, parse_protocol_text

app = typer.Typer(help="Screen patients against trial eligibility criteria.",
                  no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ProtocolOpt = Annotated[str, typer.Option(
    "--protocol", help="Built-in trial id (NCT...), 'all', or a protocol YAML file.")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Screening date YYYY-MM-DD (default: today).")]


def _protocols(spec: str) -> list[Protocol]:
    if spec == "all":
        ids = list_trial_ids()
        if not ids:
            raise InputError("'--protocol all': no built-in trials are installed")
        return [load_trial(i) for i in ids]
    if spec.endswith((".yaml", ".yml", ".json")) or Path(spec).is_file():
        return [parse_protocol_text(read_text(spec), source=spec)]
    return [load_trial(spec)]


def _as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"'--as-of' must be a date YYYY-MM-DD (got {text!r})") from exc


def _result_json(result: TrialResult) -> dict[str, Any]:
    return {
        "registry_id": result.registry_id,
        "patient_id": result.patient_id,
        "as_of": result.as_of.isoformat(),
        "status": result.status.value,
        "rule_language_version": result.rule_language_version,
        "counts": result.counts,
        "criteria": [{
            "id": c.criterion_id, "kind": c.kind, "status": c.status.value,
            "verdict": c.verdict.value, "text": c.text, "rule": c.rule_text,
            "values": dict(c.values), "missing": list(c.missing),
            "manual_reason": c.manual_reason,
        } for c in result.criteria],
    }


_STYLE = {"pass": "green", "fail": "red", "to_confirm": "yellow"}


@app.command("patient")
@handle_errors
def patient(
    protocol: ProtocolOpt,
    patient_file: Annotated[str, typer.Option("--patient", help="Patient JSON file ('-' = stdin).")],
    as_of: AsOfOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Evaluate one patient file against one trial (or all): each criterion with its status,
    the values used and the rule."""
    try:
        document = json.loads(read_text(patient_file))
    except json.JSONDecodeError as exc:
        raise InputError(f"{patient_file}: not valid JSON ({exc})") from exc
    person = parse_patient(document, source=patient_file)
    day = _as_of(as_of)
    results = [evaluate_protocol(p, person, as_of=day) for p in _protocols(protocol)]
    if json_out:
        print_json([_result_json(r) for r in results])
        return
    for r in results:
        style = {"eligible": "green", "not_eligible": "red"}.get(r.status.value, "yellow")
        console.print(f"[bold]{r.registry_id}[/] patient {r.patient_id} on {r.as_of}: "
                      f"[{style}]{r.status.value}[/]")
        table = Table(show_lines=False)
        for col in ("id", "verdict", "status", "values used / missing", "rule / reason"):
            table.add_column(col, overflow="fold")
        for c in r.criteria:
            used = "; ".join(f"{k}={v}" for k, v in c.values)
            if c.missing:
                used += (" | " if used else "") + "missing: " + "; ".join(c.missing)
            table.add_row(c.criterion_id, f"[{_STYLE[c.verdict.value]}]{c.verdict.value}[/]",
                          c.status.value, used, c.rule_text or f"manual: {c.manual_reason}")
        console.print(table)


@app.command("omop")
@handle_errors
def omop(
    db: Annotated[str, typer.Option("--db", help="duckdb:///file, a Parquet directory, "
                                    "postgresql://..., or spark:///DIR (Parquet read by a "
                                    "local Spark session)")],
    protocol: ProtocolOpt,
    as_of: Annotated[str, typer.Option("--as-of", help="Screening date YYYY-MM-DD.")],
    out: Annotated[str | None, typer.Option("--out", help="Write candidates (Parquet).")] = None,
    timeout_s: Annotated[float, typer.Option("--timeout", help="Per-query limit, s.")] = 300.0,
    schema: Annotated[str | None, typer.Option("--schema", help="PostgreSQL schema.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Screen a whole OMOP CDM database: attrition per trial and per-patient statuses."""
    from abscopal.screening.engine import open_database, screen_database, write_candidates

    protocols = _protocols(protocol)
    day = _as_of(as_of)
    database = open_database(db, timeout_s=timeout_s, schema=schema)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn(
                "{task.completed}/{task.total} trials"), TimeElapsedColumn(),
                console=console, transient=json_out, disable=json_out) as bar:
            task = bar.add_task(f"screening {database.description} (one query for all trials)",
                                total=len(protocols))
            results = screen_database(database, protocols, as_of=day, timeout_s=timeout_s,
                                      on_done=lambda r: bar.advance(task))
    finally:
        database.close()
    if out is not None:
        write_candidates(results, out)
    summary = []
    for r in results:
        counts = {k: int((r.trial_codes == i).sum())
                  for i, k in enumerate(("eligible", "not_eligible", "to_confirm"))}
        summary.append({"registry_id": r.registry_id, "persons": int(len(r.person_id)),
                        "seconds": round(r.seconds, 3), "trial_status": counts,
                        "attrition": r.attrition.to_dict(orient="records")})
    if json_out:
        print_json({"as_of": day.isoformat(), "out": out, "trials": summary})
        return
    for s in summary:
        console.print(f"[bold]{s['registry_id']}[/]: {s['persons']} persons in "
                      f"{s['seconds']} s — {s['trial_status']}")
        table = Table(title="attrition (protocol order; 'excl.' = newly excluded, "
                      "'left' = still in)")
        cols = ("criterion", "kind", "automated", "met", "not_met", "unknown", "manual",
                "excluded_in_order", "remaining")
        for label in ("id", "kind", "rule", "met", "not met", "unknown", "manual", "excl.",
                      "left"):
            table.add_column(label, justify="left" if label in ("id", "kind") else "right")
        for row in s["attrition"]:
            cells = [str(row[c]) for c in cols]
            cells[1] = "inc" if row["kind"] == "inclusion" else "exc"
            cells[2] = "yes" if row["automated"] else "manual"
            table.add_row(*cells)
        console.print(table)
    if out is not None:
        console.print(f"per-patient per-criterion statuses written to {out}")


@app.command("sql")
@handle_errors
def sql(
    protocol: ProtocolOpt,
    as_of: Annotated[str, typer.Option("--as-of", help="Screening date YYYY-MM-DD.")],
    dialect: Annotated[str, typer.Option("--dialect", help="duckdb, postgres or spark.")] = "duckdb",
    json_out: JsonFlag = False,
) -> None:
    """Print the compiled screening query (and its bound parameters) for a dialect."""
    from abscopal.screening.sql import compile_protocol

    day = _as_of(as_of)
    queries = [compile_protocol(p, as_of=day, dialect=dialect) for p in _protocols(protocol)]
    if json_out:
        print_json([{"registry_id": q.registry_id, "dialect": q.dialect, "sql": q.sql,
                     "params": dict(q.params), "criteria": list(q.criteria),
                     "manual": list(q.manual)} for q in queries])
        return
    for q in queries:
        console.print(f"-- {q.registry_id} ({q.dialect}); columns c0.. = {', '.join(q.criteria)}")
        console.print(q.sql, markup=False, highlight=False, soft_wrap=True)
        console.print(f"-- {len(q.params)} parameters", markup=False)
