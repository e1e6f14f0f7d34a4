"""``abscopal calendar show``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from abscopal.cli.main import app

runner = CliRunner()


def test_calendar_json_nct06439888_with_bsa() -> None:
    result = runner.invoke(app, ["calendar", "show", "--protocol", "NCT06439888", "--arm",
                                 "sbrt_atra", "--start", "2026-01-09", "--fractions", "5",
                                 "--bsa-m2", "1.5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["date"] for f in data["fractions"]] == [
        "2026-01-09", "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15"]
    assert data["drug_doses"][0]["dose_mg"] == 225.0
    assert data["bsa_m2"] == 1.5


def test_calendar_bsa_from_height_and_weight_in_text_output() -> None:
    result = runner.invoke(app, ["calendar", "show", "--protocol", "NCT06439888", "--arm",
                                 "sbrt_atra", "--start", "2026-01-09", "--fractions", "5",
                                 "--height-cm", "150", "--weight-kg", "54"])
    assert result.exit_code == 0, result.output
    assert "BSA 1.50 m2" in result.stdout
    assert "225.0 mg" in result.stdout


def test_calendar_bad_inputs_exit_2_without_traceback() -> None:
    cases = [
        (["--protocol", "NCT06439888", "--start", "2026-13-01"], "'--start' must be a date"),
        (["--protocol", "NCT06439888", "--start", "2026-01-10", "--fractions", "3",
          "--arm", "sbrt_alone"], "is a Saturday"),
        (["--protocol", "NCT06076135", "--arm", "stage_2", "--start", "2026-01-09"],
         "several regimens"),
        (["--protocol", "NCT07277777", "--start", "2026-01-09", "--cycle-length", "x"],
         "intervention_id=21"),
        (["--protocol", "NCT06439888", "--start", "2026-01-05", "--fractions", "11",
          "--arm", "sbrt_alone"], "the protocol allows 14"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["calendar", "show", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert message in result.stderr, result.stderr
