"""``abscopal protocol import``: a ClinicalTrials.gov v2 record → a protocol draft (YAML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from abscopal.cli._common import console, fail, handle_errors, print_json, read_text
from abscopal.exchange.ctgov import import_ctgov_record
from abscopal.protocol import dump_protocol


@handle_errors
def import_(
    record: Annotated[str, typer.Argument(help="Study record JSON (API v2 layout); '-' = stdin.")],
    out: Annotated[str | None, typer.Option(help="Write the draft YAML here.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON report.")] = False,
) -> None:
    """Import a ClinicalTrials.gov API v2 study record as a protocol draft."""
    try:
        data = json.loads(read_text(record))
    except json.JSONDecodeError as exc:
        raise fail(f"{record}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    result = import_ctgov_record(data, source=record)
    yaml_text = dump_protocol(result.protocol)
    if out:
        Path(out).write_text(yaml_text, encoding="utf-8")
    if json_out:
        print_json({
            "registry_id": result.protocol.identity.registry_id,
            "criteria": len(result.protocol.eligibility),
            "arms": len(result.protocol.arms),
            "endpoints": len(result.protocol.endpoints),
            "unmapped": [
                {"path": f.path, "expected": f.expected, "received": f.received}
                for f in result.report.unmapped
            ],
            "assumed": result.report.assumed,
            "out": out,
        })
        return
    if not out:
        typer.echo(yaml_text)
    console.print(
        f"[green]draft[/] {result.protocol.identity.registry_id}: "
        f"{len(result.protocol.eligibility)} criteria (all manual), "
        f"{len(result.protocol.arms)} arms, {len(result.protocol.endpoints)} endpoints",
        highlight=False,
    )
    for line in result.report.lines():
        console.print(f"  {line}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``import`` to the ``protocol`` group."""
    app.command("import")(import_)
