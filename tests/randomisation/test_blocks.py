"""Permuted blocks: balance at every block end, ratios, reproducibility, concealment API."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import InputError
from abscopal.randomisation import enumerate_strata, generate_permuted_blocks, stratum_key

ratios = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.integers(1, 3), min_size=2, max_size=4
)
multipliers = st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True)


@settings(max_examples=60, deadline=None)
@given(ratio=ratios, mult=multipliers, n=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_blocks_are_balanced_at_every_block_end(
    ratio: dict[str, int], mult: list[int], n: int, seed: int
) -> None:
    seq = generate_permuted_blocks(ratio, n_per_stratum=n, seed=seed, block_multipliers=mult)
    counts: Counter[str] = Counter()
    total_weight = sum(ratio.values())
    for slot in seq.slots:
        counts[slot.arm_id] += 1
        end_of_block = slot.position == len(seq.slots) - 1 or seq.slots[slot.position + 1].block != slot.block
        if end_of_block:
            done = sum(counts.values())
            assert done % total_weight == 0
            for arm, weight in ratio.items():
                assert counts[arm] == done // total_weight * weight
    assert len(seq.slots) >= n
    assert {s.block_size for s in seq.slots} <= {m * total_weight for m in mult}


@settings(max_examples=30, deadline=None)
@given(ratio=ratios, seed=st.integers(0, 2**32))
def test_same_seed_gives_the_same_sequence(ratio: dict[str, int], seed: int) -> None:
    first = generate_permuted_blocks(ratio, n_per_stratum=20, seed=seed, strata=("x", "y"))
    second = generate_permuted_blocks(ratio, n_per_stratum=20, seed=seed, strata=("x", "y"))
    assert first == second


def test_two_to_one_ratio_over_whole_blocks() -> None:
    seq = generate_permuted_blocks({"rt_io": 2, "io": 1}, n_per_stratum=30, seed=11,
                                   block_multipliers=(1, 2))
    counts = Counter(s.arm_id for s in seq.slots)
    assert counts["rt_io"] == 2 * counts["io"]
    assert {s.block_size for s in seq.slots} <= {3, 6}


def test_strata_get_independent_lists_and_next_slot_reveals_in_order() -> None:
    strata = enumerate_strata({"ecog": [0, 1]})
    assert strata == ("ecog=0", "ecog=1")
    seq = generate_permuted_blocks({"a": 1, "b": 1}, n_per_stratum=4, seed=3, strata=strata)
    first_ecog1 = seq.for_stratum("ecog=1")
    key = stratum_key({"ecog": 1, "sex": "F"}, ["ecog"])
    assert seq.next_slot(key, used=0) == first_ecog1[0]
    assert seq.next_slot(key, used=1) == first_ecog1[1]
    assert seq.rule_version == "permuted_blocks/1"
    assert seq.seed == 3


def test_exhausted_stratum_is_an_error_never_an_improvised_allocation() -> None:
    seq = generate_permuted_blocks({"a": 1, "b": 1}, n_per_stratum=2, seed=1, block_multipliers=(1,))
    with pytest.raises(InputError, match="exhausted"):
        seq.next_slot("", used=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ratio": {"a": 1}}, "at least two arms"),
        ({"ratio": {"a": 1, "b": 0}}, "positive integers"),
        ({"n_per_stratum": 0}, "'n_per_stratum' must be a positive int"),
        ({"block_multipliers": ()}, "'block_multipliers'"),
        ({"seed": -1}, "'seed' must be a non-negative int"),
        ({"strata": ("x", "x")}, "'strata' must be non-empty and unique"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"ratio": {"a": 1, "b": 1}, "n_per_stratum": 4, "seed": 1}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        generate_permuted_blocks(**args)  # type: ignore[arg-type]


def test_stratum_key_needs_every_stratification_fact() -> None:
    with pytest.raises(InputError, match="ecog"):
        stratum_key({"sex": "F"}, ["ecog"])


def test_stored_sequence_round_trips_through_json() -> None:
    import json

    from abscopal.randomisation import sequence_from_dict, sequence_to_dict

    seq = generate_permuted_blocks({"a": 2, "b": 1}, n_per_stratum=9, seed=5, strata=("x", "y"))
    stored = json.loads(json.dumps(sequence_to_dict(seq)))
    assert sequence_from_dict(stored) == seq
    with pytest.raises(InputError, match="not a stored allocation sequence"):
        sequence_from_dict({"method": "permuted_blocks"})


def test_protocol_sequence_for_nct06439888_part_two() -> None:
    from abscopal.datasets import load_trial
    from abscopal.randomisation import generate_protocol_sequence

    seq = generate_protocol_sequence(load_trial("NCT06439888"), stage_id="part2",
                                     n_per_stratum=52, seed=2024)
    assert seq.ratio == (("sbrt_atra", 1), ("sbrt_alone", 1))
    assert seq.strata == ("",)
    counts = Counter(s.arm_id for s in seq.slots)
    assert counts["sbrt_atra"] == counts["sbrt_alone"] >= 26
    with pytest.raises(InputError, match="0 randomised arm"):
        generate_protocol_sequence(load_trial("NCT06439888"), stage_id="part1",
                                   n_per_stratum=6, seed=1)
