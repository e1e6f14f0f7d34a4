"""``abscopal design``: every command prints text and JSON; bad input exits 2 without traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from abscopal.cli.main import app
from tests.utils.design_protocols import NCT06439888_FISHER, minimal_protocol

runner = CliRunner()


def test_simon_text_and_json() -> None:
    args = ["design", "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--beta", "0.2"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "r1/n1 = 1/10, r/n = 5/29" in out.output
    data = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert (data["minimax"]["r1"], data["minimax"]["n1"], data["minimax"]["r"],
            data["minimax"]["n"]) == (1, 15, 5, 25)


def test_fisher_power_json_gives_exact_power() -> None:
    out = runner.invoke(app, ["design", "fisher", "--p-control", "0.5", "--p-treatment", "0.15",
                              "--alpha", "0.07", "--one-sided", "--n-per-arm", "26", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["power_"] == pytest.approx(0.84938384965, rel=1e-9)


def test_fisher_sample_size_text() -> None:
    out = runner.invoke(app, ["design", "fisher", "--p-control", "0.5", "--p-treatment", "0.15",
                              "--alpha", "0.07", "--one-sided", "--power", "0.85"])
    assert out.exit_code == 0, out.output
    assert "27 per arm" in out.output


def test_ahern_and_survival() -> None:
    out = runner.invoke(app, ["design", "ahern", "--p0", "0.05", "--p1", "0.2", "--alpha", "0.05",
                              "--beta", "0.2", "--json"])
    assert (json.loads(out.output)["n"], json.loads(out.output)["r"]) == (27, 4)
    out = runner.invoke(app, ["design", "survival", "--median-control", "6", "--median-treatment",
                              "9", "--alpha", "0.05", "--power", "0.8", "--accrual", "24",
                              "--follow-up", "12", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["n_total"] == 221


def test_check_protocol_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(minimal_protocol([NCT06439888_FISHER])), encoding="utf-8")
    out = runner.invoke(app, ["design", "check", str(path)])
    assert out.exit_code == 0, out.output
    assert "AGREES WITHIN ROUNDING" in out.output and "84.94 %" in out.output
    data = json.loads(runner.invoke(app, ["design", "check", str(path), "--json"]).output)
    assert data["checks"][0]["status"] == "agrees_within_rounding"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["simon", "--p0", "0.3", "--p1", "0.1", "--alpha", "0.05", "--beta", "0.2"],
         "'p1' must be greater than 'p0'"),
        (["fisher", "--p-control", "0.5", "--p-treatment", "0.15", "--alpha", "0.07"],
         "exactly one of '--n-per-arm' or '--power'"),
        (["survival", "--median-control", "6", "--alpha", "0.05", "--power", "0.8", "--accrual",
          "24", "--follow-up", "12"], "give 'hazard_ratio' or 'median_treatment_months'"),
        (["check", "NCT00000000"], "must be a built-in registry id"),
    ],
)
def test_bad_input_exits_2_with_message(args: list[str], fragment: str) -> None:
    out = runner.invoke(app, ["design", *args])
    assert out.exit_code == 2
    assert fragment in " ".join(out.output.split())
    assert "Traceback" not in out.output


def test_check_builtin_trial_by_registry_id() -> None:
    out = runner.invoke(app, ["design", "check", "NCT06439888", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    (check,) = data["checks"]
    assert check["status"] == "agrees_within_rounding"
    assert check["computed"]["exact_power"] == pytest.approx(0.84938384965, rel=1e-9)
    assert check["computed"]["attained_alpha_at_control_rate"] == pytest.approx(0.03546201241,
                                                                               rel=1e-9)


def test_check_builtin_trial_without_calculation_is_not_checkable() -> None:
    out = runner.invoke(app, ["design", "check", "NCT06120127"])
    assert out.exit_code == 0, out.output
    assert "NOT CHECKABLE" in out.output


def test_simulate_option_is_reproducible_and_reported_in_json() -> None:
    args = ["design", "ahern", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--beta", "0.2",
            "--simulate", "5000", "--seed", "9", "--json"]
    first = json.loads(runner.invoke(app, args).output)
    second = json.loads(runner.invoke(app, args).output)
    assert first["simulations"] == second["simulations"]
    assert [s["scenario"]["p"] for s in first["simulations"]] == [0.1, 0.3]
    # exact power 0.8065 (test_single_stage.py); 5000 runs give a s.e. of about 0.0056
    assert abs(first["simulations"][1]["reject_rate_"] - 0.806511558) < 0.03
