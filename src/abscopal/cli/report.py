"""``abscopal report TRIAL``: the trial report (HTML or PDF) from demo data.

The data source is the seeded demo simulator (``--seed``). A ``--db URL`` source will read a
trial's data from the service store once it exposes a ``TrialData`` loader; until then the
option is refused with that reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from abscopal.cli._common import fail, handle_errors, print_json
from abscopal.datasets import load_trial
from abscopal.demo import SimulationSettings, simulate_trial
from abscopal.errors import InputError
from abscopal.protocol import Protocol
from abscopal.report.derive import derive_trial
from abscopal.report.model import ReportOptions, TrialReport, build_report
from abscopal.report.render import render_html, write_pdf
from abscopal.trialdata import TrialData

FORMATS = ("html", "pdf")


def load_demo_data(trial: str, *, seed: int) -> tuple[Protocol, TrialData]:
    """A built-in protocol and its simulated data (same seed, same data)."""
    protocol = load_trial(trial)
    return protocol, simulate_trial(protocol, SimulationSettings(seed=seed))


def make_report(trial: str, *, seed: int, blinded: bool) -> tuple[Protocol, TrialReport]:
    """Derive and build the report model of a built-in trial on demo data."""
    protocol, data = load_demo_data(trial, seed=seed)
    derived = derive_trial(data, protocol)
    return protocol, build_report(derived, protocol, options=ReportOptions(blinded=blinded))


def write_report(report: TrialReport, protocol: Protocol, *, fmt: str, out_dir: Path) -> Path:
    """Write ``<TRIAL>[-blinded].<fmt>`` into ``out_dir`` and return its path."""
    if fmt not in FORMATS:
        raise InputError(f"'--format' must be one of {list(FORMATS)} (got {fmt!r})")
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report.registry_id + ("-blinded" if report.blinded else "")
    html = render_html(report, protocol, for_pdf=fmt == "pdf")
    path = out_dir / f"{stem}.{fmt}"
    if fmt == "html":
        path.write_text(html, encoding="utf-8")
    else:
        write_pdf(html, path)
    return path


def summary(report: TrialReport, path: Path) -> dict[str, object]:
    """Key numbers of a report, for ``--json``."""
    return {
        "trial": report.registry_id,
        "file": str(path),
        "blinded": report.blinded,
        "data_cut": report.data_cut.isoformat(),
        "enrolled": report.consort.enrolled,
        "groups": {g.key: len(g.subject_ids) for g in report.groups},
        "orr": {f"{t.group}/{t.criteria}": t.orr.to_dict() for t in report.responses},
        "median_days": {f"{ep.endpoint}/{sg.group}": None if sg.km.median_ != sg.km.median_
                        else sg.km.median_ for ep in report.survival for sg in ep.groups},
        "logrank_p": {ep.endpoint: ep.logrank.p_value_ for ep in report.survival
                      if ep.logrank is not None},
        "lymphopenia_derived": report.lymphopenia.derived,
    }


@handle_errors
def report(
    trial: Annotated[str, typer.Argument(help="Registry id of a built-in trial, e.g. NCT06439888.")],
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("reports"),
    blinded: Annotated[bool, typer.Option(
        "--blinded", help="Pool arms; leave out anything that reveals the allocation.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Demo-data seed.")] = SimulationSettings.seed,
    db: Annotated[str | None, typer.Option(
        "--db", help="Service database URL (not available yet: the store has no TrialData "
        "loader).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print key numbers as JSON.")] = False,
) -> None:
    """Write the trial report of TRIAL as HTML or PDF into --out."""
    if db is not None:
        raise fail("'--db' is not available yet: the service store does not expose a "
                   "TrialData loader; the report runs on demo data (--seed)")
    if fmt not in FORMATS:
        raise InputError(f"'--format' must be one of {list(FORMATS)} (got {fmt!r})")
    protocol, rep = make_report(trial, seed=seed, blinded=blinded)
    path = write_report(rep, protocol, fmt=fmt, out_dir=out)
    if json_out:
        print_json(summary(rep, path))
        return
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``abscopal report`` (a single command, not a group) to the main app."""
    app.command("report", no_args_is_help=True)(report)
