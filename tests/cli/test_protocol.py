"""``abscopal protocol``: list, show, validate, schema — JSON output and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from abscopal.cli.main import app
from abscopal.datasets import load_trial_text

runner = CliRunner()
TRIALS = ["NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777"]


def test_list_json_has_the_five_trials() -> None:
    result = runner.invoke(app, ["protocol", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["registry_id"] for r in rows] == TRIALS
    by_id = {r["registry_id"]: r for r in rows}
    assert by_id["NCT06439888"]["phase"] == "PHASE1_PHASE2"
    assert by_id["NCT05628038"]["phase"] is None  # the record does not state it
    assert by_id["NCT07277777"]["target_enrolment"] == 90


def test_list_table() -> None:
    result = runner.invoke(app, ["protocol", "list"])
    assert result.exit_code == 0
    assert "NCT06076135" in result.stdout


def test_show_summarises_design_and_blinding() -> None:
    result = runner.invoke(app, ["protocol", "show", "NCT07277777"])
    assert result.exit_code == 0, result.output
    assert "blinded: imaging_reviewer" in result.stdout
    assert "seed_implant [radiation]" in result.stdout


def test_show_json_is_the_full_model() -> None:
    result = runner.invoke(app, ["protocol", "show", "NCT06439888", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["statistical_design"][0]["n_per_arm"] == 26


def test_show_unknown_trial_exits_2_without_traceback() -> None:
    result = runner.invoke(app, ["protocol", "show", "NCT00000000"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "built-in trials" in result.stderr


def test_validate_accepts_the_five_built_in_files(tmp_path: Path) -> None:
    files = []
    for registry_id in TRIALS:
        path = tmp_path / f"{registry_id}.yaml"
        path.write_text(load_trial_text(registry_id), encoding="utf-8")
        files.append(str(path))
    result = runner.invoke(app, ["protocol", "validate", *files, "--json"])
    assert result.exit_code == 0, result.output
    assert [r["valid"] for r in json.loads(result.stdout)] == [True] * 5


def _broken_file(tmp_path: Path) -> Path:
    doc = yaml.safe_load(load_trial_text("NCT06439888"))
    doc["arms"][1]["interventions"][0] = "proton_beam"
    doc["arms"][2]["interventions"][0] = "photon"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_validate_names_file_path_expectation_and_value(tmp_path: Path) -> None:
    path = _broken_file(tmp_path)
    result = runner.invoke(app, ["protocol", "validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    out = result.stdout
    assert f"{path}: invalid protocol (2 problem(s))" in out
    assert "arms[1].interventions[0]: expected an intervention id (one of: atra, sbrt) " \
           "(got 'proton_beam')" in out
    assert "arms[2].interventions[0]: expected an intervention id (one of: atra, sbrt) " \
           "(got 'photon')" in out


def test_validate_json_lists_findings(tmp_path: Path) -> None:
    path = _broken_file(tmp_path)
    result = runner.invoke(app, ["protocol", "validate", str(path), "--json"])
    assert result.exit_code == 2
    (report,) = json.loads(result.stdout)
    assert report["valid"] is False
    assert {"path": "arms[1].interventions[0]",
            "expected": "an intervention id (one of: atra, sbrt)",
            "received": "'proton_beam'"} in report["findings"]


@pytest.mark.parametrize(
    ("content", "path_in_message"),
    [
        ("identity: [unclosed\n", "line 2, column 1: expected well-formed YAML"),  # not YAML
        ("- just\n- a list\n", "(document): expected a mapping at the top level (got list)"),
        ("42\n", "(document): expected a mapping at the top level (got int)"),
        ("", "(document): expected a mapping at the top level (got NoneType)"),
        ("identity: {}\n", "identity.registry_id: expected this field (required) (got missing)"),
    ],
    ids=["not-yaml", "list", "scalar", "empty", "empty-identity"],
)
def test_validate_rejects_non_protocols(tmp_path: Path, content: str, path_in_message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["protocol", "validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert path_in_message in result.stdout


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["protocol", "validate", str(missing), "--json"])
    assert result.exit_code == 2
    (report,) = json.loads(result.stdout)
    assert report["findings"][0]["received"] == "No such file or directory"


def test_validate_binary_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    result = runner.invoke(app, ["protocol", "validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "cannot read" in result.stdout


def test_schema_is_json_schema_of_the_protocol() -> None:
    result = runner.invoke(app, ["protocol", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Protocol"
    assert "dose_per_fraction_gy" in schema["$defs"]["Fractionation"]["properties"]


def test_error_messages_quote_user_text_without_reading_it_as_markup() -> None:
    result = runner.invoke(app, ["protocol", "show", "[bold]NCT1[/bold]"])
    assert result.exit_code == 2
    assert "(got '[bold]NCT1[/bold]')" in result.stderr
