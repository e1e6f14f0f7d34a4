"""``abscopal randomisation simulate``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from abscopal.cli.main import app

runner = CliRunner()


def test_simulate_json_for_the_randomised_part_of_nct06439888() -> None:
    args = ["randomisation", "simulate", "--protocol", "NCT06439888", "--n", "52", "--seed", "7",
            "--trials", "40", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stage"] == "part2"
    assert data["ratio"] == [["sbrt_atra", 1], ["sbrt_alone", 1]]
    assert data["n_trials"] == 40
    assert data["max_total_imbalance"] <= 2  # 1:1 blocks of 2 or 4 never drift more than 2
    again = runner.invoke(app, args)
    assert again.stdout == result.stdout  # same seed, same output


def test_simulate_text_with_factors_and_minimisation() -> None:
    result = runner.invoke(app, ["randomisation", "simulate", "--protocol", "NCT07277777",
                                 "--n", "30", "--seed", "1", "--trials", "20",
                                 "--method", "minimisation", "--factor", "ecog=0,1,2"])
    assert result.exit_code == 0, result.output
    assert "minimisation, ratio 1:1 (seed_ici, ici_alone)" in result.stdout


def test_simulate_on_a_trial_without_randomisation_exits_2() -> None:
    result = runner.invoke(app, ["randomisation", "simulate", "--protocol", "NCT06076135",
                                 "--n", "10", "--seed", "1"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "0 randomised arm(s)" in result.stderr


def test_simulate_bad_method_and_bad_factor_exit_2() -> None:
    base = ["randomisation", "simulate", "--protocol", "NCT07277777", "--n", "10", "--seed", "1"]
    bad_method = runner.invoke(app, [*base, "--method", "urn"])
    assert bad_method.exit_code == 2 and "'--method' must be one of" in bad_method.stderr
    bad_factor = runner.invoke(app, [*base, "--factor", "ecog"])
    assert bad_factor.exit_code == 2 and "name=level1,level2" in bad_factor.stderr
