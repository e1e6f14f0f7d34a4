"""The eligibility rule language: a small, declarative, versioned tree of typed nodes.

A rule is data (a mapping in the protocol YAML), validated by pydantic into the node models
below — never ``eval``-ed. Each node has a ``kind``:

==========================  ==============================================================
``fact``                    compare a patient fact (``abscopal.protocol.fields``)
``measurement``             compare the latest dated measurement (lab, vital sign, score)
                            within a look-back window, in units or as a multiple of ULN/LLN
``age``                     age in completed years at the screening date
``creatinine_clearance``    Cockcroft–Gault creatinine clearance (Cockcroft & Gault 1976)
``bsa``                     body-surface area, Mosteller (1987)
``event``                   count coded events (conditions, drugs, procedures) in a window
``all`` / ``any`` / ``not`` Kleene three-valued logic
``if``                      conditional threshold: ``condition``, ``then``, ``else``
==========================  ==============================================================

Rules describe the criterion's own statement: an inclusion rule is *met* when the patient
qualifies, an exclusion rule is *met* when the patient is excluded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from abscopal.eligibility._windows import Window, parse_window
from abscopal.eligibility.concepts import CONCEPT_SETS
from abscopal.eligibility.measurements import (
    MEASUREMENTS,
    compute_factor_to_canonical,
    compute_unit_factor,
)
from abscopal.errors import UnitError

RULE_LANGUAGE_VERSION = "1"

Op = Literal["<", "<=", ">", ">=", "==", "!="]

DEFAULT_LAB_WINDOW = "28 days"
"""Look-back of a measurement rule that names none (policy; protocols usually say 7-28 days)."""
DEFAULT_BODY_WINDOW = "90 days"
"""Look-back for weight and height used by derived measures (policy)."""


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_window(value: str | None) -> str | None:
    if value is not None:
        parse_window(value)
    return value


def _fmt(x: float) -> str:
    return f"{x:g}"


class _Threshold(_Node):
    """Either ``op`` + ``value`` or an inclusive range ``min`` .. ``max``."""

    op: Op | None = None
    value: float | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Any:
        compare = self.op is not None or self.value is not None
        ranged = self.min is not None or self.max is not None
        if compare == ranged:
            raise ValueError("give either 'op' and 'value', or 'min' and/or 'max' (a range)")
        if compare and (self.op is None or self.value is None):
            raise ValueError("a comparison needs both 'op' and 'value'")
        if ranged and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) must not exceed 'max' ({self.max})")
        return self

    def comparisons(self, factor: float = 1.0) -> tuple[tuple[Op, float], ...]:
        """The threshold as (op, value x factor) pairs, all of which must hold."""
        if self.op is not None and self.value is not None:
            return ((self.op, self.value * factor),)
        out: list[tuple[Op, float]] = []
        if self.min is not None:
            out.append((">=", self.min * factor))
        if self.max is not None:
            out.append(("<=", self.max * factor))
        return tuple(out)

    def _threshold_text(self, unit: str = "") -> str:
        suffix = f" {unit}" if unit else ""
        if self.op is not None and self.value is not None:
            return f"{self.op} {_fmt(self.value)}{suffix}"
        if self.min is not None and self.max is not None:
            return f"in [{_fmt(self.min)}, {_fmt(self.max)}]{suffix}"
        if self.min is not None:
            return f">= {_fmt(self.min)}{suffix}"
        return f"<= {_fmt(self.max or 0.0)}{suffix}"


class FactRule(_Node):
    """``field op value`` over a patient fact; numeric facts may give a ``unit``."""

    kind: Literal["fact"] = "fact"
    field: str = Field(min_length=1)
    op: Op = "=="
    value: bool | float | str
    unit: str | None = None

    @model_validator(mode="after")
    def _fits_field(self) -> FactRule:
        from abscopal.protocol.fields import PATIENT_FIELDS  # lazy: protocol imports us

        spec = PATIENT_FIELDS.get(self.field)
        if spec is None:
            raise ValueError(
                f"unknown patient field {self.field!r} (known: {', '.join(sorted(PATIENT_FIELDS))})"
            )
        if spec.type == "bool":
            if not isinstance(self.value, bool) or self.op not in ("==", "!="):
                raise ValueError(f"field {self.field!r} is yes/no: use op '==' or '!=' with true/false")
        elif spec.type == "number":
            if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
                raise ValueError(f"field {self.field!r} is a number (got {self.value!r})")
            if self.unit is not None:
                if spec.unit is None:
                    raise UnitError(f"field {self.field!r} has no unit (got unit {self.unit!r})")
                compute_unit_factor(self.unit, spec.unit, None)
        elif spec.type in ("category", "text"):
            if not isinstance(self.value, str) or self.op not in ("==", "!="):
                raise ValueError(f"field {self.field!r} is text: use op '==' or '!=' with a string")
        else:
            raise ValueError(
                f"field {self.field!r} is a {spec.type}: compare it through 'age' or a window"
            )
        return self

    def threshold(self) -> float:
        """The numeric threshold in the field's own unit."""
        from abscopal.protocol.fields import PATIENT_FIELDS

        assert isinstance(self.value, (int, float)) and not isinstance(self.value, bool)
        spec = PATIENT_FIELDS[self.field]
        if self.unit is None or spec.unit is None:
            return float(self.value)
        return float(self.value) * compute_unit_factor(self.unit, spec.unit, None)

    def describe(self) -> str:
        value = str(self.value).lower() if isinstance(self.value, bool) else (
            _fmt(self.value) if isinstance(self.value, float) else repr(self.value))
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.field} {self.op} {value}{unit}"


