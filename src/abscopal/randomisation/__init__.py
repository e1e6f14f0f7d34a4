"""Randomisation and assignment (pure core): permuted blocks, minimisation, fixed ratios,
cohort rules, stages and run-ins, and balance simulation. All randomness comes from an explicit
seed or ``numpy.random.Generator``."""

from abscopal.randomisation.blocks import (
    PERMUTED_BLOCKS_VERSION,
    generate_permuted_blocks,
    generate_protocol_sequence,
)
from abscopal.randomisation.cohort import COHORT_RULE_VERSION, CohortAssignment, assign_cohort
from abscopal.randomisation.minimisation import (
    MINIMISATION_VERSION,
    MinimisationResult,
    allocate_by_minimisation,
)
from abscopal.randomisation.ratio import (
    arms_in_stage,
    check_ratio,
    derive_allocation_ratio,
    derive_strata,
)
from abscopal.randomisation.sequence import (
    UNSTRATIFIED,
    AllocationSequence,
    Slot,
    enumerate_strata,
    sequence_from_dict,
    sequence_to_dict,
    stratum_key,
)
from abscopal.randomisation.simulate import METHODS, BalanceSummary, simulate_balance
from abscopal.randomisation.stages import (
    STAGE_GATE_VERSION,
    GateResult,
    StagePlan,
    evaluate_stage_gate,
    next_stage,
    plan_stage_assignment,
)

__all__ = [
    "COHORT_RULE_VERSION",
    "METHODS",
    "MINIMISATION_VERSION",
    "PERMUTED_BLOCKS_VERSION",
    "STAGE_GATE_VERSION",
    "UNSTRATIFIED",
    "AllocationSequence",
    "BalanceSummary",
    "CohortAssignment",
    "GateResult",
    "MinimisationResult",
    "Slot",
    "StagePlan",
    "allocate_by_minimisation",
    "arms_in_stage",
    "assign_cohort",
    "check_ratio",
    "derive_allocation_ratio",
    "derive_strata",
    "enumerate_strata",
    "evaluate_stage_gate",
    "generate_permuted_blocks",
    "generate_protocol_sequence",
    "next_stage",
    "plan_stage_assignment",
    "sequence_from_dict",
    "sequence_to_dict",
    "simulate_balance",
    "stratum_key",
]
