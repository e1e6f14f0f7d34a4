"""Trial identity: registry id, title, phase, status, sponsor, enrolment, dates."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.protocol._common import StrictModel


class Phase(StrEnum):
    """Trial phase as ClinicalTrials.gov codes it."""

    EARLY_PHASE1 = "EARLY_PHASE1"
    PHASE1 = "PHASE1"
    PHASE1_PHASE2 = "PHASE1_PHASE2"
    PHASE2 = "PHASE2"
    PHASE2_PHASE3 = "PHASE2_PHASE3"
    PHASE3 = "PHASE3"
    PHASE4 = "PHASE4"
    NA = "NA"


class Status(StrEnum):
    """Overall recruitment status as ClinicalTrials.gov codes it."""

    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"
    UNKNOWN = "UNKNOWN"


class Identity(StrictModel):
    """Who the trial is and when it runs."""

    registry_id: str = Field(pattern=r"^NCT\d{8}$", description="ClinicalTrials.gov id")
    title: str = Field(min_length=1)
    acronym: str | None = None
    phase: Phase
    status: Status
    sponsor: str = Field(min_length=1)
    target_enrolment: int = Field(gt=0, description="Planned number of participants")
    start_date: dt.date | None = None
    primary_completion_date: dt.date | None = None
    completion_date: dt.date | None = None
    conditions: tuple[str, ...] = ()
    record_updated: dt.date | None = Field(
        default=None, description="Date of the registry record this protocol was written from"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Identity:
        if self.start_date and self.completion_date and self.completion_date < self.start_date:
            raise ValueError(
                f"completion_date {self.completion_date} is before start_date {self.start_date}"
            )
        return self
