"""Stratified permuted-block randomisation with random block sizes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from abscopal.errors import InputError
from abscopal.protocol import PATIENT_FIELDS, Protocol
from abscopal.randomisation._rng import SeedLike, make_rng
from abscopal.randomisation.ratio import check_ratio, derive_allocation_ratio, derive_strata
from abscopal.randomisation.sequence import (
    UNSTRATIFIED,
    AllocationSequence,
    Slot,
    enumerate_strata,
)

PERMUTED_BLOCKS_VERSION = "permuted_blocks/1"


def draw_blocks(
    weights: Mapping[str, int], n: int, multipliers: Sequence[int], rng: np.random.Generator
) -> list[list[str]]:
    """Whole permuted blocks covering at least ``n`` allocations (shared with the simulator)."""
    arms = list(weights)
    blocks: list[list[str]] = []
    total = 0
    while total < n:
        m = multipliers[int(rng.integers(len(multipliers)))]
        content = [arm for arm in arms for _ in range(m * weights[arm])]
        blocks.append([content[int(i)] for i in rng.permutation(len(content))])
        total += len(content)
    return blocks


def generate_permuted_blocks(
    ratio: Mapping[str, int],
    *,
    n_per_stratum: int,
    seed: SeedLike,
    strata: Sequence[str] = (UNSTRATIFIED,),
    block_multipliers: Sequence[int] = (1, 2),
) -> AllocationSequence:
    """Generate a concealed permuted-block sequence for each stratum.

    Parameters
    ----------
    ratio : mapping of arm id to positive int
        Allocation weights, e.g. ``{"sbrt_atra": 1, "sbrt_alone": 1}`` (see
        ``derive_allocation_ratio``).
    n_per_stratum : int
        Minimum slots per stratum (>= 1). Whole blocks are generated, so a stratum may get a few
        more slots than asked: balance is exact at every block end.
    seed : int or numpy.random.Generator
        All randomness comes from here; the same int seed gives the same sequence.
    strata : sequence of str
        Stratum keys (``enumerate_strata``); one unstratified list by default.
    block_multipliers : sequence of int
        Each block's size is ``m * sum(weights)`` with ``m`` drawn uniformly from these
        (random block sizes make the next allocation harder to guess). Default (1, 2): blocks of
        2 or 4 for 1:1, of 3 or 6 for 2:1.

    Returns
    -------
    AllocationSequence

    Rules
    -----
    1. Within a block of multiplier ``m`` every arm appears exactly ``m * weight`` times, in a
       uniformly random order (Fisher–Yates via ``Generator.permutation``).
    2. Strata are independent lists (stratified randomisation; Zelen 1974, J Chronic Dis 27:365).
    3. Random block sizes follow the usual recommendation against predictable block ends
       (ICH E9 §2.3.2; Schulz & Grimes 2002, Lancet 359:515).

    Examples
    --------
    >>> seq = generate_permuted_blocks({"a": 1, "b": 1}, n_per_stratum=10, seed=7)
    >>> first = seq.slots[: seq.slots[0].block_size]
    >>> 2 * sum(s.arm_id == "a" for s in first) == len(first)
    True
    """
    weights = check_ratio(ratio)
    if not isinstance(n_per_stratum, int) or n_per_stratum < 1:
        raise InputError(f"'n_per_stratum' must be a positive int (got {n_per_stratum!r})")
    multipliers = tuple(block_multipliers)
    if not multipliers or any(not isinstance(m, int) or m < 1 for m in multipliers):
        raise InputError(
            f"'block_multipliers' must be positive ints (got {list(block_multipliers)!r})"
        )
    keys = tuple(strata)
    if not keys or len(set(keys)) != len(keys):
        raise InputError(f"'strata' must be non-empty and unique (got {list(keys)!r})")
    rng = make_rng(seed)
    slots: list[Slot] = []
    for key in keys:
        position = 0
        for block, arms in enumerate(draw_blocks(weights, n_per_stratum, multipliers, rng)):
            for arm in arms:
                slots.append(Slot(key, position, arm, block, len(arms)))
                position += 1
    return AllocationSequence(
        method="permuted_blocks",
        ratio=tuple(weights.items()),
        strata=keys,
        slots=tuple(slots),
        seed=seed if isinstance(seed, int) else None,
        block_multipliers=multipliers,
        rule_version=PERMUTED_BLOCKS_VERSION,
    )


def generate_protocol_sequence(
    protocol: Protocol,
    *,
    n_per_stratum: int,
    seed: SeedLike,
    stage_id: str | None = None,
    strata_levels: Mapping[str, Sequence[object]] | None = None,
    block_multipliers: Sequence[int] = (1, 2),
) -> AllocationSequence:
    """A permuted-block sequence for a protocol stage: ratio and strata from its arms.

    ``strata_levels`` gives the levels of each stratification field the arms name
    (``Randomised.strata``); boolean patient fields default to ``(False, True)``.

    Raises
    ------
    InputError
        The stage has no randomisation, or a stratum field's levels are unknown.
    """
    ratio = derive_allocation_ratio(protocol, stage_id=stage_id)
    levels: dict[str, Sequence[object]] = {}
    for field in derive_strata(protocol, stage_id=stage_id):
        given = (strata_levels or {}).get(field)
        info = PATIENT_FIELDS.get(field)
        if given is not None:
            levels[field] = given
        elif info is not None and info.type == "bool":
            levels[field] = (False, True)
        else:
            raise InputError(f"'strata_levels' must give the levels of stratum {field!r}")
    strata = enumerate_strata(levels) if levels else (UNSTRATIFIED,)
    return generate_permuted_blocks(
        ratio, n_per_stratum=n_per_stratum, seed=seed, strata=strata,
        block_multipliers=block_multipliers,
    )
