"""CLI: abscopal response evaluate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from abscopal.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "response" / "patient.json"
runner = CliRunner()


def _write(tmp_path: Path, data: Any) -> str:
    p = tmp_path / "in.json"
    p.write_text(json.dumps(data))
    return str(p)


def test_evaluate_json_output() -> None:
    result = runner.invoke(app, ["response", "evaluate", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    (ev,) = json.loads(result.stdout)
    r = ev["recist11"]
    assert [t["overall"] for t in r["timepoints"]] == ["PR", "PR", "PD"]
    assert r["best_overall_response"]["response"] == "PR"
    assert r["bor_confirmed"]["first_response_date"] == "2025-02-27"
    assert r["bor_confirmed"]["pd_date"] == "2025-06-19"
    assert ev["irecist"] is None
    assert ev["abscopal"]["abscopal_response"] is True


def test_evaluate_irecist_table() -> None:
    result = runner.invoke(app, ["response", "evaluate", str(EXAMPLE), "--criteria", "irecist"])
    assert result.exit_code == 0, result.output
    assert "iBOR: iPR" in result.output
    assert "BOR (confirmed): PR; first response 2025-02-27; PD 2025-06-19" in result.output
    assert "abscopal response: yes" in result.output
    assert "rule version: recist_1_1, irecist" in result.output


def test_evaluate_a_list_and_parameters(tmp_path: Path) -> None:
    one = json.loads(EXAMPLE.read_text())
    two = {**one, "patient_id": "P02"}
    path = _write(tmp_path, [one, two])
    result = runner.invoke(app, ["response", "evaluate", path, "--json", "--no-confirmation",
                                 "--sd-min-days", "56"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [e["patient_id"] for e in out] == ["P01", "P02"]
    bor = out[0]["recist11"]["best_overall_response"]
    assert (bor["require_confirmation"], bor["sd_min_date"]) == (False, "2025-03-03")


BASE: dict[str, Any] = {
    "patient_id": "X", "lesions": [{"id": "T1", "role": "target", "organ": "liver"},
                                   {"id": "NT1", "role": "non_target", "organ": "bone"}],
    "assessments": [{"date": "2025-01-01", "lesions": {"T1": 30, "NT1": "present"}},
                    {"date": "2025-02-01", "lesions": {"T1": 20, "NT1": "present"}}],
}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["assessments"][1]["lesions"].update(T1=-3),
         "patient 'X', lesion 'T1', assessment 2025-02-01: size must be >= 0 mm (got -3)"),
        (lambda d: d["assessments"][1].update(date="2024-12-01"),
         "patient 'X', assessment 2024-12-01: assessment dates must be strictly increasing"),
        (lambda d: d["assessments"][1]["lesions"].update(T1={"role": "non_target", "status": "present"}),
         "patient 'X', lesion 'T1', assessment 2025-02-01: lesion changes role"),
        (lambda d: d["assessments"][1]["lesions"].update(NT1="gone"),
         "patient 'X', lesion 'NT1', assessment 2025-02-01: 'status' must be one of"),
        (lambda d: d["assessments"][0]["lesions"].update(T1="not_assessed"),
         "patient 'X', lesion 'T1', assessment 2025-01-01: target lesion has no baseline measurement"),
    ],
    ids=["negative-size", "dates-out-of-order", "role-change", "unknown-status", "no-baseline"],
)
def test_bad_input_exits_2_naming_patient_lesion_assessment(
    tmp_path: Path, edit: Any, message: str
) -> None:
    data = json.loads(json.dumps(BASE))
    edit(data)
    result = runner.invoke(app, ["response", "evaluate", _write(tmp_path, data)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_bad_criteria_and_bad_json_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE)
    result = runner.invoke(app, ["response", "evaluate", path, "--criteria", "mrecist"])
    assert result.exit_code == 2 and "'criteria' must be one of" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = runner.invoke(app, ["response", "evaluate", str(bad)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
