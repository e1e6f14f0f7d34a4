"""Scheduled assessments: imaging, labs, AE review, biospecimens, QoL — with windows in days."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.protocol._common import Identifier, StrictModel, problem, raise_if
from abscopal.protocol.interventions import Anchor


class AssessmentKind(StrEnum):
    IMAGING = "imaging"
    LABS = "labs"
    AE_REVIEW = "ae_review"
    BIOSPECIMEN = "biospecimen"
    QOL = "qol"
    PHYSICAL_EXAM = "physical_exam"
    FOLLOW_UP = "follow_up"


class Specimen(StrEnum):
    TISSUE = "tissue"
    STOOL = "stool"
    BLOOD = "blood"


class Assessment(StrictModel):
    """A scheduled, possibly repeated assessment.

    The first visit is at ``anchor`` (its event plus ``offset_days``), then one every
    ``every_days`` up to ``occurrences`` visits or ``until_day`` days after the anchor event (unbounded
    when neither is given: "until progression"); each visit may fall ``window_before_days`` early
    or ``window_after_days`` late. ``arms`` limits it to some arms (empty = every arm).
    """

    id: str = Identifier
    kind: AssessmentKind
    description: str = Field(min_length=1)
    anchor: Anchor
    every_days: int | None = Field(default=None, gt=0)
    occurrences: int | None = Field(default=None, gt=0)
    until_day: int | None = Field(
        default=None, gt=0,
        description="Last day a visit may fall on, counted from the anchor event (day 0)",
    )
    window_before_days: int = Field(default=0, ge=0)
    window_after_days: int = Field(default=0, ge=0)
    specimen: Specimen | None = None
    criteria: tuple[str, ...] = Field(default=(), description="e.g. RECIST 1.1, CTCAE v5.0")
    arms: tuple[str, ...] = Field(default=(), description="Arm ids it applies to (empty = all)")

    @model_validator(mode="after")
    def _fits(self) -> Assessment:
        found = []
        if self.kind is AssessmentKind.BIOSPECIMEN and self.specimen is None:
            found.append(problem("specimen", "a specimen for a biospecimen assessment "
                                 "(tissue, stool, blood)", None))
        if self.every_days is None and (self.occurrences or 1) > 1:
            found.append(problem("every_days", f"an interval for {self.occurrences} occurrences",
                                 None))
        raise_if(found)
        return self
