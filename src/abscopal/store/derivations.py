"""The clinical derivations the service recomputes on every write (issue 7, item 6).

Registered on the store's derivation seam (:mod:`abscopal.store.derive`), so the API, the web UI
and the demo loader all get them: a derived value is stored, with its provenance, in the record's
read-only ``derived`` column and audited with the data it came from.

- ``lesion_assessments`` → ``recist``: the RECIST 1.1 timepoint response at this assessment, the
  best overall response so far (confirmed and unconfirmed) and the engine's reasons; plus
  ``irecist`` when the protocol lists iRECIST among its endpoint criteria, and ``abscopal`` (the
  out-of-field analysis) once lesions carry ``in_field``. The subject's whole
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
from abscopal.response import (
    PatientRecord,
    ResponseParams,
    derive_abscopal_response,
    derive_response_summary,
)
from abscopal.store.derive import DEFAULT_REGISTRY, DerivationContext, DerivationRegistry
from abscopal.toxicity import find_lab_criterion, grade_lab

RECIST_RULE_VERSION = "recist_1_1+irecist+abscopal/2"
CTCAE_RULE_VERSION = "ctcae_v5/1"
ABSCOPAL_RULE_VERSION = "abscopal_lesion/1"


def _lesion_tables(images: Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, bool | None]]:
    """(lesions, measurements, in_field by label) of a subject's assessment images.

    ``in_field`` is the value recorded at the latest assessment that records it (None when no
    assessment does); the engine's lesion table gets False for None (RECIST 1.1 does not use it).
    """
    lesions: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    in_field: dict[str, bool | None] = {}
    for image in sorted(images, key=lambda i: str(i["assessed_on"])):
        for les in image.get("lesions", []):
            if les.get("deleted_at"):
                continue
            label = str(les["lesion_label"])
            recorded = les.get("in_field")
            if recorded is not None or label not in in_field:
                in_field[label] = None if recorded is None else bool(recorded)
            lesions.setdefault(label, {"subject_id": image["subject_id"], "lesion_id": label,
                                       "organ": les.get("organ") or "", "is_nodal":
                                       bool(les.get("is_nodal")), "role": les["category"],
                                       "in_field": False})
            rows.append({"subject_id": image["subject_id"], "assessment_date":
                         pd.Timestamp(image["assessed_on"]).date(), "lesion_id": label,
                         "diameter_mm": les.get("diameter_mm"), "status": les.get("status")})
    for label, flag in in_field.items():
        lesions[label]["in_field"] = bool(flag)
    return pd.DataFrame(list(lesions.values())), pd.DataFrame(rows), in_field


def _abscopal(record: PatientRecord, lesions: pd.DataFrame, in_field: Mapping[str, bool | None],
              params: ResponseParams, day: dt.date) -> dict[str, Any]:
    """The abscopal analysis of the response engine, when every target's in_field is recorded."""
    targets = [str(r["lesion_id"]) for r in lesions.to_dict("records") if r["role"] == "target"]
    unknown = [t for t in targets if in_field.get(t) is None]
    if not targets or unknown:
        return {"abscopal_response": None, "reasons": [
            f"in_field not recorded for target lesion(s) {unknown}" if unknown else "no target lesions"],
            "rule_version": ABSCOPAL_RULE_VERSION}
    try:
        result = derive_abscopal_response(record, params=params)
    except InputError as exc:
        return {"abscopal_response": None, "reasons": [str(exc)], "rule_version": ABSCOPAL_RULE_VERSION}
    at = next((t for t in result.out_of_field if t.assessment_date == day), None)
    return {
        "abscopal_response": result.abscopal_response,
        "in_field_targets": sorted(t for t in targets if in_field[t]),
        "out_of_field_targets": sorted(t for t in targets if not in_field[t]),
        "out_of_field_response": None if at is None else at.response.value,
        "window_end_date": _iso(result.window_end_date),
        "reasons": list(result.reasons),
        "rule_version": result.rule_version,
    }


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
    3. ``abscopal`` (only once some lesion has ``in_field`` recorded): the engine's abscopal
       analysis (``derive_abscopal_response``: out-of-field targets, default definition >= 30 %
       decrease or lesion CR up to the first overall PD). It needs every target's ``in_field``;
       otherwise ``abscopal_response`` is None and the reason names the unrecorded targets. It
       reveals the RT arm: the ``abscopal`` and ``in_field`` keys are hidden from blinded roles.
    """
    # Two records of the same date describe the same scan: the later entry (higher id) wins.
    by_date: dict[str, Mapping[str, Any]] = {}
    for image in sorted([*ctx.subject_records, ctx.record], key=lambda i: int(i["id"])):
        by_date[str(image["assessed_on"])] = image
    images = list(by_date.values())
    lesions, measurements, in_field = _lesion_tables(images)
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
    if any(flag is not None for flag in in_field.values()):
        out["abscopal"] = _abscopal(record, lesions, in_field, params, day)
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
    registry.register("labs", derive_lab_grade, name="ctcae", rule_version=CTCAE_RULE_VERSION,
                      uses_history=False)
