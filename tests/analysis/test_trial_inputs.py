"""TrialData -> endpoint inputs, checked end to end on the shared hand-written trial."""

from __future__ import annotations

import pytest

from abscopal.analysis.endpoints import CensoringRules, derive_time_to_event
from abscopal.analysis.trial_inputs import derive_endpoint_inputs
from abscopal.errors import InputError
from tests.utils.factories import small_trial_data

CUTOFF = "2025-12-31"


def test_tables_from_trial_data() -> None:
    subjects, assessments = derive_endpoint_inputs(small_trial_data())
    assert list(subjects.subject_id) == ["001", "002"]  # 003 was never enrolled
    assert str(subjects.response_date[0].date()) == "2025-04-01"  # first PR
    assert subjects.pd_date.isna().all()
    got = [(a.subject_id, str(a.assessment_date.date()), a.is_adequate)
           for a in assessments.itertuples()]
    assert got == [("001", "2025-02-01", True), ("001", "2025-04-01", True)]


def test_os_pfs_dor_end_to_end() -> None:
    subjects, assessments = derive_endpoint_inputs(small_trial_data())
    os_ = derive_time_to_event(subjects, "os", cutoff_date=CUTOFF)
    # 001: 2025-02-03 -> 2025-09-01 = 210 d (+1); 002: 2025-03-02 -> last contact 10-01 = 213 d
    assert list(zip(os_.time_days, os_.event, strict=True)) == [(211, True), (214, False)]
    pfs = derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF, assessments=assessments)
    # 002 has no baseline scan: censored at enrolment
    assert list(zip(pfs.time_days, pfs.event, strict=True)) == [(211, True), (1, False)]
    strict = derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF, assessments=assessments,
                                  rules=CensoringRules(assessment_interval_days=42))
    # death 153 d after the last scan (> 2 x 42 + 7): censored at 2025-04-01 (57 d + 1)
    assert (int(strict.time_days[0]), bool(strict.event[0])) == (58, False)
    dor = derive_time_to_event(subjects, "dor", cutoff_date=CUTOFF, assessments=assessments)
    # 2025-04-01 -> 2025-09-01 = 153 d (+1), death
    assert list(zip(dor.subject_id, dor.time_days, dor.event_type, strict=True)) == [
        ("001", 154, "death")]
    css = derive_time_to_event(subjects, "css", cutoff_date=CUTOFF)
    assert css.event_type[0] == "cancer death"


def test_unknown_criteria() -> None:
    with pytest.raises(InputError, match="'criteria' must be one of"):
        derive_endpoint_inputs(small_trial_data(), criteria="mrecist")
