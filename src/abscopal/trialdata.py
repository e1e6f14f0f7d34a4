"""``TrialData``: one trial's captured data as plain tables, the hand-off between the shell
(store, demo simulator) and everything that reads a whole trial (reports, SDTM export).

Each table is a pandas DataFrame with the columns listed in ``COLUMNS``; dates are
``datetime.date`` objects (or ``None``). ``check_trial_data`` validates a bundle and names the
first missing column of each table. Keeping this a plain, documented table contract lets the
store, the demo generator and tests build the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from abscopal.errors import MissingColumnError

COLUMNS: dict[str, tuple[str, ...]] = {
    # One row per screened subject.
    "subjects": (
        "subject_id", "site_id", "sex", "birth_date", "consent_date", "screening_outcome",
        "screen_fail_reason", "enrolment_date", "arm_id", "stage_id", "tumour_type", "ecog",
        "weight_kg", "height_cm", "off_study_date", "off_study_reason", "death_date",
        "death_cause", "last_contact_date", "new_therapy_date",
    ),
    # One row per delivered RT fraction (or implant, fractions = 1).
    "rt_fractions": ("subject_id", "intervention_id", "fraction_date", "fraction_number",
                     "dose_gy"),
    # Dose metrics recorded per subject and course (e.g. D90 in Gy, V100 in %).
    "dose_metrics": ("subject_id", "intervention_id", "metric", "value", "unit"),
    # One row per drug administration.
    "drug_admins": ("subject_id", "intervention_id", "agent", "admin_date", "cycle",
                    "dose_amount", "dose_unit"),
    # Lesions identified at baseline (or new later).
    "lesions": ("subject_id", "lesion_id", "organ", "is_nodal", "role", "in_field"),
    # One row per lesion per assessment.
    "lesion_measurements": ("subject_id", "assessment_date", "lesion_id", "diameter_mm",
                            "status"),
    # Derived timepoint responses (RECIST 1.1 and/or iRECIST).
    "responses": ("subject_id", "assessment_date", "criteria", "response"),
    # Lab results with their reference range and derived CTCAE grade.
    "labs": ("subject_id", "lab_date", "test", "value", "unit", "lln", "uln", "ctcae_term",
             "ctcae_grade"),
    # Adverse events.
    "adverse_events": ("subject_id", "term", "grade", "onset_date", "resolution_date",
                       "serious", "immune_related", "attribution"),
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the documented columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS[name]})


@dataclass(frozen=True)
class TrialData:
    """A trial's data: its registry id, the protocol version captured under, and the tables."""

    trial_id: str
    protocol_version: str
    subjects: pd.DataFrame = field(default_factory=lambda: empty_table("subjects"))
    rt_fractions: pd.DataFrame = field(default_factory=lambda: empty_table("rt_fractions"))
    dose_metrics: pd.DataFrame = field(default_factory=lambda: empty_table("dose_metrics"))
    drug_admins: pd.DataFrame = field(default_factory=lambda: empty_table("drug_admins"))
    lesions: pd.DataFrame = field(default_factory=lambda: empty_table("lesions"))
    lesion_measurements: pd.DataFrame = field(
        default_factory=lambda: empty_table("lesion_measurements")
    )
    responses: pd.DataFrame = field(default_factory=lambda: empty_table("responses"))
    labs: pd.DataFrame = field(default_factory=lambda: empty_table("labs"))
    adverse_events: pd.DataFrame = field(default_factory=lambda: empty_table("adverse_events"))

    def table(self, name: str) -> pd.DataFrame:
        frame: Any = getattr(self, name)
        assert isinstance(frame, pd.DataFrame)
        return frame


def check_trial_data(data: TrialData) -> None:
    """Raise ``MissingColumnError`` naming the table and column if a table lacks a column."""
    for name, columns in COLUMNS.items():
        frame = data.table(name)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"TrialData.{name} must have columns {list(columns)} (missing {missing})"
            )


__all__ = ["COLUMNS", "TrialData", "check_trial_data", "empty_table"]
