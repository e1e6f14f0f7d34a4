"""StagedAllocator: the open stage from stated sizes, an explicit stage statement, and the
stage's own method (NCT06076135 stage I → II; NCT06439888 run-in → randomised part II)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from abscopal.datasets import load_trial_text
from abscopal.errors import InputError
from abscopal.protocol import Protocol, parse_protocol_text
from abscopal.store.allocation import AllocationRequest
from abscopal.store.staged import StagedAllocator, classify_open_stage


def _protocol(registry_id: str) -> Protocol:
    return parse_protocol_text(load_trial_text(registry_id))


class _ListSequence:
    """An in-memory concealed sequence: stores blocks per stratum, hands out slots in order."""

    def __init__(self) -> None:
        self.slots: dict[str, list[str]] = {}
        self.used: dict[str, int] = {}

    def next_slot(self, stratum_key: str, make_block: Callable[[], Sequence[str]]) -> tuple[int, str]:
        used = self.used.get(stratum_key, 0)
        slots = self.slots.setdefault(stratum_key, [])
        if used >= len(slots):
            slots.extend(make_block())
        self.used[stratum_key] = used + 1
        return used + 1, slots[used]


def _request(protocol: Protocol, prior: tuple[tuple[str, str], ...], facts: dict[str, object],
             sequence: _ListSequence) -> AllocationRequest:
    return AllocationRequest(protocol=protocol, stratum={}, facts=facts, prior=prior,
                             sequence=sequence)


def test_stage_one_fills_to_its_stated_size_then_stage_two() -> None:
    # NCT06076135: stage1 size 16 (arm stage_1), stage2 without size (arm stage_2).
    p = _protocol("NCT06076135")
    assert classify_open_stage(p, prior_arm_ids=("stage_1",) * 15) == "stage1"
    assert classify_open_stage(p, prior_arm_ids=("stage_1",) * 16) == "stage2"
    allocator, seq = StagedAllocator(), _ListSequence()
    prior: tuple[tuple[str, str], ...] = ()
    arms = []
    for _ in range(18):
        decision = allocator.allocate(_request(p, prior, {}, seq))
        arms.append((decision.arm_id, decision.stage_id))
        prior += ((decision.stratum_key, decision.arm_id),)
    assert arms == [("stage_1", "stage1")] * 16 + [("stage_2", "stage2")] * 2


def test_an_unsized_run_in_stays_open_until_the_next_stage_is_stated() -> None:
    # NCT06439888: part1 (run-in, single arm, no size stated) then part2 randomised 1:1.
    p = _protocol("NCT06439888")
    allocator, seq = StagedAllocator(), _ListSequence()
    run_in = allocator.allocate(_request(p, (("x", "run_in"),) * 30, {}, seq))
    assert (run_in.arm_id, run_in.stage_id) == ("run_in", "part1")
    arms = [allocator.allocate(_request(p, (), {"stage": "part2"}, seq)) for _ in range(40)]
    assert {d.stage_id for d in arms} == {"part2"}
    counts = {a: sum(d.arm_id == a for d in arms) for a in ("sbrt_atra", "sbrt_alone")}
    # Permuted blocks of 2 or 4 over 40 slots: at most 2 apart, and never the run-in arm.
    assert sum(counts.values()) == 40 and abs(counts["sbrt_atra"] - counts["sbrt_alone"]) <= 2
    assert all(d.stratum_key != run_in.stratum_key for d in arms)


def test_a_stated_stage_must_exist() -> None:
    with pytest.raises(InputError, match=r"facts\.stage.*part3"):
        classify_open_stage(_protocol("NCT06439888"), prior_arm_ids=(), stated="part3")


def test_protocols_without_stages_use_the_base_allocator() -> None:
    p = _protocol("NCT06120127")
    decision = StagedAllocator().allocate(_request(p, (), {}, _ListSequence()))
    assert decision.arm_id in {"chemo_rt_io", "chemo"} and decision.stage_id is None
    assert decision.method == "fixed_ratio_permuted_blocks"
