"""The statistical design as the registry states it, so it can be recomputed and checked."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from abscopal.protocol._common import StrictModel


class SimonTwoStageDesign(StrictModel):
    method: Literal["simon_two_stage"] = "simon_two_stage"
    endpoint: str = Field(description="Endpoint id")
    p0: float | None = Field(default=None, gt=0, lt=1)
    p1: float | None = Field(default=None, gt=0, lt=1)
    alpha: float | None = Field(default=None, gt=0, lt=1)
    power: float | None = Field(default=None, gt=0, lt=1)
    n1: int | None = Field(default=None, gt=0)
    r1: int | None = Field(default=None, ge=0)
    n: int | None = Field(default=None, gt=0)
    r: int | None = Field(default=None, ge=0)
    registry_text: str = Field(min_length=1)


class FisherExactDesign(StrictModel):
    method: Literal["fisher_exact"] = "fisher_exact"
    endpoint: str
    p_control: float = Field(gt=0, lt=1)
    p_treatment: float = Field(gt=0, lt=1)
    alpha: float = Field(gt=0, lt=1)
    sides: Literal[1, 2]
    power: float = Field(gt=0, lt=1)
    n_per_arm: int = Field(gt=0)
    registry_text: str = Field(min_length=1)


class SurvivalDesign(StrictModel):
    method: Literal["logrank"] = "logrank"
    endpoint: str
    hazard_ratio: float | None = Field(default=None, gt=0)
    median_control_months: float | None = Field(default=None, gt=0)
    median_treatment_months: float | None = Field(default=None, gt=0)
    alpha: float | None = Field(default=None, gt=0, lt=1)
    sides: Literal[1, 2] | None = None
    power: float | None = Field(default=None, gt=0, lt=1)
    accrual_months: float | None = Field(default=None, gt=0)
    follow_up_months: float | None = Field(default=None, gt=0)
    dropout_rate: float | None = Field(default=None, ge=0, lt=1)
    n_total: int | None = Field(default=None, gt=0)
    registry_text: str = Field(min_length=1)


class UnstatedDesign(StrictModel):
    """The registry gives a sample size but no calculation."""

    method: Literal["unstated"] = "unstated"
    n_total: int = Field(gt=0)
    registry_text: str = Field(min_length=1)


StatisticalDesign = Annotated[
    SimonTwoStageDesign | FisherExactDesign | SurvivalDesign | UnstatedDesign,
    Field(discriminator="method"),
]
