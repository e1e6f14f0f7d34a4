"""Trial design: Simon two-stage, A'Hern single-stage, Fisher exact power, survival sizes, checks."""

from abscopal.design.check import DesignCheck, ProtocolDesignCheck, validate_statistical_design
from abscopal.design.fisher import (
    FisherPower,
    FisherSampleSize,
    compute_fisher_power,
    compute_fisher_rejection_region,
    compute_fisher_sample_size,
    compute_normal_sample_size,
)
from abscopal.design.simon import (
    SimonDecision,
    SimonDesign,
    SimonSearchResult,
    classify_simon_final,
    classify_simon_stage1,
    compute_simon_characteristics,
    compute_simon_designs,
)
from abscopal.design.simulate import (
    SimulatedCharacteristics,
    simulate_fisher,
    simulate_simon,
    simulate_single_stage,
    simulate_survival,
)
from abscopal.design.single_stage import SingleStageDesign, compute_ahern_design
from abscopal.design.survival import (
    SurvivalSampleSize,
    compute_event_probability,
    compute_hazard_from_median,
    compute_logrank_power,
    compute_median_from_hazard,
    compute_schoenfeld_events,
    compute_survival_sample_size,
)

__all__ = [
    "DesignCheck",
    "FisherPower",
    "FisherSampleSize",
    "ProtocolDesignCheck",
    "SimonDecision",
    "SimonDesign",
    "SimonSearchResult",
    "SimulatedCharacteristics",
    "SingleStageDesign",
    "SurvivalSampleSize",
    "classify_simon_final",
    "classify_simon_stage1",
    "compute_ahern_design",
    "compute_event_probability",
    "compute_fisher_power",
    "compute_fisher_rejection_region",
    "compute_fisher_sample_size",
    "compute_hazard_from_median",
    "compute_logrank_power",
    "compute_median_from_hazard",
    "compute_normal_sample_size",
    "compute_schoenfeld_events",
    "compute_simon_characteristics",
    "compute_simon_designs",
    "compute_survival_sample_size",
    "simulate_fisher",
    "simulate_simon",
    "simulate_single_stage",
    "simulate_survival",
    "validate_statistical_design",
]
