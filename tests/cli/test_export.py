"""``abscopal export sdtm``: XPT v5 + CSV files that read back equal to the built domains."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from abscopal.cli.main import app
from abscopal.datasets import load_trial
from abscopal.demo import SimulationSettings, simulate_trial
from abscopal.exchange.sdtm import build_sdtm, read_sdtm
from abscopal.report.derive import derive_trial_data

runner = CliRunner()
DOMAINS = {"DM", "EX", "AE", "LB", "TU", "TR", "RS", "TS", "TA", "TE"}


def _same(written: pd.DataFrame, back: pd.DataFrame) -> None:
    assert list(back.columns) == list(written.columns)
    for col in written.columns:
        if written[col].dtype == object:
            assert back[col].fillna("").tolist() == written[col].fillna("").tolist(), col
        else:
            np.testing.assert_array_equal(back[col].to_numpy(float), written[col].to_numpy(float))


def test_sdtm_round_trip(tmp_path: Path) -> None:
    out = runner.invoke(app, ["export", "sdtm", "NCT06439888", "--out", str(tmp_path),
                              "--seed", "5", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert set(report["domains"]) == DOMAINS
    assert {Path(f).name for f in report["files"]} == (
        {f"{d.lower()}.xpt" for d in DOMAINS} | {f"{d.lower()}.csv" for d in DOMAINS})
    protocol = load_trial("NCT06439888")
    data = derive_trial_data(simulate_trial(protocol, SimulationSettings(seed=5)), protocol)
    built = build_sdtm(data, protocol)
    back = read_sdtm(tmp_path)
    assert set(back) == DOMAINS
    for name, frame in built.items():
        _same(frame, back[name][0])
    # Derived values made it into the export: RECIST responses and CTCAE lab grades.
    assert set(back["RS"][0]["RSCAT"]) == {"RECIST 1.1"}
    assert set(back["LB"][0]["LBTOXGR"]) >= {"0", "1", "2"}
    assert back["DM"][1]["ARMCD"] == "Planned Arm Code"


def test_blinded_export_has_no_arm(tmp_path: Path) -> None:
    out = runner.invoke(app, ["export", "sdtm", "NCT07277777", "--out", str(tmp_path),
                              "--blinded"])
    assert out.exit_code == 0, out.output
    back = read_sdtm(tmp_path)
    assert "TA" not in back
    assert set(back["DM"][0]["ARMCD"]) <= {"BLINDED", "SCRNFAIL"}
    # The seed implant is given in one arm only: its exposure would reveal the allocation.
    assert "125I Seed Implantation" not in set(back["EX"][0]["EXTRT"])


def test_unknown_trial_exits_2(tmp_path: Path) -> None:
    out = runner.invoke(app, ["export", "sdtm", "NCT1", "--out", str(tmp_path)])
    assert out.exit_code == 2 and "built-in trials" in out.output
