"""The ``abscopal`` command: one sub-command group per use-case."""

from __future__ import annotations

import typer

from abscopal.cli import protocol as protocol_cli
from abscopal.cli import service as service_cli

app = typer.Typer(
    name="abscopal",
    help="Design, run and analyse radiotherapy + immunotherapy trials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each use-case registers its group here, one line each.
app.add_typer(protocol_cli.app, name="protocol")
app.add_typer(service_cli.db_app, name="db")
app.add_typer(service_cli.audit_app, name="audit")
app.command("serve")(service_cli.serve)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
