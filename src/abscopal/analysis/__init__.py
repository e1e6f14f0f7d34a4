"""Endpoint statistics: proportions, time-to-event derivation, Kaplan–Meier, log-rank, Cox."""

from abscopal.analysis.cox import CoxResult, compute_cox_ph
from abscopal.analysis.endpoints import (
    ENDPOINT_DEFINITIONS,
    CensoringRules,
    EndpointDefinition,
    compute_months,
    derive_time_to_event,
)
from abscopal.analysis.km import (
    DAYS_PER_MONTH,
    KaplanMeierResult,
    LandmarkResult,
    compute_kaplan_meier,
    compute_kaplan_meier_by_group,
    compute_landmark_survival,
)
from abscopal.analysis.logrank import LogrankResult, compute_logrank_test
from abscopal.analysis.proportions import (
    FisherExactResult,
    ProportionDifferenceResult,
    ProportionResult,
    compute_fisher_exact,
    compute_proportion_ci,
    compute_proportion_difference,
)
from abscopal.analysis.trial_inputs import derive_endpoint_inputs

__all__ = [
    "DAYS_PER_MONTH",
    "ENDPOINT_DEFINITIONS",
    "CensoringRules",
    "CoxResult",
    "EndpointDefinition",
    "FisherExactResult",
    "KaplanMeierResult",
    "LandmarkResult",
    "LogrankResult",
    "ProportionDifferenceResult",
    "ProportionResult",
    "compute_cox_ph",
    "compute_fisher_exact",
    "compute_kaplan_meier",
    "compute_kaplan_meier_by_group",
    "compute_landmark_survival",
    "compute_logrank_test",
    "compute_months",
    "compute_proportion_ci",
    "compute_proportion_difference",
    "derive_endpoint_inputs",
    "derive_time_to_event",
]
