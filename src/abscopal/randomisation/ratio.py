"""Allocation ratios and stage membership read from the protocol's arms."""

from __future__ import annotations

from collections.abc import Mapping

from abscopal.errors import InputError
from abscopal.protocol import Arm, Protocol, Randomised


def check_ratio(ratio: Mapping[str, int]) -> dict[str, int]:
    """Validate an allocation ratio ``{arm_id: weight}`` and return it as a plain dict.

    Raises
    ------
    InputError
        Fewer than two arms, or a weight that is not a positive integer.
    """
    if len(ratio) < 2:
        raise InputError(f"'ratio' must name at least two arms (got {dict(ratio)!r})")
    for arm_id, weight in ratio.items():
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            raise InputError(
                f"'ratio' weights must be positive integers (got {weight!r} for {arm_id!r})"
            )
    return dict(ratio)


def arms_in_stage(protocol: Protocol, stage_id: str | None = None) -> tuple[Arm, ...]:
    """Arms open in ``stage_id`` (arms without stages belong to every stage).

    ``stage_id=None`` means the trial has no stages, or all arms are wanted.
    """
    stage_ids = [s.id for s in protocol.design.stages]
    if stage_id is not None and stage_id not in stage_ids:
        raise InputError(f"'stage_id' must be one of {stage_ids} (got {stage_id!r})")
    if stage_id is None:
        return protocol.arms
    return tuple(a for a in protocol.arms if not a.stages or stage_id in a.stages)


def derive_allocation_ratio(protocol: Protocol, *, stage_id: str | None = None) -> dict[str, int]:
    """``{arm_id: weight}`` of the randomised arms of ``stage_id``, from ``Randomised.ratio``.

    Examples
    --------
    NCT06439888 part II randomises 1:1 between ``sbrt_atra`` and ``sbrt_alone``.

    Raises
    ------
    InputError
        When the stage has fewer than two randomised arms (nothing to randomise).
    """
    ratio = {
        a.id: a.assignment.ratio
        for a in arms_in_stage(protocol, stage_id)
        if isinstance(a.assignment, Randomised)
    }
    if len(ratio) < 2:
        where = f"stage {stage_id!r}" if stage_id else "the trial"
        raise InputError(
            f"{protocol.identity.registry_id}: {where} has {len(ratio)} randomised arm(s); "
            "randomisation needs at least two (check the stage, or use cohort/stage assignment)"
        )
    return ratio


def derive_strata(protocol: Protocol, *, stage_id: str | None = None) -> tuple[str, ...]:
    """Patient fields used as strata by the randomised arms of the stage (sorted, unique)."""
    fields: set[str] = set()
    for arm in arms_in_stage(protocol, stage_id):
        if isinstance(arm.assignment, Randomised):
            fields.update(arm.assignment.strata)
    return tuple(sorted(fields))
