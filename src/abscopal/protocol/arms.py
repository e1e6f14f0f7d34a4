"""Arms and cohorts, and how a participant is assigned to one."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from abscopal.protocol._common import Identifier, StrictModel


class ArmType(StrEnum):
    EXPERIMENTAL = "experimental"
    ACTIVE_COMPARATOR = "active_comparator"
    PLACEBO_COMPARATOR = "placebo_comparator"
    NO_INTERVENTION = "no_intervention"
    OTHER = "other"


class Randomised(StrictModel):
    """Randomised assignment with an allocation weight (1:1 → both arms weight 1)."""

    kind: Literal["randomised"] = "randomised"
    ratio: int = Field(default=1, gt=0, description="This arm's weight in the allocation ratio")
    strata: tuple[str, ...] = Field(default=(), description="Patient fields used as strata")


class Condition(StrictModel):
    """``field op value`` over the patient-field vocabulary (see ``protocol.fields``)."""

    field: str = Field(min_length=1)
    op: Literal["==", "!=", "<", "<=", ">", ">="] = "=="
    value: bool | int | float | str


class CohortRule(StrictModel):
    """Assignment by patient facts: every condition must hold."""

    kind: Literal["cohort_rule"] = "cohort_rule"
    text: str = Field(min_length=1, description="The registry's wording of the rule, verbatim")
    when: tuple[Condition, ...] = Field(min_length=1)


class AllParticipants(StrictModel):
    """Single-group or sequential stage: every participant (of the arm's stages) is here."""

    kind: Literal["all"] = "all"


Assignment = Annotated[Randomised | CohortRule | AllParticipants, Field(discriminator="kind")]


class Arm(StrictModel):
    id: str = Identifier
    label: str = Field(min_length=1)
    type: ArmType
    description: str | None = None
    interventions: tuple[str, ...] = Field(description="Ids of the interventions in this arm")
    stages: tuple[str, ...] = Field(
        default=(), description="Ids of the design stages this arm belongs to (empty = all)"
    )
    assignment: Assignment = AllParticipants()
