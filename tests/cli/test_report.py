"""``abscopal report``: writes the file, --json key numbers, errors exit 2 without traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from abscopal.cli.main import app

runner = CliRunner()


def test_html_report_of_a_seed_trial_with_json_summary(tmp_path: Path) -> None:
    out = runner.invoke(app, ["report", "NCT06076135", "--format", "html", "--out",
                              str(tmp_path), "--seed", "3", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["file"] == str(tmp_path / "NCT06076135.html")
    # The stage-I target enrolment of the registry (n = 16), all in the stage-I arm.
    assert data["enrolled"] == 16 and data["groups"] == {"stage_1": 16}
    assert set(data["orr"]) == {"stage_1/recist_1_1", "stage_1/irecist"}
    text = (tmp_path / "NCT06076135.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text


def test_blinded_file_name_and_text_output(tmp_path: Path) -> None:
    out = runner.invoke(app, ["report", "NCT06439888", "--out", str(tmp_path), "--blinded"])
    assert out.exit_code == 0, out.output
    assert out.output.strip() == f"wrote {tmp_path / 'NCT06439888-blinded.html'}"


def test_bad_format_unknown_trial_and_db_exit_2(tmp_path: Path) -> None:
    cases = [
        (["report", "NCT06439888", "--format", "docx", "--out", str(tmp_path)],
         "'--format' must be one of ['html', 'pdf'] (got 'docx')"),
        (["report", "NCT0000", "--out", str(tmp_path)], "must be one of the built-in trials"),
        (["report", "NCT06439888", "--db", "postgresql://x", "--out", str(tmp_path)],
         "'--db' is not available yet"),
    ]
    for args, message in cases:
        out = runner.invoke(app, args)
        assert out.exit_code == 2, out.output
        assert message in out.output
        assert "Traceback" not in out.output
    assert list(tmp_path.iterdir()) == []
