"""Trial identity: registry id, title, phase, status, sponsor, enrolment, dates."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.protocol._common import StrictModel, problem, raise_if


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
    """Who the trial is and when it runs.

    ``phase`` and ``target_enrolment`` may be left empty only when the registry record does not
    state them; the protocol must then carry an ``assumptions`` entry for that path.
    """

    registry_id: str = Field(pattern=r"^NCT\d{8}$", description="ClinicalTrials.gov id")
    title: str = Field(min_length=1)
    acronym: str | None = None
    phase: Phase | None = Field(description="Empty only when the record does not state it")
    status: Status
    sponsor: str = Field(min_length=1)
    target_enrolment: int | None = Field(
        gt=0, description="Planned participants; empty only when the record does not state it"
    )
    start_date: dt.date | None = None
    primary_completion_date: dt.date | None = None
    completion_date: dt.date | None = None
    conditions: tuple[str, ...] = ()
    record_updated: dt.date | None = Field(
        default=None, description="Date of the registry record this protocol was written from"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Identity:
        found = []
        for name in ("primary_completion_date", "completion_date"):
            end = getattr(self, name)
            if self.start_date and end and end < self.start_date:
                found.append(problem(name, f"a date on or after start_date {self.start_date}",
                                     end.isoformat()))
        raise_if(found)
        return self
