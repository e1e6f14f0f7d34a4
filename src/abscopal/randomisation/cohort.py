"""Assignment by cohort rule (NCT05628038: cohort A vs B from the treatment history)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from abscopal.errors import InputError
from abscopal.protocol import CohortRule, Condition, Protocol
from abscopal.randomisation.ratio import arms_in_stage

COHORT_RULE_VERSION = "cohort_rule/1"

CohortStatus = Literal["assigned", "unknown", "no_match", "ambiguous"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class CohortAssignment:
    """Result of evaluating every cohort rule of a stage against a participant's facts.

    ``status`` is ``assigned`` (exactly one cohort matches; ``arm_id`` set), ``unknown`` (a
    needed fact is missing; ``missing_fields`` lists them), ``no_match`` (no cohort fits: the
    participant cannot be enrolled in this stage) or ``ambiguous`` (several fit: a protocol
    problem to resolve by the investigators).
    """

    status: CohortStatus
    arm_id: str | None
    matched: tuple[str, ...]
    missing_fields: tuple[str, ...]
    reasons: tuple[str, ...]
    rule_version: str = COHORT_RULE_VERSION


def _holds(cond: Condition, value: object) -> bool:
    expected: object = cond.value
    if isinstance(value, dt.date) and isinstance(expected, str):
        expected = dt.date.fromisoformat(expected)
    try:
        return bool(_OPS[cond.op](value, expected))
    except TypeError as exc:
        raise InputError(
            f"fact {cond.field!r} = {value!r} cannot be compared with {cond.op} {cond.value!r}"
        ) from exc


def assign_cohort(
    protocol: Protocol, facts: Mapping[str, object], *, stage_id: str | None = None
) -> CohortAssignment:
    """Assign a participant to the cohort whose rule their facts satisfy.

    Parameters
    ----------
    protocol : Protocol
    facts : mapping of patient field to value
        Keys from ``abscopal.protocol.fields``; a missing key or ``None`` is "not known".
    stage_id : str, optional
        Only the arms of this stage are considered.

    Rules
    -----
    1. A cohort's conditions must all hold (logical AND), as written in ``CohortRule.when``.
    2. A cohort with a condition whose fact is unknown neither matches nor fails; if no other
       cohort matches, the result is ``unknown`` and lists the facts to collect.
    3. Exactly one matching cohort is required for ``assigned``.

    Raises
    ------
    InputError
        The stage has no cohort-rule arms, or a fact has a type the rule cannot compare.
    """
    arms = [a for a in arms_in_stage(protocol, stage_id) if isinstance(a.assignment, CohortRule)]
    if not arms:
        raise InputError(
            f"{protocol.identity.registry_id}: no arm assigned by cohort rule"
            + (f" in stage {stage_id!r}" if stage_id else "")
        )
    matched: list[str] = []
    missing: set[str] = set()
    reasons: list[str] = []
    for arm in arms:
        assert isinstance(arm.assignment, CohortRule)
        arm_missing = [
            c.field for c in arm.assignment.when if facts.get(c.field) is None
        ]
        if arm_missing:
            missing.update(arm_missing)
            reasons.append(f"{arm.id}: unknown {', '.join(arm_missing)}")
            continue
        failed = [
            f"{c.field} {c.op} {c.value!r} (is {facts[c.field]!r})"
            for c in arm.assignment.when
            if not _holds(c, facts[c.field])
        ]
        if failed:
            reasons.append(f"{arm.id}: not met: {'; '.join(failed)}")
        else:
            matched.append(arm.id)
            reasons.append(f"{arm.id}: all conditions met ({arm.assignment.text})")
    if len(matched) == 1:
        return CohortAssignment("assigned", matched[0], tuple(matched), (), tuple(reasons))
    if len(matched) > 1:
        return CohortAssignment("ambiguous", None, tuple(matched), (), tuple(reasons))
    if missing:
        return CohortAssignment("unknown", None, (), tuple(sorted(missing)), tuple(reasons))
    return CohortAssignment("no_match", None, (), (), tuple(reasons))
