"""The allocation seam: an :class:`Allocator` protocol and a simple fixed-ratio default.

``abscopal.randomisation`` (stratified permuted blocks, Pocock–Simon minimisation, cohort rules,
stages) plugs in by implementing :class:`Allocator`; the store supplies the concealed sequence
(:class:`ConcealedSequence`), which lives in ``allocation_slots`` and is never exposed by any
endpoint.

Rules
-----
1. Randomised arms: fixed-ratio permuted blocks. A block holds each arm ``ratio`` times,
   repeated ``k`` times with ``k`` drawn from ``block_multipliers`` (random block size,
   ICH E9 §2.3.1: block length should not be predictable), shuffled with ``secrets.SystemRandom``.
   Blocks are generated lazily per stratum and stored; each enrolment takes the next unused slot.
2. Cohort-rule arms: the single arm whose conditions all hold for the subject's facts.
3. One non-randomised arm: everyone goes there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from abscopal.errors import InputError
from abscopal.protocol import AllParticipants, CohortRule, Condition, Randomised
from abscopal.protocol import Protocol as TrialProtocol


class ConcealedSequence(Protocol):
    """Access to the stored, concealed allocation list of one trial."""

    def next_slot(self, stratum_key: str, make_block: Callable[[], Sequence[str]]) -> tuple[int, str]:
        """Take the next unused (position, arm_id) of the stratum, first storing a new block
        from ``make_block`` if the stored list is used up."""
        ...


@dataclass(frozen=True)
class AllocationRequest:
    """Everything an allocator may look at."""

    protocol: TrialProtocol
    stratum: Mapping[str, str]
    facts: Mapping[str, Any]
    prior: tuple[tuple[str, str], ...]  # (stratum_key, arm_id) of earlier allocations, in order
    sequence: ConcealedSequence
    stage_id: str | None = None  # the trial's open stage (None: the protocol has no stages)


@dataclass(frozen=True)
class AllocationDecision:
    """The arm chosen, how, and where in the concealed list."""

    arm_id: str
    method: str
    stratum_key: str
    stage_id: str | None = None
    sequence_position: int | None = None


class Allocator(Protocol):
    """Chooses an arm for one subject."""

    @property
    def name(self) -> str: ...

    def allocate(self, request: AllocationRequest) -> AllocationDecision: ...


def stratum_key(stratum: Mapping[str, str]) -> str:
    """Canonical key of a stratum: ``"k1=v1;k2=v2"`` sorted by key, ``"*"`` when unstratified."""
    if not stratum:
        return "*"
    return ";".join(f"{k}={stratum[k]}" for k in sorted(stratum))


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _holds(cond: Condition, facts: Mapping[str, Any]) -> bool:
    if cond.field not in facts:
        raise InputError(f"'facts.{cond.field}' is needed for cohort assignment (got missing)")
    try:
        return _OPS[cond.op](facts[cond.field], cond.value)
    except TypeError as exc:
        raise InputError(
            f"'facts.{cond.field}' must be comparable with {cond.value!r} (got {facts[cond.field]!r})"
        ) from exc


@dataclass(frozen=True)
class FixedRatioAllocator:
    """Default allocator (see module Rules)."""

    block_multipliers: tuple[int, ...] = (1, 2)
    name: str = "fixed_ratio_permuted_blocks"

    def allocate(self, request: AllocationRequest) -> AllocationDecision:
        arms = request.protocol.arms
        key = stratum_key(request.stratum)
        randomised = [a for a in arms if isinstance(a.assignment, Randomised)]
        if randomised:
            rng = secrets.SystemRandom()

            def make_block() -> list[str]:
                k = rng.choice(self.block_multipliers)
                block = [a.id for a in randomised for _ in range(a.assignment.ratio * k)]  # type: ignore[union-attr]
                rng.shuffle(block)
                return block

            position, arm_id = request.sequence.next_slot(key, make_block)
            return AllocationDecision(arm_id, self.name, key, sequence_position=position)
        cohorts = [a for a in arms if isinstance(a.assignment, CohortRule)]
        if cohorts:
            matches = [a for a in cohorts if all(_holds(c, request.facts) for c in a.assignment.when)]  # type: ignore[union-attr]
            if len(matches) != 1:
                raise InputError(
                    f"'facts' must place the subject in exactly one cohort "
                    f"(got {len(matches)} matching: {[a.id for a in matches]})"
                )
            return AllocationDecision(matches[0].id, "cohort_rule", key)
        single = [a for a in arms if isinstance(a.assignment, AllParticipants)]
        if len(single) == 1:
            return AllocationDecision(single[0].id, "single_arm", key)
        raise InputError(
            "the protocol's arms need a stage-aware allocator (abscopal.randomisation); "
            f"the default handles randomised, cohort-rule or single arms (got {len(single)} "
            "'all participants' arms)"
        )


__all__ = [
    "AllocationDecision",
    "AllocationRequest",
    "Allocator",
    "ConcealedSequence",
    "FixedRatioAllocator",
    "stratum_key",
]
