"""``abscopal screen`` and ``abscopal synth`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from abscopal.cli.main import app

runner = CliRunner()

PATIENT = {
    "patient_id": "P-7",
    "facts": {"sex": "F", "birth_date": "1960-05-02", "measurable_disease_recist": True},
    "measurements": [
        {"name": "ecog", "value": 1, "unit": "{score}", "date": "2025-01-10"},
        {"name": "anc", "value": 2.1, "unit": "10^9/L", "date": "2025-01-10"},
        {"name": "platelets", "value": 85, "unit": "10^9/L", "date": "2025-01-10"},
        {"name": "hemoglobin", "value": 10.5, "unit": "g/dL", "date": "2025-01-10"},
        {"name": "alt", "value": 130, "unit": "U/L", "date": "2025-01-10", "ref_high": 40},
        {"name": "ast", "value": 60, "unit": "U/L", "date": "2025-01-10", "ref_high": 40},
    ],
    "events": [{"domain": "condition", "date": "2024-05-01",
                "codes": [{"vocabulary": "SNOMED", "code": "94381002"}]}],
}


def _write(tmp_path: Path, doc: object) -> str:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_screen_patient_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", "patient", "--protocol", "NCT07277777", "--patient",
                                 _write(tmp_path, PATIENT), "--as-of", "2025-01-15", "--json"])
    assert result.exit_code == 0, result.output
    (trial,) = json.loads(result.output)
    assert trial["status"] == "to_confirm"
    inc07 = next(c for c in trial["criteria"] if c["id"] == "inc07")
    assert inc07["status"] == "unknown"  # ALT 3.25 x ULN allowed with liver mets; CrCl missing
    assert any("creatinine" in m for m in inc07["missing"])
    assert inc07["values"]["alt"].startswith("130 = 3.25 x ULN")
    manual = next(c for c in trial["criteria"] if c["id"] == "inc04")
    assert manual["status"] == "manual" and manual["manual_reason"]


def test_screen_patient_all_trials_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", "patient", "--protocol", "all", "--patient",
                                 _write(tmp_path, PATIENT), "--as-of", "2025-01-15"])
    assert result.exit_code == 0, result.output
    for registry_id in ("NCT05628038", "NCT06076135", "NCT06120127", "NCT07277777"):
        assert registry_id in result.output


def test_bad_patient_file_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = {**PATIENT, "facts": {"sex": "F", "ecog_score": 1}}
    result = runner.invoke(app, ["screen", "patient", "--protocol", "NCT07277777", "--patient",
                                 _write(tmp_path, bad)])
    assert result.exit_code == 2
    assert "facts.ecog_score: unknown patient field" in result.output
    assert "Traceback" not in result.output


def test_synth_then_screen_omop(tmp_path: Path) -> None:
    db = tmp_path / "cdm.duckdb"
    made = runner.invoke(app, ["synth", "omop", "--patients", "300", "--out", str(db),
                               "--seed", "5", "--json"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "candidates.parquet"
    result = runner.invoke(app, ["screen", "omop", "--db", f"duckdb://{db}", "--protocol",
                                 "NCT07277777", "--as-of", "2025-01-15", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    (trial,) = summary["trials"]
    assert trial["persons"] == 300
    assert sum(trial["trial_status"].values()) == 300
    assert [row["criterion"] for row in trial["attrition"]][:2] == ["inc01", "inc02"]
    assert out.exists()


def test_screen_sql_prints_spark(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", "sql", "--protocol", "NCT06076135", "--as-of",
                                 "2025-01-15", "--dialect", "spark", "--json"])
    assert result.exit_code == 0, result.output
    (query,) = json.loads(result.output)
    assert query["dialect"] == "spark" and ":p0" in query["sql"]
    assert query["criteria"] == ["inc01", "inc02", "inc04", "exc04", "exc13", "exc14"]


def test_example_patient_file_screens_against_all_trials() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "screening" / "patient.json"
    result = runner.invoke(app, ["screen", "patient", "--protocol", "all", "--patient",
                                 str(example), "--as-of", "2025-01-15", "--json"])
    assert result.exit_code == 0, result.output
    status = {t["registry_id"]: t["status"] for t in json.loads(result.output)}
    # antibiotics 18 days before screening exclude from NCT06076135 (exc14, 4 weeks)
    assert status["NCT06076135"] == "not_eligible"
    assert status["NCT07277777"] == "to_confirm"
