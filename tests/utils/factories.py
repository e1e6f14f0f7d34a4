"""Small hand-built protocols and trial data for tests that need 'a trial', not a seed trial."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from abscopal.protocol import Protocol, parse_protocol
from abscopal.trialdata import TrialData


def two_arm_document() -> dict[str, Any]:
    """A minimal randomised two-arm RT+IO protocol document (valid)."""
    return {
        "identity": {
            "registry_id": "NCT00000001", "title": "Test trial", "phase": "PHASE2",
            "status": "RECRUITING", "sponsor": "Test sponsor", "target_enrolment": 40,
            "start_date": "2025-01-01",
        },
        "design": {"allocation": "randomized", "intervention_model": "parallel",
                   "masking": {"level": "single", "blinded": ["imaging_reviewer"]}},
        "interventions": [
            {"kind": "radiation", "id": "sbrt", "name": "SBRT", "technique": "sbrt",
             "target_volume": "all metastases",
             "regimens": [{"dose_per_fraction_gy": 8, "fractions": 3, "total_dose_gy": 24}]},
            {"kind": "drug", "id": "pd1", "name": "Anti-PD-1", "drug_class": "PD-1 inhibitor",
             "dose": {"amount": 200, "unit": "mg"}, "cycle_length_days": 21},
        ],
        "arms": [
            {"id": "rt_io", "label": "SBRT + anti-PD-1", "type": "experimental",
             "interventions": ["sbrt", "pd1"], "assignment": {"kind": "randomised"}},
            {"id": "io", "label": "Anti-PD-1 alone", "type": "active_comparator",
             "interventions": ["pd1"], "assignment": {"kind": "randomised"}},
        ],
        "eligibility": [{"id": "inc01", "kind": "inclusion", "text": "Age >= 18 years.",
                         "manual": True, "manual_reason": "test"}],
        "endpoints": [{"id": "orr", "level": "primary", "kind": "orr",
                       "title": "Objective response rate", "criteria": ["recist_1_1"]}],
    }


def two_arm_protocol() -> Protocol:
    return parse_protocol(two_arm_document(), source="factories.two_arm")


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def small_trial_data() -> TrialData:
    """Three subjects: one per arm, one screen failure; hand-written values."""
    subjects = pd.DataFrame([
        dict(subject_id="001", site_id="S1", sex="F", birth_date=D("1960-05-02"),
             consent_date=D("2025-02-01"), screening_outcome="eligible", screen_fail_reason=None,
             enrolment_date=D("2025-02-03"), arm_id="rt_io", stage_id=None, tumour_type="NSCLC",
             ecog=1, weight_kg=60.0, height_cm=165.0, off_study_date=None, off_study_reason=None,
             death_date=D("2025-09-01"), death_cause="cancer", last_contact_date=D("2025-09-01"),
             new_therapy_date=None),
        dict(subject_id="002", site_id="S2", sex="M", birth_date=D("1955-12-31"),
             consent_date=D("2025-03-01"), screening_outcome="eligible", screen_fail_reason=None,
             enrolment_date=D("2025-03-02"), arm_id="io", stage_id=None, tumour_type="RCC",
             ecog=0, weight_kg=80.0, height_cm=180.0, off_study_date=None, off_study_reason=None,
             death_date=None, death_cause=None, last_contact_date=D("2025-10-01"),
             new_therapy_date=None),
        dict(subject_id="003", site_id="S1", sex="M", birth_date=D("1970-01-01"),
             consent_date=D("2025-04-01"), screening_outcome="not_eligible",
             screen_fail_reason="inc01", enrolment_date=None, arm_id=None, stage_id=None,
             tumour_type="CRC", ecog=2, weight_kg=70.0, height_cm=170.0, off_study_date=None,
             off_study_reason=None, death_date=None, death_cause=None,
             last_contact_date=D("2025-04-01"), new_therapy_date=None),
    ])
    rt = pd.DataFrame([dict(subject_id="001", intervention_id="sbrt", fraction_date=D(d),
                            fraction_number=n, dose_gy=8.0)
                       for n, d in enumerate(["2025-02-05", "2025-02-07", "2025-02-10"], 1)])
    drugs = pd.DataFrame([
        dict(subject_id="001", intervention_id="pd1", agent="pembrolizumab",
             admin_date=D("2025-02-11"), cycle=1, dose_amount=200.0, dose_unit="mg"),
        dict(subject_id="002", intervention_id="pd1", agent="pembrolizumab",
             admin_date=D("2025-03-03"), cycle=1, dose_amount=200.0, dose_unit="mg"),
    ])
    lesions = pd.DataFrame([
        dict(subject_id="001", lesion_id="T1", organ="lung", is_nodal=False, role="target",
             in_field=True),
        dict(subject_id="001", lesion_id="T2", organ="liver", is_nodal=False, role="target",
             in_field=False),
    ])
    measurements = pd.DataFrame([
        dict(subject_id="001", assessment_date=D("2025-02-01"), lesion_id="T1", diameter_mm=30.0,
             status="present"),
        dict(subject_id="001", assessment_date=D("2025-02-01"), lesion_id="T2", diameter_mm=20.0,
             status="present"),
        dict(subject_id="001", assessment_date=D("2025-04-01"), lesion_id="T1", diameter_mm=15.0,
             status="present"),
        dict(subject_id="001", assessment_date=D("2025-04-01"), lesion_id="T2", diameter_mm=None,
             status="absent"),
    ])
    responses = pd.DataFrame([dict(subject_id="001", assessment_date=D("2025-04-01"),
                                   criteria="recist_1_1", response="PR")])
    labs = pd.DataFrame([dict(subject_id="001", lab_date=D("2025-03-15"), test="LYM",
                              value=0.7, unit="10^9/L", lln=1.0, uln=4.0,
                              ctcae_term="Lymphocyte count decreased", ctcae_grade=2)])
    aes = pd.DataFrame([dict(subject_id="001", term="Pneumonitis", grade=2,
                             onset_date=D("2025-05-01"), resolution_date=None, serious=False,
                             immune_related=True, attribution="ici")])
    return TrialData(trial_id="NCT00000001", protocol_version="1.0", subjects=subjects,
                     rt_fractions=rt, drug_admins=drugs, lesions=lesions,
                     lesion_measurements=measurements, responses=responses, labs=labs,
                     adverse_events=aes)
