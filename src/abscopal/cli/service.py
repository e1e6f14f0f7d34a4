"""``abscopal db``, ``abscopal audit`` and ``abscopal serve``: run the trial service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from abscopal.cli._common import console, err_console, handle_errors, print_json, read_text

if TYPE_CHECKING:
    from abscopal.config import Settings

db_app = typer.Typer(help="Trial database: create, migrate, first admin, password resets.",
                     no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail: verify the hash chain and every audited row.",
                        no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: $ABSCOPAL_DATABASE_URL "
                                                           "or sqlite:///abscopal.db).")]


def _settings(db: str | None) -> Settings:
    # Imported here so `abscopal protocol …` works without the service extra installed.
    from abscopal.config import Settings

    return Settings(database_url=db) if db else Settings()


def _open(db: str | None):  # type: ignore[no-untyped-def]
    from abscopal.store.db import open_database

    return open_database(_settings(db))


@db_app.command("upgrade")
@handle_errors
def upgrade(db: DbOption = None, json_out: JsonFlag = False) -> None:
    """Apply the migrations shipped with abscopal (idempotent)."""
    from abscopal.store.migrate import upgrade_database

    database = _open(db)
    revision = upgrade_database(database.engine)
    database.dispose()
    if json_out:
        print_json({"revision": revision})
    else:
        console.print(f"database at revision {revision}")


@db_app.command("init")
@handle_errors
def init(db: DbOption = None, username: str = "admin", json_out: JsonFlag = False) -> None:
    """First run: migrate and create the admin with a random password, shown ONCE."""
    from abscopal.store.accounts import initialise
    from abscopal.store.migrate import upgrade_database

    settings = _settings(db)
    database = _open(db)
    upgrade_database(database.engine)
    name, password = initialise(database, settings, username=username)
    database.dispose()
    if json_out:
        print_json({"username": name, "password": password})
        return
    console.print(f"created [bold]{name}[/] with password: [bold]{password}[/]", highlight=False)
    console.print("This password is shown once; store it in a password manager now.")


@db_app.command("reset-password")
@handle_errors
def reset_password(username: str, db: DbOption = None, json_out: JsonFlag = False) -> None:
    """Give a user a new random password (shown once) and unlock the account."""
    from sqlalchemy import select

    from abscopal.errors import NotFoundError
    from abscopal.store.accounts import generate_password, set_password
    from abscopal.store.audit import SYSTEM
    from abscopal.store.models import User

    settings = _settings(db)
    database = _open(db)
    password = generate_password()
    with database.writing() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"'username' must name an existing user (got {username!r})")
        set_password(session, settings, actor=SYSTEM, user=user, password=password,
                     reason="password reset from the command line")
    database.dispose()
    if json_out:
        print_json({"username": username, "password": password})
    else:
        console.print(f"new password for [bold]{username}[/]: [bold]{password}[/]", highlight=False)


@db_app.command("add-trial")
@handle_errors
def add_trial(path: str, db: DbOption = None, json_out: JsonFlag = False) -> None:
    """Register a trial from a protocol YAML file (built-in: `abscopal protocol show ID --json`)."""
    from abscopal.store import repo
    from abscopal.store.audit import SYSTEM

    text = read_text(path)
    database = _open(db)
    with database.writing() as session:
        trial = repo.create_trial(session, actor=SYSTEM, protocol_yaml=text)
        out = {"id": trial.id, "registry_id": trial.registry_id}
    database.dispose()
    if json_out:
        print_json(out)
    else:
        console.print(f"trial {out['registry_id']} registered with id {out['id']}")


@audit_app.command("verify")
@handle_errors
def verify(db: DbOption = None, json_out: JsonFlag = False) -> None:
    """Recompute the hash chain and compare every audited row with its last audited state.

    Exit 0 when intact, 1 when any problem is found (each one listed).
    """
    from abscopal.store.audit import verify_audit

    database = _open(db)
    with database.reading() as session:
        result = verify_audit(session)
    database.dispose()
    if json_out:
        print_json({"ok": result.ok, "entries_checked": result.entries_checked,
                    "rows_checked": result.rows_checked, "problems": [str(p) for p in result.problems]})
    else:
        for p in result.problems:
            err_console.print(f"[red]TAMPERED[/] {p}", highlight=False)
        status = "[green]intact[/]" if result.ok else f"[red]{len(result.problems)} problem(s)[/]"
        console.print(f"audit trail {status}: {result.entries_checked} entries, {result.rows_checked} rows checked")
    if not result.ok:
        raise typer.Exit(1)


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
    upgrade_first: Annotated[bool, typer.Option("--upgrade/--no-upgrade",
                                                help="Apply migrations before serving.")] = True,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (settings from the "
                                                              "environment; --db is passed on).")] = 1,
) -> None:
    """Start the REST API and the web UI (uvicorn). Put it behind a TLS-terminating proxy in
    production."""
    import os

    import uvicorn

    from abscopal.store.db import open_database
    from abscopal.store.migrate import upgrade_database

    settings = _settings(db)
    database = open_database(settings)
    if upgrade_first:
        upgrade_database(database.engine)
    if workers > 1:
        database.dispose()
        os.environ["ABSCOPAL_DATABASE_URL"] = settings.database_url  # read by each worker
        uvicorn.run("abscopal.web.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", access_log=False)
        return
    from abscopal.web import create_web_app

    app = create_web_app(settings, database=database)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


__all__ = ["audit_app", "db_app", "serve"]
