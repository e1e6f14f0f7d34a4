"""The service's default allocator: :mod:`abscopal.randomisation` behind the store's seam.

Rules
-----
1. Stage: the request carries the trial's open stage (the store keeps it: the protocol's first
   stage until an audited gate decision opens the next one, ``repo.record_stage_gate``). Only
   that stage's arms are candidates (``plan_stage_assignment``); trials without stages use all
   arms.
2. ``randomised`` stage: stratified permuted blocks with random block sizes. Strata are the
   patient fields named by the arms' ``Randomised.strata`` (``derive_strata``), read from the
   subject's ``stratum`` (if given) or ``facts``; a missing stratum fact is a 422 naming it.
   Extra keys given in ``stratum`` also stratify (e.g. by site), as before. Each block is drawn by
   ``generate_permuted_blocks`` (one block, seed from ``secrets``) and stored concealed in
   ``allocation_slots`` when the stratum's stored list runs out; every enrolment takes the next
   unused slot of its stratum (the stage is part of the stratum key, so part II of a run-in design
   starts a fresh list).
3. Pocock–Simon minimisation instead of blocks for the registry ids in ``minimisation`` (the
   protocol model has no field for the method; none of the seed trials asks for it): the factors
   are the strata of rule 2, the history the earlier allocations of the same stage.
4. ``cohort_rule`` stage: ``assign_cohort`` on the facts; ``unknown`` → 422 listing the missing
   facts, ``ambiguous`` → 422 naming the cohorts that match, ``no_match`` → 422 with each
   cohort's unmet conditions.
5. ``all`` stage (single arm, run-in): everyone goes to that arm.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from abscopal.errors import InputError
from abscopal.randomisation import (
    PERMUTED_BLOCKS_VERSION,
    allocate_by_minimisation,
    assign_cohort,
    derive_strata,
    generate_permuted_blocks,
    plan_stage_assignment,
)
from abscopal.store.allocation import AllocationDecision, AllocationRequest, stratum_key

STAGE_KEY = "@stage"
"""Pseudo-field naming the stage inside a stored stratum key (``@stage=part2;ecog=0``)."""


def _strata_values(request: AllocationRequest) -> dict[str, str]:
    fields = derive_strata(request.protocol, stage_id=request.stage_id)
    values = {k: str(v) for k, v in request.stratum.items()}
    missing = []
    for name in fields:
        if name in values:
            continue
        value = request.facts.get(name)
        if value is None:
            missing.append(name)
        else:
            values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    if missing:
        raise InputError(
            f"'facts.{missing[0]}' is needed: {request.protocol.identity.registry_id} stratifies "
            f"randomisation by {list(fields)} (got missing {missing})"
        )
    return values


def _parse_key(key: str) -> dict[str, str]:
    if key == "*":
        return {}
    return dict(part.split("=", 1) for part in key.split(";") if "=" in part)


@dataclass(frozen=True)
class ProtocolAllocator:
    """Allocation by the protocol's own design (see module Rules)."""

    block_multipliers: tuple[int, ...] = (1, 2)
    minimisation: frozenset[str] = field(default_factory=frozenset)
    p_best: float = 0.8
    name: str = "protocol"

    def allocate(self, request: AllocationRequest) -> AllocationDecision:
        protocol = request.protocol
        stage = request.stage_id
        plan = plan_stage_assignment(protocol, stage_id=stage)
        if plan.method == "all":
            return AllocationDecision(plan.arm_ids[0], "stage_single_arm", stratum_key(
                {STAGE_KEY: stage} if stage else {}), stage_id=stage)
        if plan.method == "cohort_rule":
            return self._cohort(request)
        values = _strata_values(request)
        key = stratum_key({**values, STAGE_KEY: stage} if stage else values)
        ratio = dict(plan.ratio)
        if protocol.identity.registry_id in self.minimisation:
            return self._minimise(request, values, key, ratio)

        def make_block() -> list[str]:
            seq = generate_permuted_blocks(ratio, n_per_stratum=1, seed=secrets.randbits(63),
                                           block_multipliers=self.block_multipliers)
            return [s.arm_id for s in seq.slots]

        position, arm_id = request.sequence.next_slot(key, make_block)
        return AllocationDecision(arm_id, PERMUTED_BLOCKS_VERSION, key, stage_id=stage,
                                  sequence_position=position)

    def _cohort(self, request: AllocationRequest) -> AllocationDecision:
        result = assign_cohort(request.protocol, request.facts, stage_id=request.stage_id)
        rid = request.protocol.identity.registry_id
        if result.status == "unknown":
            raise InputError(
                f"'facts.{result.missing_fields[0]}' is needed to assign a {rid} cohort "
                f"(missing: {list(result.missing_fields)}; {'; '.join(result.reasons)})")
        if result.status == "ambiguous":
            raise InputError(
                f"'facts' place the subject in several {rid} cohorts {list(result.matched)}; "
                "exactly one must match")
        if result.status == "no_match":
            raise InputError(
                f"'facts' match no {rid} cohort ({'; '.join(result.reasons)})")
        assert result.arm_id is not None
        key = stratum_key({STAGE_KEY: request.stage_id} if request.stage_id else {})
        return AllocationDecision(result.arm_id, result.rule_version, key, stage_id=request.stage_id)

    def _minimise(self, request: AllocationRequest, values: Mapping[str, str], key: str,
                  ratio: dict[str, int]) -> AllocationDecision:
        stage = request.stage_id
        history = []
        for prior_key, arm in request.prior:
            past = _parse_key(prior_key)
            if past.get(STAGE_KEY) != stage or arm not in ratio:
                continue
            past.pop(STAGE_KEY, None)
            if all(f in past for f in values):
                history.append((past, arm))
        result = allocate_by_minimisation(dict(values), history=history, ratio=ratio,
                                          seed=secrets.randbits(63), p_best=self.p_best)
        return AllocationDecision(result.arm_id, result.rule_version, key, stage_id=stage)


__all__ = ["STAGE_KEY", "ProtocolAllocator"]
