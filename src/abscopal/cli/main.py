"""The ``abscopal`` command: one sub-command group per use-case."""

from __future__ import annotations

import typer

from abscopal.cli import analyse as analyse_cli
from abscopal.cli import calendar as calendar_cli
from abscopal.cli import ctcae as ctcae_cli
from abscopal.cli import design as design_cli
from abscopal.cli import dose as dose_cli
from abscopal.cli import export as export_cli
from abscopal.cli import protocol as protocol_cli
from abscopal.cli import protocol_import
from abscopal.cli import randomisation as randomisation_cli
from abscopal.cli import report as report_cli
from abscopal.cli import response as response_cli
from abscopal.cli import screen as screen_cli
from abscopal.cli import service as service_cli
from abscopal.cli import synth as synth_cli

app = typer.Typer(
    name="abscopal",
    help="Design, run and analyse radiotherapy + immunotherapy trials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each use-case registers its group here, one line each.
app.add_typer(protocol_cli.app, name="protocol")
app.add_typer(screen_cli.app, name="screen")
app.add_typer(synth_cli.app, name="synth")
protocol_import.register(protocol_cli.app)
app.add_typer(randomisation_cli.app, name="randomisation")
app.add_typer(analyse_cli.app, name="analyse")
app.add_typer(design_cli.app, name="design")
app.add_typer(response_cli.app, name="response")
app.add_typer(dose_cli.app, name="dose")
app.add_typer(calendar_cli.app, name="calendar")
app.add_typer(ctcae_cli.app, name="ctcae")
app.add_typer(service_cli.db_app, name="db")
app.add_typer(service_cli.audit_app, name="audit")
app.command("serve")(service_cli.serve)
report_cli.register(app)
app.add_typer(export_cli.app, name="export")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
