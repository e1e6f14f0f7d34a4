"""Derivation step: responses from the response engine, lab grades from the toxicity engine."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from abscopal.datasets import load_trial
from abscopal.errors import InputError
from abscopal.report.derive import (
    build_patient_record,
    default_response_params,
    derive_trial,
    grade_lab_table,
    uses_irecist,
)
from abscopal.response import TargetStatus
from tests.utils.factories import D, small_trial_data, two_arm_protocol


def test_responses_are_derived_for_the_factory_subject() -> None:
    # 001: T1 30 -> 15 mm, T2 20 mm -> absent: sum 50 -> 15 mm = -70 % -> PR (R11 §4.3.1);
    # T1 is still measurable, so not CR. 002 has no lesions: no response rows.
    derived = derive_trial(dataclasses.replace(small_trial_data(),
                                               responses=small_trial_data().responses.iloc[0:0]),
                           two_arm_protocol())
    assert derived.data.responses.to_dict("records") == [
        {"subject_id": "001", "assessment_date": D("2025-04-01"), "criteria": "recist_1_1",
         "response": "PR"}]
    assert derived.criteria == ("recist_1_1",)
    assert set(derived.evaluations) == {"001"}


def test_absent_target_without_diameter_is_disappeared() -> None:
    data = small_trial_data()
    rec = build_patient_record("001", data.lesions, data.lesion_measurements)
    follow_up = {o.lesion_id: o.status for o in rec.assessments[1].observations}
    assert follow_up["T2"] is TargetStatus.DISAPPEARED
    assert rec.baseline_date == D("2025-02-01")


def test_lab_grades_come_from_ctcae_v5() -> None:
    labs = pd.DataFrame([
        # CTCAE v5.0 Lymphocyte count decreased: G2 <0.8-0.5, G3 <0.5-0.2, G4 <0.2 x10^9/L
        dict(subject_id="1", lab_date=D("2025-01-01"), test="LYM", value=0.7, unit="10^9/L",
             lln=1.0, uln=4.0, ctcae_term=None, ctcae_grade=None),
        dict(subject_id="1", lab_date=D("2025-01-02"), test="LYM", value=0.45, unit="10^9/L",
             lln=1.0, uln=4.0, ctcae_term=None, ctcae_grade=None),
        dict(subject_id="1", lab_date=D("2025-01-03"), test="LYM", value=1.5, unit="10^9/L",
             lln=1.0, uln=4.0, ctcae_term=None, ctcae_grade=None),
        # A test without a CTCAE mapping stays ungraded.
        dict(subject_id="1", lab_date=D("2025-01-03"), test="CRP", value=20.0, unit="mg/L",
             lln=0.0, uln=5.0, ctcae_term=None, ctcae_grade=None),
    ])
    out = grade_lab_table(labs)
    assert out["ctcae_grade"].tolist() == [2, 3, 0, None]
    assert out["ctcae_term"].tolist()[:1] == ["Lymphocyte count decreased"]


def test_confirmation_follows_randomisation_and_irecist_follows_endpoints() -> None:
    assert default_response_params(load_trial("NCT06439888")).require_confirmation is False
    assert default_response_params(load_trial("NCT06076135")).require_confirmation is True
    assert uses_irecist(load_trial("NCT07277777")) is True
    assert uses_irecist(load_trial("NCT06120127")) is False


def test_data_of_another_trial_is_refused() -> None:
    with pytest.raises(InputError, match="'data.trial_id' must match"):
        derive_trial(small_trial_data(), load_trial("NCT06439888"))
