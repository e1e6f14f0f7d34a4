"""Trial design: allocation, masking (and who is blinded), stages with decision rules."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from abscopal.protocol._common import Identifier, StrictModel, problem, raise_if


class Allocation(StrEnum):
    RANDOMIZED = "randomized"
    NON_RANDOMIZED = "non_randomized"
    NA = "na"


class InterventionModel(StrEnum):
    SINGLE_GROUP = "single_group"
    PARALLEL = "parallel"
    SEQUENTIAL = "sequential"
    CROSSOVER = "crossover"
    FACTORIAL = "factorial"


class MaskingLevel(StrEnum):
    NONE = "none"
    SINGLE = "single"
    DOUBLE = "double"
    TRIPLE = "triple"
    QUADRUPLE = "quadruple"


class BlindedParty(StrEnum):
    """Parties that can be kept blind; ``imaging_reviewer`` maps to the blinded reviewer role."""

    PARTICIPANT = "participant"
    CARE_PROVIDER = "care_provider"
    INVESTIGATOR = "investigator"
    OUTCOMES_ASSESSOR = "outcomes_assessor"
    IMAGING_REVIEWER = "imaging_reviewer"
    STATISTICIAN = "statistician"


ASSESSOR_PARTIES = frozenset({BlindedParty.OUTCOMES_ASSESSOR, BlindedParty.IMAGING_REVIEWER})
"""Parties that an open-label trial may still keep blind (blinded independent review)."""


class Masking(StrictModel):
    """The registry's masking level and who is kept blind.

    An open-label trial (level ``none``) may still blind its assessors, as NCT07277777 blinds
    its imaging reviewers; it then must list only assessor parties and say so in
    ``description``. Any other level must list who is blinded.
    """

    level: MaskingLevel = MaskingLevel.NONE
    blinded: tuple[BlindedParty, ...] = Field(
        default=(), description="Who is kept blind to the allocation"
    )
    description: str | None = Field(default=None, description="Registry wording, verbatim")

    @model_validator(mode="after")
    def _level_matches_parties(self) -> Masking:
        found = []
        if self.level is MaskingLevel.NONE:
            others = [b.value for b in self.blinded if b not in ASSESSOR_PARTIES]
            if others:
                found.append(problem(
                    "blinded", "only assessor parties (imaging_reviewer, outcomes_assessor) "
                    "under masking level 'none'", others))
            elif self.blinded and not self.description:
                found.append(problem(
                    "description", "the registry wording for blinded assessment in an "
                    "open-label trial", None))
        elif not self.blinded:
            found.append(problem(
                "blinded", f"at least one blinded party for masking level {self.level.value!r}",
                list(self.blinded)))
        raise_if(found)
        return self


class SimonTwoStageRule(StrictModel):
    """Simon (1989) two-stage rule: stop after stage 1 if responses <= r1 of n1;
    reject H0 at the end if responses > r of n."""

    kind: Literal["simon_two_stage"] = "simon_two_stage"
    n1: int = Field(gt=0)
    r1: int = Field(ge=0)
    n: int = Field(gt=0)
    r: int = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> SimonTwoStageRule:
        found = []
        if not self.r1 < self.n1 <= self.n:
            found.append(problem("n1", f"r1 < n1 <= n (r1={self.r1}, n={self.n})", self.n1))
        if not self.r1 <= self.r < self.n:
            found.append(problem("r", f"r1 <= r < n (r1={self.r1}, n={self.n})", self.r))
        raise_if(found)
        return self


class SafetyRunInRule(StrictModel):
    """A single-arm safety run-in: continue if at most ``max_dlt`` of ``n`` patients have a
    dose-limiting toxicity within ``dlt_window_days``. Numbers the registry does not give stay
    empty; the gate then needs an explicit, recorded decision."""

    kind: Literal["safety_run_in"] = "safety_run_in"
    n: int | None = Field(default=None, gt=0)
    max_dlt: int | None = Field(default=None, ge=0)
    dlt_window_days: int | None = Field(default=None, gt=0)


class InvestigatorReviewRule(StrictModel):
    """The next stage is decided by the investigators on the stage's results (no formal rule)."""

    kind: Literal["investigator_review"] = "investigator_review"
    description: str = Field(min_length=1)


DecisionRule = Annotated[
    SimonTwoStageRule | SafetyRunInRule | InvestigatorReviewRule, Field(discriminator="kind")
]


class Stage(StrictModel):
    """A stage or part of the trial, in order; ``decision_rule`` gates entry to the next one."""

    id: str = Identifier
    label: str = Field(min_length=1)
    size: int | None = Field(default=None, gt=0, description="Planned participants in the stage")
    description: str | None = None
    decision_rule: DecisionRule | None = None


class Design(StrictModel):
    primary_purpose: Literal[
        "treatment", "prevention", "supportive_care", "diagnostic", "other"
    ] = "treatment"
    allocation: Allocation
    intervention_model: InterventionModel
    masking: Masking = Masking()
    stages: tuple[Stage, ...] = ()
