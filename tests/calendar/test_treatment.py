"""Whole calendars for the seed trials, with every date written out."""

from __future__ import annotations

import datetime as dt

import pytest

from abscopal.calendar import build_treatment_calendar
from abscopal.datasets import load_trial
from abscopal.errors import InputError

D = dt.date


def test_nct06439888_sbrt_atra_friday_start() -> None:
    cal = build_treatment_calendar(load_trial("NCT06439888"), arm_id="sbrt_atra",
                                   start_date=D(2026, 1, 9), bsa_m2=1.5, fractions=5)
    assert [f.date for f in cal.fractions] == [
        D(2026, 1, 9), D(2026, 1, 12), D(2026, 1, 13), D(2026, 1, 14), D(2026, 1, 15)]
    # ATRA 150 mg/m2/day d1-3 q3w x4 from the first day of RT; BSA 1.5 -> 225 mg/day.
    assert [(d.date, d.cycle, d.day_in_cycle) for d in cal.drug_doses] == [
        (D(2026, 1, 9), 1, 1), (D(2026, 1, 10), 1, 2), (D(2026, 1, 11), 1, 3),
        (D(2026, 1, 30), 2, 1), (D(2026, 1, 31), 2, 2), (D(2026, 2, 1), 2, 3),
        (D(2026, 2, 20), 3, 1), (D(2026, 2, 21), 3, 2), (D(2026, 2, 22), 3, 3),
        (D(2026, 3, 13), 4, 1), (D(2026, 3, 14), 4, 2), (D(2026, 3, 15), 4, 3)]
    assert {d.dose_mg for d in cal.drug_doses} == {225.0}
    lymph = [v for v in cal.visits if v.assessment_id == "lymphocytes_6w"]
    # 6 weeks after the last fraction (Thu 15 Jan): Thu 26 Feb, +/- 3 days.
    assert [(v.nominal_date, v.window_start, v.window_end) for v in lymph] == [
        (D(2026, 2, 26), D(2026, 2, 23), D(2026, 3, 1))]
    assert dict(cal.anchors)["rt_last_fraction"] == D(2026, 1, 15)


def test_nct06439888_control_arm_has_no_atra_and_no_atra_visits() -> None:
    cal = build_treatment_calendar(load_trial("NCT06439888"), arm_id="sbrt_alone",
                                   start_date=D(2026, 1, 9), fractions=3)
    assert cal.drug_doses == ()
    assert {v.assessment_id for v in cal.visits} == {"baseline_blood_count", "lymphocytes_6w"}


def test_nct06439888_without_fraction_count_plans_no_rt_and_says_so() -> None:
    cal = build_treatment_calendar(load_trial("NCT06439888"), arm_id="sbrt_alone",
                                   start_date=D(2026, 1, 9))
    assert cal.fractions == ()
    assert any("pass the number of fractions" in n for n in cal.notes)
    assert any(n.startswith("lymphocytes_6w: anchor rt_last_fraction unknown") for n in cal.notes)


def test_nct06076135_pd1_the_day_after_the_last_fraction_q3w() -> None:
    cal = build_treatment_calendar(load_trial("NCT06076135"), arm_id="stage_2",
                                   start_date=D(2026, 1, 9), fractions=3, horizon_days=60)
    assert [(f.date, f.dose_gy) for f in cal.fractions] == [
        (D(2026, 1, 9), 1), (D(2026, 1, 12), 1), (D(2026, 1, 13), 1)]
    # Last fraction Tue 13 Jan -> first PD-1 Wed 14 Jan, then every 21 days to the horizon.
    assert [d.date for d in cal.drug_doses] == [D(2026, 1, 14), D(2026, 2, 4), D(2026, 2, 25)]
    assert all(d.dose_mg is None for d in cal.drug_doses)  # previous regimen: no fixed dose


def test_nct06076135_stage_two_needs_a_regimen_choice() -> None:
    with pytest.raises(InputError, match="several regimens"):
        build_treatment_calendar(load_trial("NCT06076135"), arm_id="stage_2",
                                 start_date=D(2026, 1, 9))
    with pytest.raises(InputError, match=r"'fractions' must be one of \[2, 3\]"):
        build_treatment_calendar(load_trial("NCT06076135"), arm_id="stage_2",
                                 start_date=D(2026, 1, 9), fractions=4)


def test_nct06076135_stage_one_single_fraction_pd1_next_day() -> None:
    cal = build_treatment_calendar(load_trial("NCT06076135"), arm_id="stage_1",
                                   start_date=D(2026, 1, 9), horizon_days=21)
    assert [f.date for f in cal.fractions] == [D(2026, 1, 9)]
    # "1 day after ILDR" is kept literally: Saturday 10 Jan (drug days are not moved).
    assert [d.date for d in cal.drug_doses] == [D(2026, 1, 10), D(2026, 1, 31)]


def test_nct06120127_sintilimab_200mg_q3w_for_18_weeks() -> None:
    cal = build_treatment_calendar(load_trial("NCT06120127"), arm_id="chemo_rt_io",
                                   start_date=D(2026, 1, 5), fractions=5)
    sinti = [d for d in cal.drug_doses if d.intervention_id == "sintilimab"]
    assert [d.date for d in sinti] == [D(2026, 1, 5), D(2026, 1, 26), D(2026, 2, 16),
                                       D(2026, 3, 9), D(2026, 3, 30), D(2026, 4, 20)]
    assert {d.dose_mg for d in sinti} == {200.0}


def test_nct05628038_toripalimab_18_weeks_and_optional_chemo() -> None:
    p = load_trial("NCT05628038")
    cal = build_treatment_calendar(p, arm_id="cohort_b", start_date=D(2026, 1, 5), fractions=5)
    tori = [d.date for d in cal.drug_doses if d.intervention_id == "toripalimab"]
    assert tori == [D(2026, 1, 5), D(2026, 1, 26), D(2026, 2, 16), D(2026, 3, 9),
                    D(2026, 3, 30), D(2026, 4, 20)]
    assert not any(d.intervention_id == "chemotherapy" for d in cal.drug_doses)
    assert any(n.startswith("chemotherapy: optional") for n in cal.notes)


def test_nct07277777_implant_then_ici_with_an_agent_cycle_length() -> None:
    p = load_trial("NCT07277777")
    without = build_treatment_calendar(p, arm_id="seed_ici", start_date=D(2026, 2, 2))
    assert without.drug_doses == ()
    assert any("cycle length not stated" in n for n in without.notes)
    cal = build_treatment_calendar(p, arm_id="seed_ici", start_date=D(2026, 2, 2),
                                   cycle_length_days={"ici_after_implant": 21}, horizon_days=42)
    assert dict(cal.anchors)["implant"] == D(2026, 2, 2)
    assert [d.date for d in cal.drug_doses] == [D(2026, 2, 3), D(2026, 2, 24), D(2026, 3, 17)]
    dosimetry = [v for v in cal.visits if v.assessment_id == "post_implant_dosimetry"]
    assert [(v.window_start, v.window_end) for v in dosimetry] == [(D(2026, 2, 2), D(2026, 3, 4))]
    control = build_treatment_calendar(p, arm_id="ici_alone", start_date=D(2026, 2, 2))
    assert not any(v.assessment_id == "post_implant_dosimetry" for v in control.visits)


def test_unknown_arm_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="known: run_in, sbrt_atra, sbrt_alone"):
        build_treatment_calendar(load_trial("NCT06439888"), arm_id="x", start_date=D(2026, 1, 9))
