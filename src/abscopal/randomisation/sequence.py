"""Allocation sequences generated ahead of time and concealed until each randomisation.

A sequence is plain, immutable data: the service stores it where site roles cannot read it and
reveals one slot at a time (``next_slot``). Nothing here keeps state; "how many have been used in
this stratum" is an argument, so the store stays the single source of truth.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from abscopal.errors import InputError

UNSTRATIFIED = ""
"""Stratum key of an unstratified sequence."""


@dataclass(frozen=True)
class Slot:
    """One concealed allocation: the ``position``-th assignment of ``stratum``."""

    stratum: str
    position: int
    arm_id: str
    block: int
    block_size: int


@dataclass(frozen=True)
class AllocationSequence:
    """A pre-generated allocation list per stratum, with the parameters that produced it.

    Attributes
    ----------
    method : str
        ``"permuted_blocks"``.
    ratio : tuple of (arm_id, weight)
        Allocation ratio, in the order given.
    strata : tuple of str
        Stratum keys (``stratum_key`` output); ``("",)`` when unstratified.
    slots : tuple of Slot
        Every slot, stratum by stratum, in allocation order.
    seed : int or None
        The int seed if one was given (None when a Generator was passed in).
    block_multipliers : tuple of int
        Block sizes are ``multiplier * sum(weights)``, drawn uniformly per block.
    rule_version : str
        Version of the generating rule (changes when the algorithm changes).
    """

    method: str
    ratio: tuple[tuple[str, int], ...]
    strata: tuple[str, ...]
    slots: tuple[Slot, ...]
    seed: int | None
    block_multipliers: tuple[int, ...]
    rule_version: str

    def for_stratum(self, stratum: str) -> tuple[Slot, ...]:
        """The slots of one stratum in allocation order."""
        self._check_stratum(stratum)
        return tuple(s for s in self.slots if s.stratum == stratum)

    def next_slot(self, stratum: str, *, used: int) -> Slot:
        """The slot revealed for the next participant of ``stratum`` after ``used`` allocations.

        Raises
        ------
        InputError
            Unknown stratum, negative ``used``, or the stratum's list is exhausted (generate a
            longer sequence; never improvise an allocation).
        """
        slots = self.for_stratum(stratum)
        if used < 0:
            raise InputError(f"'used' must be >= 0 (got {used})")
        if used >= len(slots):
            raise InputError(
                f"allocation sequence for stratum {stratum!r} is exhausted ({len(slots)} slots, "
                f"{used} used); generate a longer sequence"
            )
        return slots[used]

    def _check_stratum(self, stratum: str) -> None:
        if stratum not in self.strata:
            raise InputError(f"'stratum' must be one of {list(self.strata)} (got {stratum!r})")


def stratum_key(facts: Mapping[str, object], strata: Sequence[str]) -> str:
    """The stratum key of a participant: ``"ecog=0|sex=F"`` (fields in the order given).

    Raises
    ------
    InputError
        If a stratification field is missing from ``facts``.

    Examples
    --------
    >>> stratum_key({"sex": "F", "ecog": 0}, ["ecog", "sex"])
    'ecog=0|sex=F'
    >>> stratum_key({"sex": "F"}, [])
    ''
    """
    missing = [f for f in strata if f not in facts or facts[f] is None]
    if missing:
        raise InputError(f"stratification needs {missing} in the participant's facts")
    return "|".join(f"{f}={facts[f]}" for f in strata)


def enumerate_strata(levels: Mapping[str, Sequence[object]]) -> tuple[str, ...]:
    """Every stratum key of the cross-classification of ``levels`` ({field: values}).

    Examples
    --------
    >>> enumerate_strata({"ecog": [0, 1], "sex": ["F", "M"]})
    ('ecog=0|sex=F', 'ecog=0|sex=M', 'ecog=1|sex=F', 'ecog=1|sex=M')
    >>> enumerate_strata({})
    ('',)
    """
    fields = list(levels)
    keys = []
    for combo in itertools.product(*(levels[f] for f in fields)):
        keys.append(stratum_key(dict(zip(fields, combo, strict=True)), fields))
    return tuple(keys)


def sequence_to_dict(sequence: AllocationSequence) -> dict[str, object]:
    """A JSON-ready mapping of the sequence, for storage by the service (concealed there)."""
    return {
        "method": sequence.method,
        "ratio": [[arm, weight] for arm, weight in sequence.ratio],
        "strata": list(sequence.strata),
        "slots": [
            [s.stratum, s.position, s.arm_id, s.block, s.block_size] for s in sequence.slots
        ],
        "seed": sequence.seed,
        "block_multipliers": list(sequence.block_multipliers),
        "rule_version": sequence.rule_version,
    }


def sequence_from_dict(data: Mapping[str, object]) -> AllocationSequence:
    """Rebuild a sequence stored with :func:`sequence_to_dict`.

    Raises
    ------
    InputError
        A key is missing or a value has the wrong shape.
    """
    try:
        ratio = data["ratio"]
        strata = data["strata"]
        slots = data["slots"]
        multipliers = data["block_multipliers"]
        assert isinstance(ratio, list) and isinstance(strata, list)
        assert isinstance(slots, list) and isinstance(multipliers, list)
        seed = data["seed"]
        assert seed is None or isinstance(seed, int)
        return AllocationSequence(
            method=str(data["method"]),
            ratio=tuple((str(a), int(w)) for a, w in ratio),
            strata=tuple(str(s) for s in strata),
            slots=tuple(
                Slot(str(st), int(pos), str(arm), int(block), int(size))
                for st, pos, arm, block, size in slots
            ),
            seed=seed,
            block_multipliers=tuple(int(m) for m in multipliers),
            rule_version=str(data["rule_version"]),
        )
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise InputError(f"not a stored allocation sequence ({type(exc).__name__}: {exc})") from exc
