"""``abscopal db`` / ``abscopal audit`` / ``abscopal serve`` commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from abscopal.cli.main import app
from service_support import FAST, TEST_PROTOCOL

runner = CliRunner()
ENV = {f"ABSCOPAL_{k.upper()}": str(v) for k, v in FAST.items()}


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.output


def test_init_prints_a_random_admin_password_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    code, out = invoke("db", "init", "--db", url, "--json")
    assert code == 0
    first = json.loads(out)
    assert first["username"] == "admin" and len(first["password"]) >= 20
    code, out = invoke("db", "init", "--db", url)
    assert code == 2
    assert "already initialised" in out and "Traceback" not in out


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    for _ in range(2):
        code, out = invoke("db", "upgrade", "--db", url, "--json")
        assert code == 0 and json.loads(out) == {"revision": "0003"}


def test_audit_verify_passes_then_catches_an_edited_row(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    url = f"sqlite:///{path}"
    invoke("db", "init", "--db", url)
    code, out = invoke("db", "add-trial", str(TEST_PROTOCOL), "--db", url, "--json")
    assert code == 0 and json.loads(out)["registry_id"] == "NCT09999901"
    code, out = invoke("audit", "verify", "--db", url, "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE trials SET title = 'edited behind the audit trail'")
    code, out = invoke("audit", "verify", "--db", url, "--json")
    assert code == 1
    assert json.loads(out)["problems"] == [
        "trials id 1: row differs from its last audited state (edited outside the service)"]


def test_reset_password_for_unknown_user_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    invoke("db", "init", "--db", url)
    code, out = invoke("db", "reset-password", "ghost", "--db", url)
    assert code == 2 and "'username' must name an existing user (got 'ghost')" in out


def test_add_trial_with_an_invalid_protocol_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("identity: {}\n")
    url = f"sqlite:///{tmp_path / 'e.db'}"
    invoke("db", "upgrade", "--db", url)
    code, out = invoke("db", "add-trial", str(bad), "--db", url)
    assert code == 2 and "invalid protocol" in out


def test_serve_is_registered() -> None:
    code, out = invoke("serve", "--help")
    assert code == 0 and "--port" in out and "--db" in out
