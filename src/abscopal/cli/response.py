"""``abscopal response``: evaluate tumour response (RECIST 1.1 / iRECIST) from a JSON file."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from abscopal.cli._common import console, handle_errors, print_json, read_text
from abscopal.errors import InputError
from abscopal.response import (
    PatientEvaluation,
    PostPrPolicy,
    ResponseParams,
    derive_patient_evaluation,
    get_rules,
    parse_patients,
    to_jsonable,
)

app = typer.Typer(help="Tumour response: RECIST 1.1, iRECIST, abscopal.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _show(ev: PatientEvaluation) -> None:
    r = ev.recist11
    title = f"{ev.patient_id} - RECIST 1.1 (baseline {r.baseline_date}"
    title += f", sum {r.baseline_sum_mm} mm)" if r.baseline_sum_mm is not None else ")"
    table = Table(title=title)
    for col in ("date", "sum mm", "target", "non-target", "new", "overall"):
        table.add_column(col, no_wrap=True)
    for tp in r.timepoints:
        table.add_row(
            str(tp.assessment_date),
            "" if tp.target_sum_mm is None else str(tp.target_sum_mm),
            tp.target.value if tp.target else "",
            tp.non_target.value if tp.non_target else "",
            tp.new_lesions.value,
            tp.overall.value if tp.overall else "-",
        )
    console.print(table)
    for tp in r.timepoints:
        for reason in tp.reasons:
            console.print(f"  {tp.assessment_date}: {reason}", highlight=False, markup=False)
    for f in ev.baseline_findings:
        console.print(f"[yellow]baseline finding:[/] {f}", highlight=False)
    for label, bor in (("BOR (confirmed)", r.bor_confirmed), ("BOR (unconfirmed)", r.bor_unconfirmed)):
        console.print(
            f"[bold]{label}[/]: {bor.response.value}; first response {bor.first_response_date}; "
            f"PD {bor.pd_date}", highlight=False,
        )
        for reason in bor.reasons:
            console.print(f"    {reason}", highlight=False, markup=False)
    if ev.irecist is not None:
        ir = ev.irecist
        console.print("[bold]iRECIST[/]: " + ", ".join(
            f"{tp.assessment_date} {tp.overall.value if tp.overall else '-'}" for tp in ir.timepoints
        ), highlight=False)
        console.print(
            f"[bold]iBOR[/]: {ir.best_overall_response.response.value} "
            f"(confirmed iUPD {ir.confirmed_iupd_date}, iCPD {ir.icpd_date})", highlight=False,
        )
    ab = ev.abscopal
    if ab.lesions:
        lt = Table(title=f"{ev.patient_id} - target lesions (size mm / lesion response)")
        lt.add_column("lesion", no_wrap=True)
        lt.add_column("field", no_wrap=True)
        lt.add_column("baseline", no_wrap=True)
        for ltp in ab.lesions[0].timepoints:
            lt.add_column(str(ltp.assessment_date), no_wrap=True)
        for les in ab.lesions:
            lt.add_row(
                les.lesion_id + (" (node)" if les.is_nodal else ""),
                "in" if les.in_field else "out",
                str(les.baseline_mm),
                *(("-" if t.size_mm is None else str(t.size_mm)) + f" {t.response.value}"
                  for t in les.timepoints),
            )
        console.print(lt)
    flag = {True: "yes", False: "no", None: "not evaluable"}[ab.abscopal_response]
    console.print(f"[bold]abscopal response[/]: {flag} - {ab.reasons[0]}", highlight=False)
    console.print(f"rule version: {r.rule_version}" + (
        f", {ev.irecist.rule_version}" if ev.irecist else ""), highlight=False)


@app.command("evaluate")
@handle_errors
def evaluate(
    file: Annotated[str, typer.Argument(help="Patient JSON (one object or a list; '-' = stdin).")],
    criteria: Annotated[
        str, typer.Option("--criteria", help="recist1.1 or irecist (iRECIST shown beside RECIST 1.1).")
    ] = "recist1.1",
    no_confirmation: Annotated[
        bool, typer.Option("--no-confirmation", help="BOR without CR/PR confirmation.")
    ] = False,
    sd_min_days: Annotated[int, typer.Option(help="SD minimum duration, days.")] = 42,
    confirm_min_days: Annotated[int, typer.Option(help="Minimum confirmation interval, days.")] = 28,
    post_pr_policy: Annotated[
        str, typer.Option(help="strict or continuing_pr.")
    ] = PostPrPolicy.STRICT.value,
    json_out: JsonFlag = False,
) -> None:
    """Evaluate every patient in FILE: timepoint responses, BOR, dates, abscopal flag."""
    rules = get_rules(criteria)
    try:
        data = json.loads(read_text(file))
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    params = ResponseParams(
        require_confirmation=not no_confirmation,
        sd_min_days=sd_min_days,
        confirm_min_days=confirm_min_days,
        post_pr_policy=post_pr_policy,  # type: ignore[arg-type]  # validated by ResponseParams
    )
    records = parse_patients(data)
    evaluations = [derive_patient_evaluation(r, criteria=rules.version, params=params)
                   for r in records]
    if json_out:
        print_json([to_jsonable(ev) for ev in evaluations])
        return
    for ev in evaluations:
        _show(ev)
