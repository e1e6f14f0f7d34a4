"""``abscopal synth``: generate synthetic data sets (OMOP CDM for screening)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from abscopal.cli._common import console, handle_errors, print_json
from abscopal.errors import InputError

app = typer.Typer(help="Generate synthetic data sets.", no_args_is_help=True)


@app.command("omop")
@handle_errors
def omop(
    patients: Annotated[int, typer.Option("--patients", help="Number of patients.")],
    out: Annotated[str, typer.Option("--out", help="A .duckdb file, or a directory for Parquet.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    as_of: Annotated[str, typer.Option("--as-of", help="Date the data are centred on.")] = "2025-01-15",
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Generate N synthetic patients as an OMOP CDM (DuckDB file or Parquet directory)."""
    from abscopal.screening.synth import generate_synthetic_omop, write_duckdb, write_parquet

    try:
        day = date.fromisoformat(as_of)
    except ValueError as exc:
        raise InputError(f"'--as-of' must be a date YYYY-MM-DD (got {as_of!r})") from exc
    synth = generate_synthetic_omop(patients, seed=seed, as_of=day)
    if out.endswith((".duckdb", ".db")):
        write_duckdb(synth, out)
    else:
        write_parquet(synth, out)
    rows = {name: t.num_rows for name, t in synth.tables.items()}
    if json_out:
        print_json({"out": out, "patients": patients, "seed": seed, "as_of": day.isoformat(),
                    "rows": rows})
    else:
        console.print(f"wrote {patients} synthetic patients (seed {seed}, centred on {day}) "
                      f"to {out}: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
