"""Scheduled assessments: imaging, labs, AE review, biospecimens, QoL — with windows in days."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.protocol._common import Identifier, StrictModel
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
    """A repeated assessment: first at ``anchor`` (+ ``first_offset_days``), then every
    ``every_days`` up to ``occurrences`` times or ``until_day``; each visit may fall
    ``window_before_days`` early or ``window_after_days`` late."""

    id: str = Identifier
    kind: AssessmentKind
    description: str = Field(min_length=1)
    anchor: Anchor
    every_days: int | None = Field(default=None, gt=0)
    occurrences: int | None = Field(default=None, gt=0)
    until_day: int | None = Field(default=None, gt=0)
    window_before_days: int = Field(default=0, ge=0)
    window_after_days: int = Field(default=0, ge=0)
    specimen: Specimen | None = None
    criteria: tuple[str, ...] = Field(default=(), description="e.g. RECIST 1.1, CTCAE v5.0")

    @model_validator(mode="after")
    def _fits(self) -> Assessment:
        if self.kind is AssessmentKind.BIOSPECIMEN and self.specimen is None:
            raise ValueError("a biospecimen assessment needs a specimen (tissue, stool, blood)")
        if self.every_days is None and (self.occurrences or 1) > 1:
            raise ValueError("several occurrences need every_days")
        return self
