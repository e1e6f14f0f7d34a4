"""One-call entry points: a patient's full response evaluation and a compact summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from abscopal.errors import Finding
from abscopal.response._core import Response
from abscopal.response._rules import RECIST_1_1_RULES, ResponseParams, get_rules
from abscopal.response.baseline import validate_baseline
from abscopal.response.irecist import IrecistResult, derive_irecist
from abscopal.response.lesions import AbscopalResult, derive_abscopal_response
from abscopal.response.model import PatientRecord
from abscopal.response.recist11 import Recist11Result, derive_recist11


@dataclass(frozen=True, slots=True)
class TimepointSummary:
    assessment_date: dt.date
    response: Response | None


@dataclass(frozen=True, slots=True)
class ResponseSummary:
    """Compact per-patient result for services and analysis helpers.

    Attributes
    ----------
    patient_id : str
    rule_version : str
        ``recist_1_1`` or ``irecist``.
    timepoints : tuple of TimepointSummary
        Overall response per follow-up (None after PD / iCPD).
    best_overall_response : Response
        Under the protocol's confirmation choice (``params.require_confirmation``).
    require_confirmation : bool
    first_response_date : date or None
        Start of the response (DoR start).
    progression_date : date or None
        RECIST 1.1: first PD (dated back for confirmed equivocal new lesions).
        iRECIST: the iUPD date that was later confirmed as iCPD.
    reasons : tuple of str
        Why the BOR is what it is.
    """

    patient_id: str
    rule_version: str
    timepoints: tuple[TimepointSummary, ...]
    best_overall_response: Response
    require_confirmation: bool
    first_response_date: dt.date | None
    progression_date: dt.date | None
    reasons: tuple[str, ...]


def derive_response_summary(
    record: PatientRecord,
    *,
    criteria: str = "recist_1_1",
    params: ResponseParams | None = None,
) -> ResponseSummary:
    """Per-timepoint responses, BOR, first-response date and progression date of one patient.

    Parameters
    ----------
    record : PatientRecord
        One patient's assessments (baseline first).
    criteria : {"recist_1_1", "irecist"}
    params : ResponseParams, optional
        Protocol parameters (defaults: recist_spec §7).

    Returns
    -------
    ResponseSummary

    Examples
    --------
    >>> from abscopal.response.model import parse_patient
    >>> rec = parse_patient({"patient_id": "P1", "treatment_start_date": "2025-01-01",
    ...   "lesions": [{"id": "T1", "role": "target", "organ": "liver"}],
    ...   "assessments": [{"date": "2025-01-01", "lesions": {"T1": 46.0}},
    ...                   {"date": "2025-02-26", "lesions": {"T1": 32.2}},
    ...                   {"date": "2025-04-02", "lesions": {"T1": 30}}]})
    >>> s = derive_response_summary(rec)
    >>> [t.response.value for t in s.timepoints], s.best_overall_response.value
    (['PR', 'PR'], 'PR')
    >>> s.first_response_date
    datetime.date(2025, 2, 26)
    """
    rules = get_rules(criteria)
    if rules.version == "irecist":
        ir = derive_irecist(record, rules=rules, params=params)
        bor = ir.best_overall_response
        return ResponseSummary(
            record.patient_id, ir.rule_version,
            tuple(TimepointSummary(t.assessment_date, t.overall) for t in ir.timepoints),
            bor.response, ir.require_confirmation, bor.first_response_date,
            ir.confirmed_iupd_date, bor.reasons,
        )
    r = derive_recist11(record, rules=rules, params=params)
    bor = r.best_overall_response
    return ResponseSummary(
        record.patient_id, r.rule_version,
        tuple(TimepointSummary(t.assessment_date, t.overall) for t in r.timepoints),
        bor.response, r.require_confirmation, bor.first_response_date, bor.pd_date, bor.reasons,
    )


@dataclass(frozen=True, slots=True)
class PatientEvaluation:
    """Everything for one patient: baseline findings, RECIST 1.1, iRECIST (if asked),
    lesion-level/abscopal results."""

    patient_id: str
    baseline_findings: tuple[Finding, ...]
    recist11: Recist11Result
    irecist: IrecistResult | None
    abscopal: AbscopalResult


def derive_patient_evaluation(
    record: PatientRecord,
    *,
    criteria: str = "recist_1_1",
    params: ResponseParams | None = None,
) -> PatientEvaluation:
    """Run every derivation for one patient (RECIST 1.1 always; iRECIST side by side when
    ``criteria="irecist"``)."""
    rules = get_rules(criteria)
    p = params if params is not None else ResponseParams()
    return PatientEvaluation(
        patient_id=record.patient_id,
        baseline_findings=validate_baseline(record, rules=RECIST_1_1_RULES),
        recist11=derive_recist11(record, rules=RECIST_1_1_RULES, params=p),
        irecist=derive_irecist(record, rules=rules, params=p) if rules.version == "irecist" else None,
        abscopal=derive_abscopal_response(record, rules=RECIST_1_1_RULES, params=p),
    )


def to_jsonable(obj: Any) -> Any:
    """Turn result dataclasses into JSON-ready data (dates ISO, Decimals as numbers)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        for extra in ("best_overall_response",):
            if hasattr(type(obj), extra) and isinstance(getattr(type(obj), extra), property):
                out[extra] = to_jsonable(getattr(obj, extra))
        return out
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, Fraction):
        return float(obj)
    if isinstance(obj, tuple | list):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj
