"""ProtocolAllocator (store.randomiser) without the database: stage plans, strata, minimisation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from abscopal.datasets import load_trial_text
from abscopal.errors import InputError
from abscopal.protocol import parse_protocol_text
from abscopal.store.allocation import AllocationRequest
from abscopal.store.randomiser import ProtocolAllocator

STRATIFIED = parse_protocol_text(load_trial_text("NCT06120127").replace(
    "    kind: randomised\n    ratio: 1\n", "    kind: randomised\n    ratio: 1\n    strata: [ecog]\n"))


class _Sequence:
    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self.used: Counter[str] = Counter()

    def next_slot(self, key: str, make_block: Callable[[], Sequence[str]]) -> tuple[int, str]:
        stored = self.lists.setdefault(key, [])
        if self.used[key] >= len(stored):
            stored.extend(make_block())
        self.used[key] += 1
        return self.used[key], stored[self.used[key] - 1]


def test_blocks_per_stratum_are_balanced_at_every_block_end() -> None:
    seq = _Sequence()
    alloc = ProtocolAllocator()
    for i in range(40):
        alloc.allocate(AllocationRequest(STRATIFIED, {}, {"ecog": i % 2}, (), seq))
    assert set(seq.lists) == {"ecog=0", "ecog=1"}
    for arms in seq.lists.values():
        # every stored list is whole blocks: 1:1 exactly
        assert Counter(arms)["chemo"] == Counter(arms)["chemo_rt_io"]


def test_boolean_stratum_values_are_lowercase_text() -> None:
    protocol = parse_protocol_text(load_trial_text("NCT06120127").replace(
        "    kind: randomised\n    ratio: 1\n", "    kind: randomised\n    ratio: 1\n    strata: [liver_metastases]\n"))
    d = ProtocolAllocator().allocate(AllocationRequest(protocol, {}, {"liver_metastases": True}, (), _Sequence()))
    assert d.stratum_key == "liver_metastases=true"


def test_minimisation_balances_the_margins_when_asked() -> None:
    alloc = ProtocolAllocator(minimisation=frozenset({"NCT06120127"}), p_best=1.0)
    prior: list[tuple[str, str]] = []
    for i in range(20):
        d = alloc.allocate(AllocationRequest(STRATIFIED, {}, {"ecog": i % 2}, tuple(prior), _Sequence()))
        assert d.method == "pocock_simon/1" and d.sequence_position is None
        prior.append((d.stratum_key, d.arm_id))
    # deterministic minimisation (p_best = 1) keeps every ecog level within 1 of balance
    for level in ("ecog=0", "ecog=1"):
        arms = Counter(arm for key, arm in prior if key == level)
        assert abs(arms["chemo"] - arms["chemo_rt_io"]) <= 1


def test_a_staged_protocol_needs_the_open_stage() -> None:
    protocol = parse_protocol_text(load_trial_text("NCT06439888"))
    with pytest.raises(InputError, match="give each stage one method"):
        ProtocolAllocator().allocate(AllocationRequest(protocol, {}, {}, (), _Sequence()))
    d = ProtocolAllocator().allocate(AllocationRequest(protocol, {}, {}, (), _Sequence(), stage_id="part1"))
    assert (d.arm_id, d.stage_id, d.stratum_key) == ("run_in", "part1", "@stage=part1")
