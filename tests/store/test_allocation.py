"""Default allocator: fixed-ratio permuted blocks from a stored, concealed sequence."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from abscopal.errors import InputError
from abscopal.protocol import parse_protocol_text
from abscopal.store import repo
from abscopal.store.allocation import AllocationRequest, FixedRatioAllocator, stratum_key
from abscopal.store.audit import SYSTEM
from abscopal.store.models import Allocation, AllocationSlot, AuditEntry, Subject
from service_support import TEST_PROTOCOL, Seeded


def test_stratum_key_is_canonical() -> None:
    assert stratum_key({}) == "*"
    assert stratum_key({"b": "2", "a": "1"}) == "a=1;b=2"


def _enrol(seeded: Seeded, n: int, stratum: dict[str, str] | None = None) -> list[str]:
    arms = []
    with seeded.db.writing() as session:
        for i in range(n):
            s = repo.create_record(session, Subject, actor=SYSTEM, values={
                "trial_id": seeded.trial_id, "site_id": seeded.site_a, "screening_id": f"N-{i}",
                "protocol_version_id": seeded.records["protocol_version"]})
            _, alloc = repo.enrol_subject(session, actor=SYSTEM, subject=s, enrolled_on=dt.date(2026, 2, 1),
                                          stratum=stratum or {}, facts={})
            arms.append(alloc.arm_id)
    return arms


def test_every_completed_block_is_balanced_1_to_1(seeded: Seeded) -> None:
    _enrol(seeded, 23)
    with seeded.db.reading() as session:
        slots = list(session.execute(select(AllocationSlot).order_by(AllocationSlot.position)).scalars())
        used = [s for s in slots if s.used_by_subject_id is not None]
        assert len(used) == 24  # 23 + the seeded subject
        by_block: dict[int, Counter[str]] = {}
        for s in slots:
            by_block.setdefault(s.block, Counter())[s.arm_id] += 1
        assert all(c["armqzcombo"] == c["armqzcontrol"] for c in by_block.values())
        assert {sum(c.values()) for c in by_block.values()} <= {2, 4}
        # allocations follow the stored sequence exactly
        for a in session.execute(select(Allocation)).scalars():
            slot = next(s for s in slots if s.position == a.sequence_position)
            assert (slot.arm_id, slot.used_by_subject_id) == (a.arm_id, a.subject_id)


def test_strata_have_separate_sequences(seeded: Seeded) -> None:
    _enrol(seeded, 3, {"ecog": "0"})
    with seeded.db.reading() as session:
        keys = set(session.execute(select(AllocationSlot.stratum_key)).scalars())
    assert keys == {"*", "ecog=0"}


def test_every_allocation_is_an_audited_event(seeded: Seeded) -> None:
    _enrol(seeded, 2)
    with seeded.db.reading() as session:
        actions = list(session.execute(select(AuditEntry.action).where(AuditEntry.table_name == "allocations")).scalars())
    assert actions == ["allocate"] * 3


class _FakeSequence:
    def __init__(self) -> None:
        self.blocks: list[list[str]] = []

    def next_slot(self, key: str, make_block):  # type: ignore[no-untyped-def]
        self.blocks.append(list(make_block()))
        return 1, self.blocks[-1][0]


def test_ratio_2_to_1_blocks() -> None:
    text = TEST_PROTOCOL.read_text().replace("assignment: {kind: randomised, ratio: 1}\n  - id: armqzcontrol",
                                             "assignment: {kind: randomised, ratio: 2}\n  - id: armqzcontrol")
    protocol = parse_protocol_text(text)
    seq = _FakeSequence()
    for _ in range(20):
        FixedRatioAllocator().allocate(AllocationRequest(protocol, {}, {}, (), seq))
    for block in seq.blocks:
        c = Counter(block)
        assert c["armqzcombo"] == 2 * c["armqzcontrol"]


def test_cohort_rule_needs_the_facts() -> None:
    text = TEST_PROTOCOL.read_text().replace("allocation: randomized", "allocation: non_randomized").replace(
        "assignment: {kind: randomised, ratio: 1}\n  - id: armqzcontrol",
        "assignment: {kind: cohort_rule, text: 'prior ICI', when: [{field: liver_metastases, value: true}]}\n"
        "  - id: armqzcontrol").replace(
        "assignment: {kind: randomised, ratio: 1}\neligibility",
        "assignment: {kind: cohort_rule, text: 'ICI naive', when: [{field: liver_metastases, value: false}]}\n"
        "eligibility")
    protocol = parse_protocol_text(text)
    alloc = FixedRatioAllocator()
    assert alloc.allocate(AllocationRequest(protocol, {}, {"liver_metastases": True}, (), _FakeSequence())).arm_id == "armqzcombo"
    assert alloc.allocate(AllocationRequest(protocol, {}, {"liver_metastases": False}, (), _FakeSequence())).arm_id == "armqzcontrol"
    with pytest.raises(InputError, match="'facts.liver_metastases' is needed"):
        alloc.allocate(AllocationRequest(protocol, {}, {}, (), _FakeSequence()))


def test_no_route_reads_the_sequence_table() -> None:
    """Concealment: the slots table is referenced by no API module."""
    from pathlib import Path

    api = Path(__file__).resolve().parents[2] / "src" / "abscopal" / "api"
    offenders = [p.name for p in api.rglob("*.py") if "AllocationSlot" in p.read_text() or "allocation_slots" in p.read_text()]
    assert offenders == []
