"""``abscopal export sdtm TRIAL``: CDISC SDTM datasets (XPT v5 + CSV) of a built-in trial.

Data: the seeded demo simulator, derived (responses, CTCAE grades) exactly as for a report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from abscopal.cli._common import handle_errors, print_json
from abscopal.cli.report import load_demo_data
from abscopal.demo import SimulationSettings
from abscopal.exchange.sdtm import build_sdtm, write_sdtm
from abscopal.report.derive import derive_trial_data

app = typer.Typer(help="Standards exports (CDISC SDTM).", no_args_is_help=True)


@app.command("sdtm")
@handle_errors
def sdtm(
    trial: Annotated[str, typer.Argument(help="Registry id of a built-in trial.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("sdtm"),
    blinded: Annotated[bool, typer.Option(
        "--blinded", help="ARM/ARMCD 'BLINDED'; no TA domain; no arm-specific exposure.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Demo-data seed.")] = SimulationSettings.seed,
    json_out: Annotated[bool, typer.Option("--json", help="List the files as JSON.")] = False,
) -> None:
    """Write DM, EX, AE, LB, TU, TR, RS, TS, TA, TE as XPT v5 and CSV into --out."""
    protocol, data = load_demo_data(trial, seed=seed)
    domains = build_sdtm(derive_trial_data(data, protocol), protocol, blinded=blinded)
    written = write_sdtm(domains, out)
    if json_out:
        print_json({"trial": trial, "blinded": blinded,
                    "domains": {k: len(v) for k, v in domains.items()},
                    "files": [str(p) for p in written]})
        return
    for name, frame in domains.items():
        typer.echo(f"{name:<3} {len(frame):>6} rows")
    typer.echo(f"wrote {len(written)} files to {out}")
