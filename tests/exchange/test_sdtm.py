"""SDTM export: domain content, controlled terms, XPT v5 limits, round trip."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from abscopal.errors import InputError
from abscopal.exchange.sdtm import build_sdtm, read_sdtm, validate_xpt_v5, write_sdtm
from tests.utils.factories import small_trial_data, two_arm_protocol


@pytest.fixture(scope="module")
def domains() -> dict[str, pd.DataFrame]:
    return build_sdtm(small_trial_data(), two_arm_protocol())


def test_dm_arms_screen_failure_and_age(domains: dict[str, pd.DataFrame]) -> None:
    dm = domains["DM"].set_index("SUBJID")
    assert list(dm["ARMCD"]) == ["RT_IO", "IO", "SCRNFAIL"]
    assert dm.loc["001", "USUBJID"] == "NCT00000001-001"
    # born 1960-05-02, consent 2025-02-01 -> 64 completed years
    assert dm.loc["001", "AGE"] == 64.0
    # born 1955-12-31, consent 2025-03-01 -> 69
    assert dm.loc["002", "AGE"] == 69.0
    assert dm.loc["001", "DTHFL"] == "Y" and dm.loc["002", "DTHFL"] == ""


def test_ex_has_rt_fractions_and_drugs_with_units(domains: dict[str, pd.DataFrame]) -> None:
    ex = domains["EX"]
    assert len(ex) == 5
    assert list(ex.loc[ex["USUBJID"] == "NCT00000001-001", "EXSEQ"]) == [1.0, 2.0, 3.0, 4.0]
    assert set(ex["EXDOSU"]) == {"Gy", "MG"}


def test_tr_writes_diameters_and_tumour_state(domains: dict[str, pd.DataFrame]) -> None:
    tr = domains["TR"]
    assert list(tr["TRTESTCD"]) == ["DIAMETER", "DIAMETER", "DIAMETER", "TUMSTATE"]
    assert tr["TRORRES"].iloc[-1] == "ABSENT"


def test_rs_and_grades_use_controlled_terms(domains: dict[str, pd.DataFrame]) -> None:
    assert domains["RS"][["RSCAT", "RSSTRESC"]].values.tolist() == [["RECIST 1.1", "PR"]]
    assert domains["AE"]["AETOXGR"].tolist() == ["2"]
    assert domains["LB"]["LBTOXGR"].tolist() == ["2"]


def test_unknown_response_term_is_refused() -> None:
    data = small_trial_data()
    bad = dataclasses.replace(data, responses=data.responses.assign(response="Partial"))
    with pytest.raises(InputError, match="controlled terms"):
        build_sdtm(bad, two_arm_protocol())


def test_blinded_export_hides_arm_and_arm_specific_exposure() -> None:
    d = build_sdtm(small_trial_data(), two_arm_protocol(), blinded=True)
    assert set(d["DM"]["ARMCD"]) == {"BLINDED", "SCRNFAIL"}
    assert "TA" not in d
    # SBRT is given in one arm only: its rows would reveal the allocation.
    assert set(d["EX"]["EXCAT"]) == {"DRUG"}
    text = pd.concat([f.astype(str) for f in d.values()], axis=0).to_csv()
    assert "SBRT + anti-PD-1" not in text and "RT_IO" not in text


def test_xpt_limits_are_reported_not_truncated() -> None:
    frame = pd.DataFrame({"AETERM": ["x" * 201], "TOOLONGNAME": ["a"], "AEDECOD": ["é"]})
    found = [str(f) for f in validate_xpt_v5("AE", frame)]
    assert found == [
        "AE.AETERM[row 0]: expected <= 200 bytes (got 201 bytes)",
        "AE.TOOLONGNAME: expected a variable name of <= 8 characters (got 'TOOLONGNAME')",
        "AE.AEDECOD[row 0]: expected ASCII text (got 'é')",
    ]


def test_write_refuses_before_writing_anything(tmp_path: Path) -> None:
    bad = {"AE": pd.DataFrame({"AETERM": ["x" * 300]})}
    with pytest.raises(InputError, match="200 bytes"):
        write_sdtm(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_round_trip_xpt(domains: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    write_sdtm(domains, tmp_path)
    back = read_sdtm(tmp_path)
    assert sorted(back) == sorted(domains)
    for name, frame in domains.items():
        read, labels = back[name]
        assert list(read.columns) == list(frame.columns), name
        for col in frame.columns:
            if frame[col].dtype == object:
                assert read[col].fillna("").tolist() == frame[col].tolist(), (name, col)
            else:
                pd.testing.assert_series_equal(read[col], frame[col], check_names=False)
        assert labels["STUDYID"] == "Study Identifier"
