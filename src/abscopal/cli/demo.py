"""``abscopal demo run|load``: the living demo of the five seed trials (``make run``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from abscopal.cli._common import handle_errors, print_json
from abscopal.config import Settings

app = typer.Typer(help="Demo: the five seed trials with simulated subjects, served locally.",
                  no_args_is_help=True)

DEFAULT_DB = "sqlite:///var/abscopal.sqlite"
DEFAULT_MAX_SCREENED = 10  # == abscopal.demo.load.DEFAULT_MAX_SCREENED (imported lazily)
DbOption = Annotated[str, typer.Option("--db", help="Database URL (embedded SQLite by default).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Simulator seed.")]
ScreenedOption = Annotated[int, typer.Option("--max-screened", min=1, max=200,
                                             help="Candidates screened per trial.")]
ResetOption = Annotated[bool, typer.Option("--reset", help="Delete the SQLite database first "
                                                           "(a new admin password is printed).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _say(text: str = "") -> None:
    typer.echo(text)


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) and url != prefix + ":memory:" else None


def _reset(url: str) -> None:
    from abscopal.errors import InputError

    path = _sqlite_path(url)
    if path is None:
        raise InputError(f"'--reset' only deletes an embedded SQLite database (got {url!r}); "
                         "drop a server database with its own tools")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _prepare(db: str, *, seed: int, max_screened: int, reset: bool,
             json_out: bool = False) -> tuple[Any, Settings, dict[str, Any]]:
    """Migrate, create the admin on first run, load the demo; return (app, settings, summary)."""
    from sqlalchemy import func, select

    from abscopal.demo.load import load_demo
    from abscopal.store.accounts import initialise
    from abscopal.store.db import open_database
    from abscopal.store.migrate import upgrade_database
    from abscopal.store.models import User
    from abscopal.store.staged import StagedAllocator
    from abscopal.web import create_web_app

    if reset:
        _reset(db)
    path = _sqlite_path(db)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # Plain HTTP on a local port: the session cookie cannot be Secure-only.
    settings = Settings(database_url=db, secure_cookies=False)
    database = open_database(settings)
    upgrade_database(database.engine)
    summary: dict[str, Any] = {"database": db, "admin": {"username": "admin", "password": None}}
    with database.reading() as session:
        has_users = session.execute(select(func.count()).select_from(User)).scalar_one() > 0
    if not has_users:
        username, password = initialise(database, settings, username="admin")
        summary["admin"] = {"username": username, "password": password}
        if not json_out:
            _say("=" * 72)
            _say(f"  admin account created: username {username}")
            _say(f"  one-time password:     {password}")
            _say("  It is shown only this once: store it now (reset: "
                 f"abscopal db reset-password {username} --db {db}).")
            _say("=" * 72)
    elif not json_out:
        _say("The admin account exists (its password was shown on the first run). Forgot it? "
             f"abscopal db reset-password admin --db {db}")
    app = create_web_app(settings, database=database, allocator=StagedAllocator())
    if not json_out:
        _say("Loading the five seed trials and their simulated subjects through the API ...")
    results = load_demo(app, seed=seed, max_screened=max_screened)
    summary["trials"] = [{"registry_id": r.registry_id, "trial_id": r.trial_id,
                          "skipped": r.skipped, "seconds": round(r.seconds, 1),
                          "counts": dict(r.counts)} for r in results]
    if not json_out:
        for r in results:
            if r.skipped:
                _say(f"  {r.registry_id}: already loaded (trial {r.trial_id}), skipped")
            else:
                enrolled = r.counts.get("enrolments", 0)
                records = sum(r.counts.values())
                _say(f"  {r.registry_id}: {r.counts.get('subjects', 0)} screened, {enrolled} "
                     f"enrolled, {records} records in {r.seconds:.1f} s")
    return app, settings, summary


@app.command("run")
@handle_errors
def run(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    seed: SeedOption = 20261122,
    max_screened: ScreenedOption = DEFAULT_MAX_SCREENED,
    reset: ResetOption = False,
) -> None:
    """Create the database, the admin (first run: one-time password), load the demo, serve it."""
    import uvicorn

    app, _settings, _summary = _prepare(db, seed=seed, max_screened=max_screened, reset=reset)
    _say("")
    _say(f"abscopal is serving at http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)")
    first_run = _summary["admin"]["password"] is not None
    _say("Log in as admin with the one-time password printed above; press Ctrl+C to stop."
         if first_run else "Log in as admin; press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@app.command("load")
@handle_errors
def load(
    db: DbOption = DEFAULT_DB,
    seed: SeedOption = 20261122,
    max_screened: ScreenedOption = DEFAULT_MAX_SCREENED,
    reset: ResetOption = False,
    json_out: JsonFlag = False,
) -> None:
    """Create the database and load the demo (no server): for tests and scripts."""
    _app, _settings, summary = _prepare(db, seed=seed, max_screened=max_screened, reset=reset,
                                        json_out=json_out)
    if json_out:
        print_json(summary)


__all__ = ["app"]
