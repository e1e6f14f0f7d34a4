"""CLI: abscopal protocol import."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from abscopal.cli.main import app
from abscopal.protocol import parse_protocol_text

REAL_RECORD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ctgov" / "NCT06341426.json"
runner = CliRunner()


def test_import_writes_a_valid_draft(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["protocol", "import", str(REAL_RECORD), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["criteria"] == 31
    assert parse_protocol_text(out.read_text()).identity.registry_id == "NCT06341426"


def test_import_rejects_non_json_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["protocol", "import", str(bad)])
    assert result.exit_code == 2
    assert "not JSON" in result.output
    assert "Traceback" not in result.output