class MeasurementRule(_Threshold):
    """The latest measurement ``name`` within ``within`` compared to a threshold.

    With ``relative_to: uln`` (or ``lln``) the threshold is a multiple of the upper (lower)
    limit of normal reported with that same measurement, and ``unit`` must be omitted.
    """

    kind: Literal["measurement"] = "measurement"
    name: str
    unit: str | None = None
    relative_to: Literal["uln", "lln"] | None = None
    within: str = DEFAULT_LAB_WINDOW

    _check_within = field_validator("within")(_check_window)

    @model_validator(mode="after")
    def _fits_catalogue(self) -> MeasurementRule:
        spec = MEASUREMENTS.get(self.name)
        if spec is None:
            raise ValueError(
                f"unknown measurement {self.name!r} (known: {', '.join(sorted(MEASUREMENTS))})"
            )
        if self.relative_to is not None:
            if self.unit is not None:
                raise UnitError(
                    f"a multiple of {self.relative_to.upper()} has no unit (got {self.unit!r})"
                )
            if not spec.has_reference_range:
                raise ValueError(f"{self.name!r} has no reference range: ULN/LLN rules need one")
        elif self.unit is None:
            if spec.unit != "1":
                raise UnitError(
                    f"measurement {self.name!r} needs a 'unit' (canonical: {spec.unit!r})"
                )
        else:
            compute_factor_to_canonical(self.name, self.unit)
        return self

    @property
    def window(self) -> Window:
        return parse_window(self.within)

    def canonical_comparisons(self) -> tuple[tuple[Op, float], ...]:
        """Thresholds in the catalogue's canonical unit (or as ULN/LLN multiples)."""
        if self.relative_to is not None or self.unit is None:
            return self.comparisons()
        return self.comparisons(compute_factor_to_canonical(self.name, self.unit))

    def describe(self) -> str:
        scale = f" x {self.relative_to.upper()}" if self.relative_to else ""
        return f"{self.name} {self._threshold_text(self.unit or '')}{scale} (within {self.within})"


class AgeRule(_Threshold):
    """Age in completed years on the screening date (or on date fact ``at``)."""

    kind: Literal["age"] = "age"
    at: str | None = Field(default=None, description="A date fact; default the screening date")

    @field_validator("at")
    @classmethod
    def _date_field(cls, value: str | None) -> str | None:
        from abscopal.protocol.fields import PATIENT_FIELDS

        if value is not None and (value not in PATIENT_FIELDS or PATIENT_FIELDS[value].type != "date"):
            dates = sorted(k for k, f in PATIENT_FIELDS.items() if f.type == "date")
            raise ValueError(f"'at' must name a date field {dates} (got {value!r})")
        return value

    def describe(self) -> str:
        return f"age {self._threshold_text('years')} at {self.at or 'screening date'}"


class CreatinineClearanceRule(_Threshold):
    """Creatinine clearance by Cockcroft–Gault (1976) compared to a threshold (mL/min)."""

    kind: Literal["creatinine_clearance"] = "creatinine_clearance"
    method: Literal["cockcroft_gault"] = "cockcroft_gault"
    unit: str = "mL/min"
    within: str = DEFAULT_LAB_WINDOW
    weight_within: str = DEFAULT_BODY_WINDOW

    _check_within = field_validator("within", "weight_within")(_check_window)

    @field_validator("unit")
    @classmethod
    def _flow_unit(cls, value: str) -> str:
        compute_unit_factor(value, "mL/min", None)
        return value

    def canonical_comparisons(self) -> tuple[tuple[Op, float], ...]:
        return self.comparisons(compute_unit_factor(self.unit, "mL/min", None))

    def describe(self) -> str:
        return (f"creatinine clearance (Cockcroft-Gault) {self._threshold_text(self.unit)} "
                f"(creatinine within {self.within}, weight within {self.weight_within})")


