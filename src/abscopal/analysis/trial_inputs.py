"""From a captured trial (``TrialData``) to the inputs of :func:`derive_time_to_event`.

``TrialData`` (abscopal.trialdata) holds enrolment, deaths, last contact, new therapy, lesion
measurements and timepoint responses. This module turns it into the two tables the endpoint
derivation reads: one row per enrolled subject, and the dated tumour assessments.
"""

from __future__ import annotations

import pandas as pd

from abscopal.errors import InputError
from abscopal.trialdata import TrialData

PROGRESSION_VALUES: dict[str, tuple[str, ...]] = {
    "recist_1_1": ("PD",),
    "irecist": ("iCPD",),
}
_RESPONSES = {"recist_1_1": ("CR", "PR"), "irecist": ("iCR", "iPR")}
_NOT_EVALUABLE = ("NE", "iNE", "NA")


def derive_endpoint_inputs(
    data: TrialData, *, criteria: str = "recist_1_1"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subjects and assessments tables for ``derive_time_to_event`` from a trial's data.

    Parameters
    ----------
    data : TrialData
        The captured trial. Uses ``subjects`` (enrolment_date, death_date, death_cause,
        last_contact_date, new_therapy_date), ``lesion_measurements`` (baseline scans) and
        ``responses`` (timepoint responses).
    criteria : {"recist_1_1", "irecist"}
        Which timepoint responses to read.

    Returns
    -------
    subjects, assessments : DataFrame
        ``subjects``: subject_id, start_date (= enrolment_date), pd_date, response_date,
        death_date, death_cause, last_contact_date, new_therapy_date — enrolled subjects only.
        ``assessments``: subject_id, assessment_date, is_adequate.

    Rules
    -----
    1. pd_date: the first timepoint with PD (RECIST 1.1) or iCPD (iRECIST). With iRECIST,
       iUPD confirmed later as iCPD is not back-dated here; the response engine decides which
       date counts.
    2. response_date: the first timepoint with CR/PR (iCR/iPR). Whether the response needed
       confirmation is the response engine's decision (RECIST 1.1 section 4.6).
    3. Assessments: every timepoint response, adequate unless NE; plus, as baseline, each
       date on or before enrolment with a lesion measurement.
    """
    key = str(criteria).strip().lower()
    if key not in PROGRESSION_VALUES:
        raise InputError(f"'criteria' must be one of {sorted(PROGRESSION_VALUES)} "
                         f"(got {criteria!r})")
    subj = data.subjects
    enrolled = subj[subj["enrolment_date"].notna()].copy()
    resp = data.responses
    resp = resp[resp["criteria"].astype(str).str.lower() == key]
    resp_dates = pd.to_datetime(resp["assessment_date"])

    def first_date(values: tuple[str, ...]) -> pd.Series:
        hit = resp[resp["response"].isin(values)]
        dates = resp_dates[hit.index]
        return dates.groupby(hit["subject_id"]).min()

    pd_first = first_date(PROGRESSION_VALUES[key])
    resp_first = first_date(_RESPONSES[key])
    subjects = pd.DataFrame({
        "subject_id": enrolled["subject_id"].to_numpy(),
        "start_date": pd.to_datetime(enrolled["enrolment_date"]).to_numpy(),
    })
    subjects["pd_date"] = subjects["subject_id"].map(pd_first)
    subjects["response_date"] = subjects["subject_id"].map(resp_first)
    for col in ("death_date", "last_contact_date", "new_therapy_date"):
        subjects[col] = pd.to_datetime(enrolled[col]).to_numpy()
    subjects["death_cause"] = enrolled["death_cause"].to_numpy()

    post = pd.DataFrame({
        "subject_id": resp["subject_id"].to_numpy(),
        "assessment_date": resp_dates.to_numpy(),
        "is_adequate": (~resp["response"].isin(_NOT_EVALUABLE) & resp["response"].notna())
        .to_numpy(),
    })
    meas = data.lesion_measurements
    start_by_subject = subjects.set_index("subject_id")["start_date"]
    meas_dates = pd.to_datetime(meas["assessment_date"])
    starts = meas["subject_id"].map(start_by_subject)
    is_baseline = meas_dates.notna() & starts.notna() & (meas_dates <= starts)
    baseline = pd.DataFrame({
        "subject_id": meas["subject_id"][is_baseline].to_numpy(),
        "assessment_date": meas_dates[is_baseline].to_numpy(),
        "is_adequate": True,
    }).drop_duplicates()
    assessments = pd.concat([baseline, post], ignore_index=True)
    assessments = assessments.sort_values(["subject_id", "assessment_date"], kind="stable")
    return subjects, assessments.reset_index(drop=True)
