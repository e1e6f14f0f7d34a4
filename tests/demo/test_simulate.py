"""Demo simulator: deterministic, complete, and consistent with the protocol it simulates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from abscopal.demo import SimulationSettings, simulate_trial
from abscopal.trialdata import check_trial_data
from tests.utils.factories import two_arm_protocol


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    p = two_arm_protocol()
    a = simulate_trial(p, SimulationSettings(seed=1))
    b = simulate_trial(p, SimulationSettings(seed=1))
    c = simulate_trial(p, SimulationSettings(seed=2))
    pd.testing.assert_frame_equal(a.labs, b.labs)
    assert not a.subjects.equals(c.subjects)


def test_enrols_the_target_and_tables_have_the_contract_columns() -> None:
    data = simulate_trial(two_arm_protocol())
    check_trial_data(data)
    assert data.subjects["enrolment_date"].notna().sum() == 40
    failed = data.subjects[data.subjects["enrolment_date"].isna()]
    assert (failed["screen_fail_reason"] == "inc01").all()


def test_rt_only_in_the_rt_arm_on_weekdays_with_the_prescribed_dose() -> None:
    data = simulate_trial(two_arm_protocol())
    arms = data.subjects.set_index("subject_id")["arm_id"]
    rt = data.rt_fractions
    assert set(arms[rt["subject_id"].unique()]) == {"rt_io"}
    assert all(d.weekday() < 5 for d in rt["fraction_date"])
    assert set(rt["dose_gy"]) == {8.0}
    assert rt.groupby("subject_id")["fraction_number"].max().max() == 3


def test_drug_cycles_are_21_days_apart() -> None:
    data = simulate_trial(two_arm_protocol())
    one = data.drug_admins[data.drug_admins["subject_id"] == data.drug_admins["subject_id"].iloc[0]]
    gaps = {(b - a).days for a, b in zip(one["admin_date"].iloc[:-1], one["admin_date"].iloc[1:], strict=True)}
    assert gaps <= {21}


def test_lymphocytes_fall_more_after_sbrt_than_without_rt() -> None:
    data = simulate_trial(two_arm_protocol())
    arms = data.subjects.set_index("subject_id")["arm_id"]
    lym = data.labs[data.labs["test"] == "LYM"].copy()
    lym["arm"] = arms[lym["subject_id"]].to_numpy()
    nadir_ratio = lym.groupby("subject_id").apply(
        lambda g: g["value"].min() / g["value"].iloc[0], include_groups=False)
    by_arm = nadir_ratio.groupby(arms[nadir_ratio.index].to_numpy()).median()
    assert by_arm["rt_io"] < by_arm["io"]


def test_off_study_on_the_date_of_first_progression() -> None:
    data = simulate_trial(two_arm_protocol(), SimulationSettings(seed=3))
    new = data.lesion_measurements[data.lesion_measurements["lesion_id"] == "N1"]
    first_pd = dict(zip(new["subject_id"], new["assessment_date"], strict=True))
    assert first_pd  # some subjects progress
    for row in data.subjects.to_dict("records"):
        if row["subject_id"] in first_pd:
            assert row["off_study_date"] == first_pd[row["subject_id"]]
            assert row["off_study_reason"] == "progressive disease"
        else:
            assert row["off_study_date"] is None


def test_allocate_hook_decides_the_arm_and_downstream_data_follow_it() -> None:
    p = two_arm_protocol()
    calls: list[tuple[str, object]] = []

    def allocate(row: Mapping[str, Any], facts: dict[str, Any]) -> tuple[str, str | None]:
        calls.append((str(row["subject_id"]), row["enrolment_date"]))
        return p.arms[1].id, None  # always the second arm, whatever the simulator would draw

    data = simulate_trial(p, SimulationSettings(seed=4, n_screened=20), allocate=allocate)
    enrolled = data.subjects[data.subjects["enrolment_date"].notna()]
    assert [c[0] for c in calls] == list(enrolled["subject_id"])
    assert [c[1] for c in calls] == list(enrolled["enrolment_date"])
    assert set(enrolled["arm_id"]) == {p.arms[1].id}
    # Downstream data are those of the allocated arm's interventions only.
    allowed = set(p.arms[1].interventions)
    assert set(data.rt_fractions.get("intervention_id", pd.Series(dtype=object))) <= allowed
    assert set(data.drug_admins.get("intervention_id", pd.Series(dtype=object))) <= allowed
