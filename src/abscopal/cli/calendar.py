"""``abscopal calendar``: a subject's treatment and visit calendar from a built-in protocol."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from abscopal.calendar import build_treatment_calendar, compute_bsa_mosteller
from abscopal.cli._common import console, handle_errors, print_json
from abscopal.datasets import load_trial
from abscopal.errors import InputError

app = typer.Typer(help="Treatment and visit calendars.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"'{option}' must be a date YYYY-MM-DD (got {text!r})") from exc


def _cycle_lengths(specs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not value.isdigit():
            raise InputError(f"'--cycle-length' must look like intervention_id=21 (got {spec!r})")
        out[name] = int(value)
    return out


@app.command("show")
@handle_errors
def show(
    protocol_id: Annotated[str, typer.Option("--protocol", help="Built-in trial registry id.")],
    start: Annotated[str, typer.Option(help="First treatment day (first RT fraction), YYYY-MM-DD.")],
    arm: Annotated[str | None, typer.Option(help="Arm id (default: the first arm).")] = None,
    bsa_m2: Annotated[float | None, typer.Option("--bsa-m2", help="Body-surface area, m2.")] = None,
    height_cm: Annotated[float | None, typer.Option("--height-cm", help="For BSA (Mosteller).")] = None,
    weight_kg: Annotated[float | None, typer.Option("--weight-kg", help="For mg/kg doses and BSA.")] = None,
    fractions: Annotated[int | None, typer.Option(help="Number of RT fractions when not fixed.")] = None,
    cycle_length: Annotated[
        list[str] | None, typer.Option(help="Cycle length for a drug, e.g. ici_after_implant=21.")
    ] = None,
    include_optional: Annotated[bool, typer.Option(help="Plan optional drugs too.")] = False,
    horizon_days: Annotated[int, typer.Option(help="Horizon for open-ended schedules.")] = 365,
    json_out: JsonFlag = False,
) -> None:
    """Show the planned RT fractions, drug days (with doses) and visits with windows."""
    protocol = load_trial(protocol_id)
    start_date = _date(start, "--start")
    if bsa_m2 is None and height_cm is not None and weight_kg is not None:
        bsa_m2 = compute_bsa_mosteller(height_cm, weight_kg)
    calendar = build_treatment_calendar(
        protocol,
        arm_id=arm or protocol.arms[0].id,
        start_date=start_date,
        bsa_m2=bsa_m2,
        weight_kg=weight_kg,
        fractions=fractions,
        cycle_length_days=_cycle_lengths(cycle_length or []),
        include_optional=include_optional,
        horizon_days=horizon_days,
    )
    if json_out:
        print_json({**asdict(calendar), "bsa_m2": bsa_m2})
        return
    console.print(f"[bold]{calendar.registry_id}[/] arm {calendar.arm_id}, start "
                  f"{calendar.start_date:%a %Y-%m-%d}" + (f", BSA {bsa_m2:.2f} m2" if bsa_m2 else ""))
    table = Table()
    for col in ("date", "day", "what", "item", "detail", "window"):
        table.add_column(col)
    rows: list[tuple[dt.date, str, str, str, str]] = []
    for f in calendar.fractions:
        dose = f"{f.dose_gy:g} Gy" if f.dose_gy is not None else "dose per protocol"
        rows.append((f.date, f"RT {f.intervention_id}", f"fraction {f.number}", dose, ""))
    for d in calendar.drug_doses:
        dose = f"{d.dose_mg:.1f} mg" if d.dose_mg is not None else "dose per protocol"
        rows.append((d.date, d.intervention_id, f"cycle {d.cycle} day {d.day_in_cycle}", dose, ""))
    for v in calendar.visits:
        window = f"{v.window_start:%m-%d}..{v.window_end:%m-%d}"
        rows.append((v.nominal_date, v.kind, f"{v.assessment_id} #{v.number}", "", window))
    for date, *rest in sorted(rows, key=lambda r: (r[0], r[1])):
        table.add_row(date.isoformat(), f"{date:%a}", *rest)
    console.print(table)
    bases = sorted({f"{d.intervention_id}: {d.basis}" for d in calendar.drug_doses})
    for note in (*bases, *calendar.notes):
        console.print(f"note: {note}", highlight=False, markup=False)
