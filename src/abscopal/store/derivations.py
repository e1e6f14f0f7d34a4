"""The clinical derivations the service recomputes on every write (issue 7, item 6).

Registered on the store's derivation seam (:mod:`abscopal.store.derive`), so the API, the web UI
and the demo loader all get them: a derived value is stored, with its provenance, in the record's
read-only ``derived`` column and audited with the data it came from.

- ``lesion_assessments`` → ``recist``: the RECIST 1.1 timepoint response at this assessment, the
  best overall response so far (confirmed and unconfirmed) and the engine's reasons; plus
  ``irecist`` when the protocol lists iRECIST among its endpoint criteria. The subject's whole
  lesion history (all live assessments) is re-evaluated, because a timepoint response depends on
  baseline and nadir (RECIST 1.1 §4.3).
- ``labs`` → ``ctcae``: the CTCAE v5.0 grade of the value against the lab's own reference range,
  with the rule that fired (abscopal.toxicity). Tests are named by the codes in
  :data:`abscopal.report.derive.LAB_CTCAE_TERMS` or by a CTCAE term directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from abscopal.errors import InputError
from abscopal.report.derive import (
    LAB_CTCAE_TERMS,
    build_patient_record,
    default_response_params,
    uses_irecist,
)
from abscopal.response import derive_response_summary
from abscopal.store.derive import DEFAULT_REGISTRY, DerivationContext, DerivationRegistry
from abscopal.toxicity import find_lab_criterion, grade_lab

RECIST_RULE_VERSION = "recist_1_1+irecist/1"
CTCAE_RULE_VERSION = "ctcae_v5/1"


def _lesion_tables(images: Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    lesions: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for image in images:
        for les in image.get("lesions", []):
            if les.get("deleted_at"):
                continue
            label = str(les["lesion_label"])
            # The store does not record irradiation per lesion: in-field is unknown → False.
            lesions.setdefault(label, {"subject_id": image["subject_id"], "lesion_id": label,
                                       "organ": les.get("organ") or "", "is_nodal":
                                       bool(les.get("is_nodal")), "role": les["category"],
                                       "in_field": False})
            rows.append({"subject_id": image["subject_id"], "assessment_date":
                         pd.Timestamp(image["assessed_on"]).date(), "lesion_id": label,
                         "diameter_mm": les.get("diameter_mm"), "status": les.get("status")})
    return pd.DataFrame(list(lesions.values())), pd.DataFrame(rows)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def derive_lesion_response(ctx: DerivationContext) -> Mapping[str, Any] | None:
    """RECIST 1.1 (and iRECIST) for the subject's lesion history, reported at this record.

    Rules
    -----
    1. All live assessments of the subject are one patient record; the earliest is baseline
       (RECIST 1.1 §3.2); the engine's protocol parameters come from the protocol
       (confirmation required unless randomised, RECIST 1.1 §4.6).
    2. The timepoint response reported is the one at this record's date; when two records share
       a date, the later entry stands for that scan.
    """
    # Two records of the same date describe the same scan: the later entry (higher id) wins.
    by_date: dict[str, Mapping[str, Any]] = {}
    for image in sorted([*ctx.subject_records, ctx.record], key=lambda i: int(i["id"])):
        by_date[str(image["assessed_on"])] = image
    images = list(by_date.values())
    lesions, measurements = _lesion_tables(images)
    if measurements.empty:
        return None
    record = build_patient_record(str(ctx.record["subject_id"]), lesions, measurements)
    params = default_response_params(ctx.protocol)
    day = pd.Timestamp(ctx.record["assessed_on"]).date()
    out: dict[str, Any] = {}
    for criteria in ("recist_1_1", "irecist") if uses_irecist(ctx.protocol) else ("recist_1_1",):
        summary = derive_response_summary(record, criteria=criteria, params=params)
        at = next((t.response for t in summary.timepoints if t.assessment_date == day), None)
        out[criteria] = {
            "timepoint_response": None if at is None else at.value,
            "is_baseline": day == record.assessments[0].assessment_date,
            "best_overall_response": summary.best_overall_response.value,
            "require_confirmation": summary.require_confirmation,
            "first_response_date": _iso(summary.first_response_date),
            "progression_date": _iso(summary.progression_date),
            "reasons": list(summary.reasons),
            "rule_version": summary.rule_version,
        }
    return out or None


def derive_lab_grade(ctx: DerivationContext) -> Mapping[str, Any] | None:
    """CTCAE v5.0 grade of one lab record (abscopal.toxicity.grade_lab).

    Rules
    -----
    1. The term comes from the test code (e.g. LYM → "Lymphocyte count decreased"); a test that
       is neither a known code nor a CTCAE lab term is not graded (None, nothing stored).
    2. LLN/ULN are the record's own reference limits; a grade that needs a missing limit is
       "not gradable" with the reason, never 0 (CTCAE v5.0 grading conventions).
    """
    test = str(ctx.record["test"])
    term = LAB_CTCAE_TERMS.get(test.upper(), test)
    try:
        find_lab_criterion(term, version="ctcae_v5")
    except InputError:
        return None  # not a CTCAE lab term: nothing to derive
    # A bad unit or value raises here and is stored as the derivation's error.
    result = grade_lab(term, ctx.record["value"], str(ctx.record["unit"]), version="ctcae_v5",
                       lln=ctx.record.get("lower_limit"), uln=ctx.record.get("upper_limit"))
    return {"term": result.term, "grade": result.grade, "rule": result.rule,
            "rule_text": result.rule_text, "not_gradable_reason": result.not_gradable_reason,
            "needs_clinical_review": result.needs_clinical_review,
            "review_reasons": list(result.review_reasons), "version": "CTCAE v5.0"}


def register_clinical_derivations(registry: DerivationRegistry = DEFAULT_REGISTRY) -> None:
    """Register the RECIST/iRECIST and CTCAE hooks (idempotent)."""
    registry.register("lesion_assessments", derive_lesion_response, name="response",
                      rule_version=RECIST_RULE_VERSION)
    registry.register("labs", derive_lab_grade, name="ctcae", rule_version=CTCAE_RULE_VERSION)
