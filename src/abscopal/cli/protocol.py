"""``abscopal protocol``: list, show, validate the built-in and user protocols; export the schema."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from abscopal.cli._common import console, handle_errors, print_json, read_text
from abscopal.datasets import list_trial_ids, load_trial
from abscopal.errors import ProtocolError
from abscopal.protocol import Protocol, parse_protocol_text, protocol_json_schema

app = typer.Typer(help="Protocols as code: list, show, validate, schema.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _summary_row(p: Protocol) -> dict[str, object]:
    return {
        "registry_id": p.identity.registry_id,
        "title": p.identity.title,
        "phase": p.identity.phase.value if p.identity.phase else None,
        "status": p.identity.status.value,
        "target_enrolment": p.identity.target_enrolment,
        "arms": len(p.arms),
        "criteria": len(p.eligibility),
        "endpoints": len(p.endpoints),
        "protocol_version": p.protocol_version,
    }


@app.command("list")
@handle_errors
def list_(json_out: JsonFlag = False) -> None:
    """List the built-in trials, validating each."""
    rows = [_summary_row(load_trial(i)) for i in list_trial_ids()]
    if json_out:
        print_json(rows)
        return
    table = Table(title="Built-in trials (all valid)")
    for col in ("registry_id", "phase", "status", "n", "arms", "criteria"):
        table.add_column(col, no_wrap=True, min_width=len(col))
    for r in rows:
        table.add_row(*(("—" if r[c] is None else str(r[c])) for c in (
            "registry_id", "phase", "status", "target_enrolment", "arms", "criteria")))
    console.print(table)
    for r in rows:
        console.print(f"{r['registry_id']}  {r['title']}", overflow="ellipsis", no_wrap=True,
                      highlight=False)


@app.command("show")
@handle_errors
def show(registry_id: str, json_out: JsonFlag = False) -> None:
    """Show a readable summary of a built-in trial."""
    p = load_trial(registry_id)
    if json_out:
        print_json(p.model_dump(mode="json"))
        return
    i = p.identity
    console.print(f"[bold]{i.registry_id}[/] {i.title}")
    phase = i.phase.value if i.phase else "phase not stated"
    target = i.target_enrolment if i.target_enrolment is not None else "not stated"
    console.print(f"{phase} · {i.status.value} · {i.sponsor} · target n={target}")
    console.print(
        f"design: {p.design.allocation.value}, {p.design.intervention_model.value}, masking "
        f"{p.design.masking.level.value}"
        + (f" (blinded: {', '.join(b.value for b in p.design.masking.blinded)})"
           if p.design.masking.blinded else "")
    )
    for stage in p.design.stages:
        console.print(f"  stage {stage.id}: {stage.label}" + (f", n={stage.size}" if stage.size else ""))
    console.print("[bold]arms[/]")
    for arm in p.arms:
        console.print(f"  {arm.id} ({arm.type.value}, {arm.assignment.kind}): {arm.label}"
                      f" — {', '.join(arm.interventions)}")
    console.print("[bold]interventions[/]")
    for iv in p.interventions:
        console.print(f"  {iv.id} [{iv.kind}] {iv.name}", markup=False, highlight=False)
    automated = sum(1 for c in p.eligibility if c.rule is not None)
    console.print(f"[bold]eligibility[/]: {len(p.eligibility)} criteria, {automated} automated")
    console.print("[bold]endpoints[/]")
    for e in p.endpoints:
        console.print(f"  {e.level.value}: {e.kind.value} — {e.title}")
    if p.assumptions:
        console.print(f"[bold]assumptions[/]: {len(p.assumptions)} (where the registry is silent)")
        for a in p.assumptions:
            console.print(f"  {a.path}: {a.assumed}", highlight=False, markup=False)


@app.command("validate")
@handle_errors
def validate(
    files: Annotated[list[str], typer.Argument(help="Protocol YAML/JSON files ('-' = stdin).")],
    json_out: JsonFlag = False,
) -> None:
    """Validate protocol files; exit 2 if any is invalid, naming each problem's path."""
    results: list[dict[str, object]] = []
    for path in files:
        try:
            p = parse_protocol_text(read_text(path), source=path)
            results.append({"file": path, "valid": True, "registry_id": p.identity.registry_id})
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc.strerror
            finding = {"path": "(file)", "expected": "a readable UTF-8 file", "received": reason}
            results.append({"file": path, "valid": False, "findings": [finding],
                            "message": f"{path}: cannot read ({reason})"})
        except ProtocolError as exc:
            results.append({
                "file": path,
                "valid": False,
                "findings": [
                    {"path": f.path, "expected": f.expected, "received": f.received}
                    for f in exc.findings
                ],
                "message": str(exc),
            })
    if json_out:
        print_json(results)
    else:
        for r in results:
            if r["valid"]:
                console.print(f"[green]valid[/] {r['file']} ({r['registry_id']})")
            else:
                console.print(str(r["message"]), style="red", highlight=False, markup=False,
                              soft_wrap=True)
    if not all(r["valid"] for r in results):
        raise typer.Exit(2)


@app.command("schema")
@handle_errors
def schema() -> None:
    """Print the protocol JSON Schema."""
    print_json(protocol_json_schema())
