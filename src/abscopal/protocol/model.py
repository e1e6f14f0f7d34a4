"""The protocol: the root model every other part of abscopal reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from abscopal.errors import Finding
from abscopal.protocol._common import Assumption, StrictModel, problem, raise_if
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

_PATH_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|(\.)")


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(ids).items() if n > 1)


def _known(ids: Iterable[str]) -> str:
    listed = sorted(ids)
    return ", ".join(listed) if listed else "none defined"


class Protocol(StrictModel):
    """A trial protocol as code.

    Cross-references are checked when the model is built, each problem reported at its path:
    arms name existing interventions and stages, cohort rules name known patient fields with
    values of the right type, assessments name existing arms, statistical designs name existing
    endpoints, every id is unique within its section, and every ``assumptions[].path`` names a
    field of the protocol. Fields left empty because the record is silent
    (``identity.phase``, ``identity.target_enrolment``, an empty ``eligibility``) must be
    covered by an assumption with that path.
    """

    schema_version: Literal["1"] = SCHEMA_VERSION
    protocol_version: str = Field(
        default="1.0", min_length=1, description="Amendments bump this; data keep their version"
    )
    identity: Identity
    design: Design
    interventions: tuple[Intervention, ...] = Field(min_length=1)
    arms: tuple[Arm, ...] = Field(min_length=1)
    eligibility: tuple[Criterion, ...] = Field(
        description="Every registry criterion; empty only with an assumption saying why"
    )
    assessments: tuple[Assessment, ...] = ()
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    statistical_design: tuple[StatisticalDesign, ...] = ()
    assumptions: tuple[Assumption, ...] = ()

    @model_validator(mode="after")
    def _ids_unique(self) -> Protocol:
        sections: dict[str, list[str]] = {
            "interventions": [i.id for i in self.interventions],
            "arms": [a.id for a in self.arms],
            "eligibility": [c.id for c in self.eligibility],
            "assessments": [a.id for a in self.assessments],
            "endpoints": [e.id for e in self.endpoints],
            "design.stages": [s.id for s in self.design.stages],
        }
        found = []
        for name, ids in sections.items():
            for dup in _duplicates(ids):
                second = [i for i, x in enumerate(ids) if x == dup][1]
                found.append(problem(f"{name}[{second}].id", f"an id unique in {name}", dup))
        raise_if(found)
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Protocol:
        intervention_ids = {i.id for i in self.interventions}
        stage_ids = {s.id for s in self.design.stages}
        endpoint_ids = {e.id for e in self.endpoints}
        arm_ids = {a.id for a in self.arms}
        found: list[Finding] = []
        for a_index, arm in enumerate(self.arms):
            for i_index, ref in enumerate(arm.interventions):
                if ref not in intervention_ids:
                    found.append(problem(
                        f"arms[{a_index}].interventions[{i_index}]",
                        f"an intervention id (one of: {_known(intervention_ids)})", ref))
            for s_index, ref in enumerate(arm.stages):
                if ref not in stage_ids:
                    found.append(problem(
                        f"arms[{a_index}].stages[{s_index}]",
                        f"a design stage id (one of: {_known(stage_ids)})", ref))
            found += _check_assignment(a_index, arm, self.design.allocation)
        for x_index, assessment in enumerate(self.assessments):
            for r_index, ref in enumerate(assessment.arms):
                if ref not in arm_ids:
                    found.append(problem(
                        f"assessments[{x_index}].arms[{r_index}]",
                        f"an arm id (one of: {_known(arm_ids)})", ref))
        for d_index, design in enumerate(self.statistical_design):
            ref_any = getattr(design, "endpoint", None)
            if ref_any is not None and ref_any not in endpoint_ids:
                found.append(problem(
                    f"statistical_design[{d_index}].endpoint",
                    f"an endpoint id (one of: {_known(endpoint_ids)})", ref_any))
        found += self._check_randomisation()
        raise_if(found)
        return self

    def _check_randomisation(self) -> list[Finding]:
        randomised = [(i, a) for i, a in enumerate(self.arms) if isinstance(a.assignment, Randomised)]
        if self.design.allocation is not Allocation.RANDOMIZED:
            return []
        if not randomised:
            return [problem("arms", "at least one arm with assignment 'randomised' when "
                            "design.allocation is 'randomized'", [a.id for a in self.arms])]
        # Randomised arms compete only with the arms of the same stage(s).
        stage_keys = {tuple(a.stages) for _, a in randomised}
        found = []
        for key in sorted(stage_keys):
            group = [(i, a) for i, a in randomised if tuple(a.stages) == key]
            if len(group) < 2:
                index, arm = group[0]
                found.append(problem(
                    f"arms[{index}].assignment",
                    "another randomised arm in the same stage(s) to randomise against",
                    arm.id))
        return found

    @model_validator(mode="after")
    def _silences_are_explained(self) -> Protocol:
        found = []
        assumed = {a.path for a in self.assumptions}
        for index, assumption in enumerate(self.assumptions):
            if not resolves(self, assumption.path):
                found.append(problem(f"assumptions[{index}].path",
                                     "the path of a field in this protocol", assumption.path))
        for path, value in (
            ("identity.phase", self.identity.phase),
            ("identity.target_enrolment", self.identity.target_enrolment),
            ("eligibility", self.eligibility or None),
        ):
            if value is None and path not in assumed:
                found.append(problem(
                    path, f"a value, or an assumptions entry with path {path!r} saying the "
                    "record is silent", "missing" if path != "eligibility" else []))
        raise_if(found)
        return self

    def arm(self, arm_id: str) -> Arm:
        """Return the arm with this id; raise ``KeyError`` naming the known ids."""
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(f"no arm {arm_id!r} (known: {', '.join(a.id for a in self.arms)})")

    def intervention(self, intervention_id: str) -> Intervention:
        """Return the intervention with this id; raise ``KeyError`` naming the known ids."""
        for item in self.interventions:
            if item.id == intervention_id:
                return item
        known = ", ".join(i.id for i in self.interventions)
        raise KeyError(f"no intervention {intervention_id!r} (known: {known})")


def resolves(root: BaseModel, path: str) -> bool:
    """Whether ``path`` (``a.b[0].c``) names a field reachable from ``root``.

    The last step may name a field whose value is empty; intermediate steps must exist.
    """
    tokens = [m.group(1) or m.group(2) for m in _PATH_TOKEN.finditer(path) if not m.group(3)]
    if not tokens or "".join(m.group(0) for m in _PATH_TOKEN.finditer(path)) != path:
        return False
    current: Any = root
    for token in tokens:
        if current is None:
            return False
        if token.isdigit():
            if not isinstance(current, tuple) or int(token) >= len(current):
                return False
            current = current[int(token)]
        elif isinstance(current, BaseModel):
            if token not in type(current).model_fields:
                return False
            current = getattr(current, token)
        elif isinstance(current, dict):
            if token not in current:
                return False
            current = current[token]
        else:
            return False
    return True


def _check_assignment(a_index: int, arm: Arm, allocation: Allocation) -> list[Finding]:
    found: list[Finding] = []
    assignment = arm.assignment
    if isinstance(assignment, Randomised) and allocation is not Allocation.RANDOMIZED:
        found.append(problem(
            f"arms[{a_index}].assignment.kind",
            f"not 'randomised' while design.allocation is {allocation.value!r}", "randomised"))
    if isinstance(assignment, Randomised):
        for s_index, stratum in enumerate(assignment.strata):
            if stratum not in PATIENT_FIELDS:
                found.append(problem(
                    f"arms[{a_index}].assignment.strata[{s_index}]",
                    "a known patient field (see abscopal.protocol.fields)", stratum))
    if isinstance(assignment, CohortRule):
        for c_index, cond in enumerate(assignment.when):
            where = f"arms[{a_index}].assignment.when[{c_index}]"
            field = PATIENT_FIELDS.get(cond.field)
            if field is None:
                found.append(problem(
                    f"{where}.field", "a known patient field (see abscopal.protocol.fields)",
                    cond.field))
                continue
            if not _value_fits(field.type, cond.op, cond.value):
                found.append(problem(
                    f"{where}.value", f"a {field.type} value for field {cond.field!r} "
                    f"with operator {cond.op!r}", cond.value))
    return found


def _value_fits(field_type: str, op: str, value: object) -> bool:
    if field_type == "bool":
        return isinstance(value, bool) and op in ("==", "!=")
    if field_type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field_type == "date":
        return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
    return isinstance(value, str) and (field_type != "category" or op in ("==", "!="))
