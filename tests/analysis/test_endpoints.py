"""Time-to-event derivation: censoring rules case by case, errors, and invariants.

Expected days are counted by hand from the calendar (2024 is a leap year) and written out;
time_days = end - start + 1 (default ``add_one_day``). Rules: FDA 2018 guidance, Table 5.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.analysis.endpoints import (
    OUTPUT_COLUMNS,
    CensoringRules,
    compute_months,
    derive_time_to_event,
)
from abscopal.errors import DateOrderError, InputError, MissingColumnError

RULES = CensoringRules(assessment_interval_days=42)  # every 6 weeks; 2 missed -> gap > 91 d
CUTOFF = "2024-12-31"
START = "2024-01-01"
BASELINE = "2023-12-20"


def _pfs_one(*, visits: list[str], pd_date: str | None = None, death: str | None = None,
             new_tx: str | None = None, rules: CensoringRules = RULES,
             adequate: list[bool] | None = None) -> dict[str, object]:
    subjects = pd.DataFrame({
        "subject_id": ["S1"], "start_date": [START], "pd_date": [pd_date],
        "death_date": [death], "new_therapy_date": [new_tx],
    })
    assessments = pd.DataFrame({"subject_id": ["S1"] * len(visits), "assessment_date": visits})
    if adequate is not None:
        assessments["is_adequate"] = adequate
    out = derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF, assessments=assessments,
                               rules=rules)
    row = out.iloc[0]
    return {"end": str(row.end_date), "days": int(row.time_days), "event": bool(row.event),
            "reason": row.reason}


# Visits every 42 days from 2024-01-01: 02-12 (day 42), 03-25 (84), 05-06 (126), 06-17 (168).
PFS_CASES = [
    # PD at the 2nd scheduled assessment: Jan 1 -> Mar 25 is 84 days (+1)
    (dict(visits=[BASELINE, "2024-02-12", "2024-03-25"], pd_date="2024-03-25"),
     ("2024-03-25", 85, True, "event: progression")),
    # no event: censored at the last adequate assessment (Jan 1 -> Jun 17 = 168 d)
    (dict(visits=[BASELINE, "2024-02-12", "2024-03-25", "2024-05-06", "2024-06-17"]),
     ("2024-06-17", 169, False, "censored: no event by data cut-off (last adequate assessment)")),
    # death between adequate assessments is an event (Jan 1 -> Feb 20 = 50 d)
    (dict(visits=[BASELINE, "2024-02-12"], death="2024-02-20"),
     ("2024-02-20", 51, True, "event: death")),
    # PD 126 d after the last adequate assessment (> 2 x 42 + 7): two missed -> censored there
    (dict(visits=[BASELINE, "2024-02-12", "2024-06-17"], pd_date="2024-06-17"),
     ("2024-02-12", 43, False,
      "censored: progression after >= 2 missed assessments (126 days after the last adequate "
      "one)")),
    # one missed assessment only (gap 84 <= 91): still an event (Jan 1 -> May 6 = 126 d)
    (dict(visits=[BASELINE, "2024-02-12", "2024-05-06"], pd_date="2024-05-06"),
     ("2024-05-06", 127, True, "event: progression")),
    # new therapy on Apr 1 before PD on May 6: censored at the last assessment before it
    (dict(visits=[BASELINE, "2024-02-12", "2024-03-25", "2024-05-06"], pd_date="2024-05-06",
          new_tx="2024-04-01"),
     ("2024-03-25", 85, False,
      "censored: new anticancer therapy before any event (last adequate assessment on or "
      "before its start)")),
    # new therapy on the day of PD: the event stands
    (dict(visits=[BASELINE, "2024-02-12"], pd_date="2024-02-12", new_tx="2024-02-12"),
     ("2024-02-12", 43, True, "event: progression")),
    # no baseline assessment: censored at the time origin (day 1)
    (dict(visits=["2024-02-12"], pd_date="2024-02-12"),
     ("2024-01-01", 1, False, "censored: no baseline tumour assessment (at time origin)")),
    # baseline only, no event: censored at the origin
    (dict(visits=[BASELINE]),
     ("2024-01-01", 1, False, "censored: no adequate post-baseline assessment (at time origin)")),
    # death before the first scheduled assessment (19 d): an event
    (dict(visits=[BASELINE], death="2024-01-20"), ("2024-01-20", 20, True, "event: death")),
    # PD after the data cut-off is not known yet: censored at the last assessment
    (dict(visits=[BASELINE, "2024-02-12", "2024-06-17"], pd_date="2025-02-01"),
     ("2024-06-17", 169, False, "censored: no event by data cut-off (last adequate assessment)")),
    # an NE (inadequate) assessment does not count: censored at Feb 12
    (dict(visits=[BASELINE, "2024-02-12", "2024-03-25"], adequate=[True, True, False]),
     ("2024-02-12", 43, False, "censored: no event by data cut-off (last adequate assessment)")),
    # PD and death on the same day: progression is reported
    (dict(visits=[BASELINE, "2024-02-12"], pd_date="2024-02-12", death="2024-02-12"),
     ("2024-02-12", 43, True, "event: progression")),
]


@pytest.mark.parametrize(("kwargs", "expected"), PFS_CASES)
def test_pfs_censoring_rules(kwargs: dict[str, object],
                             expected: tuple[str, int, bool, str]) -> None:
    got = _pfs_one(**kwargs)  # type: ignore[arg-type]
    assert (got["end"], got["days"], got["event"], got["reason"]) == expected


def test_missed_assessment_rule_can_be_switched_off() -> None:
    rules = CensoringRules(assessment_interval_days=42, censor_after_missed_assessments=None)
    got = _pfs_one(visits=[BASELINE, "2024-02-12", "2024-06-17"], pd_date="2024-06-17",
                   rules=rules)
    assert (got["days"], got["event"]) == (169, True)


def test_new_therapy_rule_can_be_switched_off() -> None:
    rules = CensoringRules(censor_at_new_therapy=False)
    got = _pfs_one(visits=[BASELINE, "2024-02-12", "2024-05-06"], pd_date="2024-05-06",
                   new_tx="2024-04-01", rules=rules)
    assert (got["days"], got["event"]) == (127, True)


def test_without_the_extra_day() -> None:
    got = _pfs_one(visits=[BASELINE, "2024-02-12", "2024-03-25"], pd_date="2024-03-25",
                   rules=CensoringRules(add_one_day=False))
    assert got["days"] == 84


def test_output_columns_and_months() -> None:
    subjects = pd.DataFrame({"subject_id": ["S1"], "start_date": [START],
                             "pd_date": ["2024-03-25"], "death_date": [None]})
    out = derive_time_to_event(subjects, "PFS", cutoff_date=CUTOFF,
                               assessments=pd.DataFrame({"subject_id": ["S1", "S1"],
                                                         "assessment_date": [BASELINE,
                                                                             "2024-03-25"]}))
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out.time_months[0] == pytest.approx(85 / 30.4375)
    assert out.rule_version[0] == "fda-2018-pfs-v1"
    assert out.event_type[0] == "progression"


class TestOverallSurvival:
    SUBJECTS = pd.DataFrame({
        "subject_id": ["dead", "alive", "past-cutoff", "died-late"],
        "start_date": ["2024-01-01"] * 4,
        "death_date": ["2024-07-01", None, None, "2025-03-01"],
        "last_contact_date": [None, "2024-10-01", "2025-01-15", "2025-02-01"],
    })

    def test_os_events_and_censoring(self) -> None:
        out = derive_time_to_event(self.SUBJECTS, "os", cutoff_date=CUTOFF)
        got = list(zip(out.subject_id, out.end_date.astype(str), out.time_days, out.event,
                       out.reason, strict=True))
        assert got == [
            ("dead", "2024-07-01", 183, True, "event: death"),  # 182 d + 1
            ("alive", "2024-10-01", 275, False, "censored: last known alive"),
            ("past-cutoff", "2024-12-31", 366, False, "censored: alive at data cut-off"),
            ("died-late", "2024-12-31", 366, False,
             "censored: alive at data cut-off (died after it)"),
        ]

    def test_last_known_alive_required_for_the_living(self) -> None:
        subj = self.SUBJECTS.copy()
        subj.loc[1, "last_contact_date"] = None
        with pytest.raises(InputError, match="last_contact_date is missing for subject 'alive'"):
            derive_time_to_event(subj, "os", cutoff_date=CUTOFF)


def test_css_censors_other_cause_deaths_at_death() -> None:
    subjects = pd.DataFrame({
        "subject_id": ["cancer", "other"], "start_date": ["2024-01-01"] * 2,
        "death_date": ["2024-03-01", "2024-04-01"], "death_cause": ["Cancer", "stroke"],
        "last_contact_date": [None, None],
    })
    out = derive_time_to_event(subjects, "css", cutoff_date=CUTOFF)
    assert list(zip(out.time_days, out.event, out.reason, strict=True)) == [
        (61, True, "event: cancer death"),
        (92, False, "censored: death from another cause (at date of death)"),
    ]


def test_css_needs_the_cause_of_each_death() -> None:
    subjects = pd.DataFrame({"subject_id": ["a"], "start_date": [START],
                             "death_date": ["2024-03-01"], "death_cause": [None],
                             "last_contact_date": [None]})
    with pytest.raises(InputError, match="death_cause must be given for every death"):
        derive_time_to_event(subjects, "css", cutoff_date=CUTOFF)


def test_dor_runs_from_first_response_for_responders_only() -> None:
    subjects = pd.DataFrame({
        "subject_id": ["R", "NR"], "start_date": [START] * 2,
        "response_date": ["2024-02-12", None], "pd_date": ["2024-05-06", "2024-02-12"],
        "death_date": [None, None],
    })
    visits = pd.DataFrame({"subject_id": ["R"] * 4,
                           "assessment_date": [BASELINE, "2024-02-12", "2024-03-25",
                                               "2024-05-06"]})
    out = derive_time_to_event(subjects, "dor", cutoff_date=CUTOFF, assessments=visits,
                               rules=RULES)
    assert list(out.subject_id) == ["R"]
    assert (int(out.time_days[0]), bool(out.event[0])) == (85, True)  # Feb 12 -> May 6 = 84 d


def test_pfs2_of_nct06076135_starts_at_the_combination() -> None:
    subjects = pd.DataFrame({"subject_id": ["S"], "combination_start_date": ["2024-02-01"],
                             "pd_date": ["2024-04-01"], "death_date": [None]})
    visits = pd.DataFrame({"subject_id": ["S"] * 2, "assessment_date": ["2024-01-25",
                                                                        "2024-04-01"]})
    out = derive_time_to_event(subjects, "pfs2", cutoff_date=CUTOFF, assessments=visits)
    assert (int(out.time_days[0]), bool(out.event[0])) == (61, True)  # Feb 1 -> Apr 1 = 60 d


def test_ffs_counts_treatment_failure_first() -> None:
    subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START],
                             "pd_date": ["2024-05-06"], "death_date": [None],
                             "treatment_failure_date": ["2024-03-01"]})
    visits = pd.DataFrame({"subject_id": ["S"] * 3,
                           "assessment_date": [BASELINE, "2024-02-12", "2024-05-06"]})
    out = derive_time_to_event(subjects, "ffs", cutoff_date=CUTOFF, assessments=visits)
    assert (int(out.time_days[0]), out.event_type[0]) == (61, "treatment failure")


def test_rfs_with_a_subject_level_last_assessment() -> None:
    subjects = pd.DataFrame({"subject_id": ["S", "T"], "start_date": [START] * 2,
                             "recurrence_date": [None, "2024-06-01"], "death_date": [None, None],
                             "last_adequate_assessment_date": ["2024-09-30", "2024-04-01"]})
    out = derive_time_to_event(subjects, "rfs", cutoff_date=CUTOFF)
    assert list(zip(out.time_days, out.event, strict=True)) == [(274, False), (153, True)]


class TestInvalidInputs:
    def test_unknown_endpoint(self) -> None:
        with pytest.raises(InputError, match="'endpoint' must be one of"):
            derive_time_to_event(pd.DataFrame(), "ttp", cutoff_date=CUTOFF)

    def test_missing_column_is_named(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START]})
        with pytest.raises(MissingColumnError, match=r"missing column\(s\) \['pd_date', "
                                                     r"'death_date'\] needed for endpoint 'pfs'"):
            derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF)

    def test_progression_before_start(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START],
                                 "pd_date": ["2023-12-01"], "death_date": [None]})
        with pytest.raises(DateOrderError, match=r"subjects.pd_date \(2023-12-01\) is before "
                                                 r"start_date \(2024-01-01\) for subject 'S'"):
            derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF,
                                 assessments=pd.DataFrame({"subject_id": ["S"],
                                                           "assessment_date": [BASELINE]}))

    def test_duplicate_subjects(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S", "S"], "start_date": [START] * 2,
                                 "death_date": [None] * 2,
                                 "last_contact_date": [START] * 2})
        with pytest.raises(InputError, match="subject_id must be unique"):
            derive_time_to_event(subjects, "os", cutoff_date=CUTOFF)

    def test_unparseable_date(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": ["01/13/2024x"],
                                 "death_date": [None], "last_contact_date": [START]})
        with pytest.raises(InputError, match="subjects.start_date must hold dates"):
            derive_time_to_event(subjects, "os", cutoff_date=CUTOFF)

    def test_rules_are_checked(self) -> None:
        with pytest.raises(InputError, match="'assessment_interval_days' must be an integer >= 1"):
            CensoringRules(assessment_interval_days=0)

    def test_assessments_needed_for_pfs(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START],
                                 "pd_date": [None], "death_date": [None]})
        with pytest.raises(MissingColumnError, match="pass 'assessments'"):
            derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF)


def test_months_use_30_4375_days() -> None:
    assert compute_months(30.4375) == 1.0
    assert compute_months(365.25) == 12.0


def test_rules_describe_themselves() -> None:
    text = RULES.description
    assert text.startswith("fda-2018-pfs-v1: no baseline assessment: censored at the time origin")
    assert "more than 91 days after the last adequate assessment" in text


D0 = date(2024, 1, 1)
offsets = st.one_of(st.none(), st.integers(0, 400))


@settings(max_examples=120, deadline=None)
@given(
    pd_off=offsets, death_off=offsets, tx_off=offsets,
    visit_offs=st.lists(st.integers(-30, 400), max_size=8),
    interval=st.one_of(st.none(), st.integers(14, 84)),
    missed=st.one_of(st.none(), st.integers(1, 3)),
    add_one=st.booleans(),
)
def test_censoring_never_gives_negative_or_post_cutoff_times(
    pd_off: int | None, death_off: int | None, tx_off: int | None, visit_offs: list[int],
    interval: int | None, missed: int | None, add_one: bool,
) -> None:
    def d(off: int | None) -> str | None:
        return None if off is None else str(D0 + timedelta(days=off))

    cutoff = D0 + timedelta(days=300)
    subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [str(D0)],
                             "pd_date": [d(pd_off)], "death_date": [d(death_off)],
                             "new_therapy_date": [d(tx_off)]})
    visits = pd.DataFrame({"subject_id": ["S"] * len(visit_offs),
                           "assessment_date": [d(o) for o in visit_offs]})
    rules = CensoringRules(assessment_interval_days=interval,
                           censor_after_missed_assessments=missed, add_one_day=add_one)
    out = derive_time_to_event(subjects, "pfs", cutoff_date=cutoff, assessments=visits,
                               rules=rules)
    row = out.iloc[0]
    assert row.time_days >= (1 if add_one else 0)
    assert D0 <= row.end_date <= cutoff
    if row.event:
        assert row.end_date in {D0 + timedelta(days=o) for o in (pd_off, death_off)
                                if o is not None}
    else:
        assert row.reason.startswith("censored: ")


class TestMoreInvalidInputs:
    BASE = pd.DataFrame({"subject_id": ["S"], "start_date": [START], "death_date": [None],
                         "last_contact_date": ["2024-06-01"]})

    def test_start_after_cutoff(self) -> None:
        with pytest.raises(DateOrderError, match="is after 'cutoff_date' \\(2023-06-30\\)"):
            derive_time_to_event(self.BASE, "os", cutoff_date="2023-06-30")

    @pytest.mark.parametrize("cutoff", ["not a date", None])
    def test_bad_cutoff(self, cutoff: object) -> None:
        with pytest.raises(InputError, match="'cutoff_date' must be a date"):
            derive_time_to_event(self.BASE, "os", cutoff_date=cutoff)  # type: ignore[arg-type]

    def test_subjects_must_be_a_dataframe(self) -> None:
        with pytest.raises(InputError, match="'subjects' must be a pandas DataFrame \\(got dict\\)"):
            derive_time_to_event({"subject_id": ["S"]}, "os",  # type: ignore[arg-type]
                                 cutoff_date=CUTOFF)

    def test_last_contact_before_start(self) -> None:
        subj = self.BASE.assign(last_contact_date=["2023-06-01"])
        with pytest.raises(DateOrderError, match="last_contact_date \\(2023-06-01\\) is before"):
            derive_time_to_event(subj, "os", cutoff_date=CUTOFF)

    def test_missing_adequacy_flag(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START], "pd_date": [None],
                                 "death_date": [None]})
        visits = pd.DataFrame({"subject_id": ["S"], "assessment_date": [BASELINE],
                               "is_adequate": [None]})
        with pytest.raises(InputError, match="is_adequate must be True/False on every row"):
            derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF, assessments=visits)

    def test_subject_level_last_assessment_cannot_place_new_therapy_before_it(self) -> None:
        subjects = pd.DataFrame({"subject_id": ["S"], "start_date": [START], "pd_date": [None],
                                 "death_date": [None], "new_therapy_date": ["2024-03-01"],
                                 "last_adequate_assessment_date": ["2024-05-01"]})
        with pytest.raises(InputError, match="pass the full 'assessments' table"):
            derive_time_to_event(subjects, "pfs", cutoff_date=CUTOFF)

    def test_cancer_death_causes_must_be_a_tuple(self) -> None:
        with pytest.raises(InputError, match="'cancer_death_causes' must be a tuple of strings"):
            derive_time_to_event(self.BASE, "os", cutoff_date=CUTOFF,
                                 cancer_death_causes="cancer")  # type: ignore[arg-type]