class BsaRule(_Threshold):
    """Body-surface area by Mosteller (1987) compared to a threshold (m²)."""

    kind: Literal["bsa"] = "bsa"
    method: Literal["mosteller"] = "mosteller"
    unit: str = "m^2"
    within: str = DEFAULT_BODY_WINDOW

    _check_within = field_validator("within")(_check_window)

    @field_validator("unit")
    @classmethod
    def _area_unit(cls, value: str) -> str:
        compute_unit_factor(value, "m^2", None)
        return value

    def canonical_comparisons(self) -> tuple[tuple[Op, float], ...]:
        return self.comparisons(compute_unit_factor(self.unit, "m^2", None))

    def describe(self) -> str:
        return f"BSA (Mosteller) {self._threshold_text(self.unit)} (within {self.within})"


class EventRule(_Node):
    """Count events of ``concept_set`` overlapping the window; compare the count.

    Default ``op``/``count`` (">= 1") reads "has had such an event". ``within`` omitted means
    "ever" (any time up to the screening date).
    """

    kind: Literal["event"] = "event"
    concept_set: str
    within: str | None = None
    op: Op = ">="
    count: int = Field(default=1, ge=0)

    _check_within = field_validator("within")(_check_window)

    @field_validator("concept_set")
    @classmethod
    def _known_set(cls, value: str) -> str:
        if value not in CONCEPT_SETS:
            raise ValueError(
                f"unknown concept set {value!r} (known: {', '.join(sorted(CONCEPT_SETS))})"
            )
        return value

    @property
    def window(self) -> Window | None:
        return parse_window(self.within) if self.within is not None else None

    def describe(self) -> str:
        when = f"within {self.within}" if self.within else "ever"
        if (self.op, self.count) == (">=", 1):
            return f"any {self.concept_set} {when}"
        return f"count of {self.concept_set} {when} {self.op} {self.count}"


class AllRule(_Node):
    kind: Literal["all"] = "all"
    of: tuple[Rule, ...] = Field(min_length=1)

    def describe(self) -> str:
        return "(" + " AND ".join(r.describe() for r in self.of) + ")"


class AnyRule(_Node):
    kind: Literal["any"] = "any"
    of: tuple[Rule, ...] = Field(min_length=1)

    def describe(self) -> str:
        return "(" + " OR ".join(r.describe() for r in self.of) + ")"


class NotRule(_Node):
    kind: Literal["not"] = "not"
    rule: Rule

    def describe(self) -> str:
        return f"NOT {self.rule.describe()}"


class IfRule(_Node):
    """Conditional threshold: ``then`` applies when ``condition`` is met, ``else`` otherwise.

    When the condition is unknown, the result is known only if both branches agree.
    """

    kind: Literal["if"] = "if"
    condition: Rule
    then: Rule
    else_: Rule = Field(alias="else")

    def describe(self) -> str:
        return (f"IF {self.condition.describe()} THEN {self.then.describe()} "
                f"ELSE {self.else_.describe()}")


Rule = Annotated[
    FactRule
    | MeasurementRule
    | AgeRule
    | CreatinineClearanceRule
    | BsaRule
    | EventRule
    | AllRule
    | AnyRule
    | NotRule
    | IfRule,
    Field(discriminator="kind"),
]

RULE_KINDS = (
    "fact", "measurement", "age", "creatinine_clearance", "bsa", "event", "all", "any", "not",
    "if",
)

for _model in (AllRule, AnyRule, NotRule, IfRule):
    _model.model_rebuild()


def iter_rules(rule: Rule) -> list[Rule]:
    """Every node of ``rule``, depth first (the root first)."""
    out: list[Rule] = [rule]
    if isinstance(rule, (AllRule, AnyRule)):
        for child in rule.of:
            out += iter_rules(child)
    elif isinstance(rule, NotRule):
        out += iter_rules(rule.rule)
    elif isinstance(rule, IfRule):
        for child in (rule.condition, rule.then, rule.else_):
            out += iter_rules(child)
    return out
