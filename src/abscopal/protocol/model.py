"""The protocol: the root model every other part of abscopal reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from abscopal.protocol._common import Assumption, StrictModel
from abscopal.protocol.arms import Arm, CohortRule, Randomised
from abscopal.protocol.assessments import Assessment
from abscopal.protocol.criteria import Criterion
from abscopal.protocol.design import Allocation, Design
from abscopal.protocol.endpoints import Endpoint
from abscopal.protocol.fields import PATIENT_FIELDS
from abscopal.protocol.identity import Identity
from abscopal.protocol.interventions import Intervention
from abscopal.protocol.statistics import StatisticalDesign

SCHEMA_VERSION: Literal["1"] = "1"


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(ids).items() if n > 1)


class Protocol(StrictModel):
    """A trial protocol as code.

    Cross-references are checked when the model is built: arms name existing interventions and
    stages, cohort rules name known patient fields, statistical designs name existing endpoints,
    and every id is unique within its section.
    """

    schema_version: Literal["1"] = SCHEMA_VERSION
    protocol_version: str = Field(
        default="1.0", min_length=1, description="Amendments bump this; data keep their version"
    )
    identity: Identity
    design: Design
    interventions: tuple[Intervention, ...] = Field(min_length=1)
    arms: tuple[Arm, ...] = Field(min_length=1)
    eligibility: tuple[Criterion, ...] = Field(min_length=1)
    assessments: tuple[Assessment, ...] = ()
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    statistical_design: tuple[StatisticalDesign, ...] = ()
    assumptions: tuple[Assumption, ...] = ()

    @model_validator(mode="after")
    def _ids_unique(self) -> Protocol:
        sections: dict[str, Iterable[str]] = {
            "interventions": (i.id for i in self.interventions),
            "arms": (a.id for a in self.arms),
            "eligibility": (c.id for c in self.eligibility),
            "assessments": (a.id for a in self.assessments),
            "endpoints": (e.id for e in self.endpoints),
            "design.stages": (s.id for s in self.design.stages),
        }
        problems = [
            f"duplicate id(s) in {name}: {', '.join(dups)}"
            for name, ids in sections.items()
            if (dups := _duplicates(ids))
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Protocol:
        intervention_ids = {i.id for i in self.interventions}
        stage_ids = {s.id for s in self.design.stages}
        endpoint_ids = {e.id for e in self.endpoints}
        problems: list[str] = []
        for a_index, arm in enumerate(self.arms):
            for i_index, ref in enumerate(arm.interventions):
                if ref not in intervention_ids:
                    problems.append(
                        f"arms[{a_index}].interventions[{i_index}] names unknown intervention "
                        f"{ref!r} (known: {', '.join(sorted(intervention_ids))})"
                    )
            for s_index, ref in enumerate(arm.stages):
                if ref not in stage_ids:
                    problems.append(
                        f"arms[{a_index}].stages[{s_index}] names unknown stage {ref!r} "
                        f"(known: {', '.join(sorted(stage_ids)) or 'none'})"
                    )
            problems += _check_assignment(a_index, arm, self.design.allocation)
        for d_index, design in enumerate(self.statistical_design):
            ref_any = getattr(design, "endpoint", None)
            if ref_any is not None and ref_any not in endpoint_ids:
                problems.append(
                    f"statistical_design[{d_index}].endpoint names unknown endpoint {ref_any!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def arm(self, arm_id: str) -> Arm:
        """Return the arm with this id; raise ``KeyError`` naming the known ids."""
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(f"no arm {arm_id!r} (known: {', '.join(a.id for a in self.arms)})")


def _check_assignment(a_index: int, arm: Arm, allocation: Allocation) -> list[str]:
    problems: list[str] = []
    assignment = arm.assignment
    if isinstance(assignment, Randomised) and allocation is not Allocation.RANDOMIZED:
        problems.append(
            f"arms[{a_index}].assignment is 'randomised' but design.allocation is "
            f"{allocation.value!r}"
        )
    if isinstance(assignment, CohortRule):
        for c_index, cond in enumerate(assignment.when):
            if cond.field not in PATIENT_FIELDS:
                problems.append(
                    f"arms[{a_index}].assignment.when[{c_index}].field names unknown patient "
                    f"field {cond.field!r} (see abscopal.protocol.fields)"
                )
    return problems
