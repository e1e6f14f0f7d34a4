"""``abscopal analyse``: output, JSON, and exit code 2 with a message on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from abscopal.cli.main import app

LUNG = Path(__file__).resolve().parents[1] / "golden" / "analysis" / "lung.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def lung01(tmp_path_factory: pytest.TempPathFactory) -> str:
    df = pd.read_csv(LUNG, comment="#")
    df["dead"] = df["status"] - 1
    path = tmp_path_factory.mktemp("cli") / "lung01.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_proportion_prints_the_method() -> None:
    res = runner.invoke(app, ["analyse", "proportion", "--events", "5", "--n", "16"])
    assert res.exit_code == 0
    assert res.stdout.strip() == "5/16 = 31.2% (95% CI 11.0% to 58.7%, Clopper-Pearson)"


def test_proportion_json() -> None:
    res = runner.invoke(app, ["analyse", "proportion", "--events", "0", "--n", "16", "--method",
                              "wilson", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    # R: prop.test(0, 16, correct = FALSE)$conf.int -> 0 0.193607680534436
    assert data["method"] == "wilson"
    assert data["ci_upper"] == pytest.approx(0.193607680534436, rel=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["proportion", "--events", "17", "--n", "16"],
         "'events' must be between 0 and n = 16 (got 17)"),
        (["proportion", "--events", "1", "--n", "16", "--method", "wald"],
         "'method' must be one of"),
        (["km", "missing.csv", "--time", "t", "--event", "e"], "missing.csv"),
        (["cox", "LUNG", "--time", "time", "--event", "status", "--covariate", "sex"],
         "'event' must be 0/1 or True/False"),  # R's 1/2 coding is refused, with the fix
        (["km", "LUNG", "--time", "tim", "--event", "status"], "missing column(s) ['tim']"),
        (["logrank", "LUNG", "--time", "time", "--event", "status", "--group", "ph.ecog"],
         "column 'ph.ecog' has missing group values (first on data row 14)"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    args = [str(LUNG) if a == "LUNG" else a for a in args]
    res = runner.invoke(app, ["analyse", *args])
    assert res.exit_code == 2
    assert message in " ".join(res.stderr.split())
    assert "Traceback" not in res.stderr


def test_km_json_by_group_with_landmark_and_logrank(lung01: str) -> None:
    res = runner.invoke(app, ["analyse", "km", lung01, "--time", "time", "--event", "dead",
                              "--group", "sex", "--conf-type", "log", "--landmark", "180",
                              "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    # R: quantile(survfit(Surv(time, status) ~ sex, data = lung, conf.type = "log"), 0.5)
    assert [(g["median"], g["median_ci_lower"], g["median_ci_upper"]) for g in data["groups"]] == [
        (270, 212, 310), (426, 348, 550)]
    assert data["groups"][0]["conf_type"] == "log"
    # R: summary(survfit(...), times = 180)$surv for sex=1 -> 0.644465001541783
    assert data["groups"][0]["landmarks"][0]["survival"] == pytest.approx(0.644465001541783)
    # R: survdiff(Surv(time, status) ~ sex, data = lung)$chisq -> 10.3267419548856
    assert data["logrank"]["chi2"] == pytest.approx(10.3267419548856, rel=1e-10)


def test_km_table_names_the_ci_method(lung01: str) -> None:
    res = runner.invoke(app, ["analyse", "km", lung01, "--time", "time", "--event", "dead"])
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    assert "log-log" in text and "310" in text and "284 to 361" in text


def test_cox_json_matches_r(lung01: str) -> None:
    res = runner.invoke(app, ["analyse", "cox", lung01, "--time", "time", "--event", "dead",
                              "--covariate", "age", "--covariate", "sex", "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    # R: coef(coxph(Surv(time, status) ~ age + sex, data = lung)) -> 0.0170453318454113 ...
    assert [c["coef"] for c in data["covariates"]] == pytest.approx(
        [0.0170453318454113, -0.5132185171083844], rel=1e-6)
    assert data["ties"] == "efron"


def test_logrank_and_compare_commands(lung01: str) -> None:
    res = runner.invoke(app, ["analyse", "logrank", lung01, "--time", "time", "--event", "dead",
                              "--group", "sex", "--json"])
    assert json.loads(res.stdout)["df"] == 1
    res = runner.invoke(app, ["analyse", "compare", "--events-1", "13", "--n-1", "26",
                              "--events-2", "4", "--n-2", "26", "--json"])
    # R: fisher.test(matrix(c(13, 13, 4, 22), 2))$p.value -> 0.0167005066052869
    assert json.loads(res.stdout)["fisher"]["p_value"] == pytest.approx(0.0167005066052869)


def test_derive_pfs_csv(tmp_path: Path) -> None:
    subj = tmp_path / "subjects.csv"
    subj.write_text("subject_id,start_date,pd_date,death_date\n01,2024-01-01,2024-03-25,\n")
    visits = tmp_path / "visits.csv"
    visits.write_text("subject_id,assessment_date\n01,2023-12-20\n01,2024-03-25\n")
    res = runner.invoke(app, ["analyse", "derive", str(subj), "--endpoint", "pfs", "--cutoff",
                              "2024-12-31", "--assessments", str(visits)])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[1].startswith("01,pfs,2024-01-01,2024-03-25,85,")  # id kept as text
    assert lines[1].endswith(",True,progression,event: progression,fda-2018-pfs-v1")


def test_derive_json_states_the_rules(tmp_path: Path) -> None:
    subj = tmp_path / "subjects.csv"
    subj.write_text("subject_id,start_date,death_date,last_contact_date\n"
                    "01,2024-01-01,,2024-06-01\n")
    res = runner.invoke(app, ["analyse", "derive", str(subj), "--endpoint", "os", "--cutoff",
                              "2024-12-31", "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["rules"].startswith("fda-2018-pfs-v1: ")
    assert data["rows"][0]["time_days"] == 153  # 2024-01-01 -> 06-01 = 152 d (+1)
    assert data["rows"][0]["reason"] == "censored: last known alive"


def test_km_curve_in_json(lung01: str) -> None:
    res = runner.invoke(app, ["analyse", "km", lung01, "--time", "time", "--event", "dead",
                              "--curve", "--json"])
    curve = json.loads(res.stdout)["groups"][0]["curve"]
    assert curve["n_at_risk"][0] == 228
