"""Tumour response: RECIST 1.1, iRECIST, lesion-level and abscopal response (pure core).

Rules are versioned data (``recist_1_1``, ``irecist``); protocol choices are
:class:`ResponseParams`. Entry points: :func:`derive_response_summary` (compact),
:func:`derive_patient_evaluation` (everything), :func:`derive_recist11`,
:func:`derive_irecist`, :func:`derive_abscopal_response`.
"""

from abscopal.response._core import NewLesionFinding, Response
from abscopal.response._rules import (
    IRECIST_RULES,
    RECIST_1_1_RULES,
    RULES,
    AbscopalBasis,
    AbscopalDefinition,
    PostPrPolicy,
    ResponseParams,
    ResponseRules,
    get_rules,
)
from abscopal.response.baseline import (
    Candidate,
    TargetProposal,
    propose_targets,
    validate_baseline,
)
from abscopal.response.confirm import (
    BestOverallResponse,
    TimepointLabel,
    derive_best_overall_response,
)
from abscopal.response.evaluate import (
    PatientEvaluation,
    ResponseSummary,
    TimepointSummary,
    derive_patient_evaluation,
    derive_response_summary,
    to_jsonable,
)
from abscopal.response.irecist import IrecistResult, derive_irecist
from abscopal.response.lesions import (
    AbscopalRate,
    AbscopalResult,
    LesionResponse,
    LesionTimepoint,
    SubsetTimepoint,
    classify_lesion,
    compute_abscopal_response_rate,
    derive_abscopal_response,
)
from abscopal.response.model import (
    Assessment,
    Lesion,
    LesionRole,
    NewLesionCategory,
    NewLesionStatus,
    NonTargetStatus,
    Observation,
    PatientRecord,
    TargetStatus,
    check_patient_record,
    dump_patient,
    parse_patient,
    parse_patients,
)
from abscopal.response.recist11 import (
    Recist11Result,
    TimepointResponse,
    combine_overall,
    derive_recist11,
)

__all__ = [
    "AbscopalBasis",
    "AbscopalDefinition",
    "AbscopalRate",
    "AbscopalResult",
    "Assessment",
    "BestOverallResponse",
    "Candidate",
    "IRECIST_RULES",
    "IrecistResult",
    "Lesion",
    "LesionResponse",
    "LesionRole",
    "LesionTimepoint",
    "NewLesionCategory",
    "NewLesionFinding",
    "NewLesionStatus",
    "NonTargetStatus",
    "Observation",
    "PatientEvaluation",
    "PatientRecord",
    "PostPrPolicy",
    "RECIST_1_1_RULES",
    "RULES",
    "Recist11Result",
    "Response",
    "ResponseParams",
    "ResponseRules",
    "ResponseSummary",
    "SubsetTimepoint",
    "TargetProposal",
    "TargetStatus",
    "TimepointLabel",
    "TimepointResponse",
    "TimepointSummary",
    "check_patient_record",
    "classify_lesion",
    "combine_overall",
    "compute_abscopal_response_rate",
    "derive_abscopal_response",
    "derive_best_overall_response",
    "derive_irecist",
    "derive_patient_evaluation",
    "derive_recist11",
    "derive_response_summary",
    "dump_patient",
    "get_rules",
    "parse_patient",
    "parse_patients",
    "propose_targets",
    "to_jsonable",
    "validate_baseline",
]
