"""``abscopal ctcae``: grade, grade-file, terms; bad input exits 2 without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abscopal.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["ctcae", *args])
    return res.exit_code, res.output


def test_grade_text_output() -> None:
    code, out = run("grade", "--term", "Creatinine increased", "--value", "1.8", "--unit",
                    "mg/dL", "--uln", "1.2")
    assert code == 0
    assert "grade 1 (CTCAE v5.0)" in out and ">ULN - 1.5 x ULN" in out


def test_grade_json() -> None:
    code, out = run("grade", "--term", "Lymphocyte count decreased", "--value", "650",
                    "--unit", "cells/mm3", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["grade"] == 2 and d["rule_text"] == "<800 - 500/mm3; <0.8 - 0.5 x 10e9 /L"
    assert d["criteria_version"] == "CTCAE v5.0" and d["value"] == "650"


def test_grade_missing_required_uln_exits_2() -> None:
    code, out = run("grade", "--term", "Alanine aminotransferase increased", "--value", "90",
                    "--unit", "U/L", "--json")
    assert code == 2
    assert "--uln is required to grade 'Alanine aminotransferase increased' at 90 U/L" in \
        " ".join(out.split())


def test_grade_missing_lln_is_fine_when_an_absolute_threshold_grades() -> None:
    code, out = run("grade", "--term", "Lymphocyte count decreased", "--value", "0.3",
                    "--unit", "10^9/L", "--json")
    assert code == 0 and json.loads(out)["grade"] == 3


def test_grade_clinical_only_term_reports_not_gradable() -> None:
    code, out = run("grade", "--term", "Hyperglycemia", "--value", "300", "--unit", "mg/dL",
                    "--json")
    assert code == 0
    d = json.loads(out)
    assert d["grade"] is None and d["needs_clinical_review"] is True


def test_grade_baseline_abnormal_and_review() -> None:
    code, out = run("grade", "--term", "Hypokalemia", "--value", "3.2", "--unit", "mEq/L",
                    "--lln", "3.5")
    assert code == 0 and "needs clinical review" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--term", "Nonsense", "--value", "1", "--unit", "g/dL"], "'term' must be"),
    (["--term", "Anemia", "--value", "1", "--unit", "parsec"], "unit"),
    (["--term", "Anemia", "--value", "1", "--unit", "U/L"], "unit"),
    (["--term", "Anemia", "--value", "-2", "--unit", "g/dL"], "'value' must be >= 0"),
    (["--term", "Anemia", "--value", "ten", "--unit", "g/dL"], "'value' must be a number"),
    (["--term", "Anemia", "--value", "9", "--unit", "g/dL", "--criteria", "ctcae_v4"],
     "'version' must be one of"),
])
def test_grade_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out = run("grade", *args)
    assert code == 2
    assert message in out and "Traceback" not in out


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "labs.csv"
    p.write_text(text, encoding="utf-8")
    return p


LABS = (
    "subject_id,term,value,unit,lln,uln,baseline\n"
    "P1,Lymphocyte count decreased,0.79,10^9/L,1.0,4.0,\n"
    "P2,Creatinine increased,1.8,mg/dL,,1.2,\n"
    "P3,Alanine aminotransferase increased,240,U/L,,40,80\n"
    "P4,Lymphocyte count decreased,1.1,10^9/L,,,\n"
)


def test_grade_file_csv_to_stdout_keeps_input_columns(tmp_path: Path) -> None:
    code, out = run("grade-file", str(_csv(tmp_path, LABS)))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("subject_id,term,value,unit,lln,uln,baseline,criterion,grade")
    grades = [ln.split(",")[8] for ln in lines[1:]]
    assert grades == ["2", "1", "1", ""]


def test_grade_file_json_and_out(tmp_path: Path) -> None:
    dest = tmp_path / "graded.csv"
    code, out = run("grade-file", str(_csv(tmp_path, LABS)), "--json", "--out", str(dest))
    assert code == 0
    d = json.loads(out)
    assert d["rows"] == 4 and [r["grade"] for r in d["results"]] == [2, 1, 1, None]
    assert dest.read_text(encoding="utf-8").count("\n") == 5


def test_grade_file_summary_with_out(tmp_path: Path) -> None:
    dest = tmp_path / "graded.csv"
    code, out = run("grade-file", str(_csv(tmp_path, LABS)), "--out", str(dest))
    assert code == 0 and "graded 4 rows" in out and "not gradable: 1" in out


@pytest.mark.parametrize(("text", "message"), [
    ("term,value\nAnemia,9\n", "missing column 'unit'"),
    ("term,value,unit\nAnemia,-9,g/dL\n", "'value' must be a non-negative number"),
    ("term,value,unit\nHepatitis,9,U/L\n", "Hepatitis"),
    ("", "not a readable CSV"),
])
def test_grade_file_bad_input_exits_2(tmp_path: Path, text: str, message: str) -> None:
    code, out = run("grade-file", str(_csv(tmp_path, text)))
    assert code == 2 and message in out.replace("\n", " ") and "Traceback" not in out


def test_grade_file_missing_file_exits_2(tmp_path: Path) -> None:
    code, out = run("grade-file", str(tmp_path / "nope.csv"))
    assert code == 2 and "No such file" in out


def test_terms_json() -> None:
    code, out = run("terms", "--json")
    assert code == 0
    d = json.loads(out)
    by = {t["term"]: t for t in d["terms"]}
    assert by["Myocarditis"]["allowed_grades"] == [2, 3, 4, 5]
    assert by["Lymphocyte count decreased"]["lab_graded"] is True
    assert by["Pneumonitis"]["lab_graded"] is False


def test_terms_table() -> None:
    code, out = run("terms")
    assert code == 0 and "Pneumonitis" in out
