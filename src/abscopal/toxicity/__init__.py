"""CTCAE toxicity grading: lab values (scalar and vectorised), AE records, timepoint endpoints."""

from abscopal.toxicity.adverse_events import (
    AdverseEvent,
    Attribution,
    WorstGrade,
    derive_worst_grades,
    find_term,
)
from abscopal.toxicity.batch import grade_labs
from abscopal.toxicity.ctcae import (
    SUPPORTED_VERSIONS,
    CriteriaTable,
    LabGrade,
    compute_corrected_calcium_mg_dl,
    find_lab_criterion,
    grade_lab,
    load_criteria,
)
from abscopal.toxicity.endpoints import (
    DatedLabGrade,
    TimepointGradeResult,
    WindowSelection,
    classify_grade_at_timepoint,
)

__all__ = [
    "SUPPORTED_VERSIONS",
    "AdverseEvent",
    "Attribution",
    "CriteriaTable",
    "DatedLabGrade",
    "LabGrade",
    "TimepointGradeResult",
    "WindowSelection",
    "WorstGrade",
    "classify_grade_at_timepoint",
    "compute_corrected_calcium_mg_dl",
    "derive_worst_grades",
    "find_lab_criterion",
    "find_term",
    "grade_lab",
    "grade_labs",
    "load_criteria",
]
