"""``abscopal demo``: the bits that need no server (the subprocess run is tests/demo/test_run.py)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from abscopal.cli import demo as demo_cli
from abscopal.cli.main import app


def test_reset_refuses_a_server_database() -> None:
    result = CliRunner().invoke(app, ["demo", "load", "--reset", "--db",
                                      "postgresql+psycopg://someone@localhost/trials"])
    assert result.exit_code == 2
    assert "'--reset' only deletes an embedded SQLite database" in result.output
    assert "Traceback" not in result.output


def test_reset_deletes_the_sqlite_file_and_its_journals(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").write_text("x")
    keep = tmp_path / "other.sqlite"
    keep.write_text("x")
    demo_cli._reset(f"sqlite:///{db}")
    assert not any(Path(f"{db}{s}").exists() for s in ("", "-wal", "-shm"))
    assert keep.exists()


def test_demo_group_is_registered() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    assert "run" in result.output and "load" in result.output
