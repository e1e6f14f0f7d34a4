"""Derivation step: captured ``TrialData`` + ``Protocol`` -> ``TrialData`` with derived columns.

The service calls :func:`derive_trial_data` whenever a trial's data change; the report and the
SDTM export call it on demo data. It fills

* ``responses``: one row per subject, assessment and criteria with the overall timepoint
  response of the response engine (:mod:`abscopal.response`) — RECIST 1.1 for every trial,
  iRECIST as well when any endpoint of the protocol lists ``irecist``;
* ``labs.ctcae_term`` / ``labs.ctcae_grade``: CTCAE v5.0 grades from
  :func:`abscopal.toxicity.grade_labs` for the tests listed in :data:`LAB_CTCAE_TERMS`
  (others stay empty).

Nothing here decides a clinical rule: records are converted to the engines' input model and
the engines' answers are copied back. The conversion rules are in :func:`build_patient_record`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from abscopal.errors import InputError
from abscopal.protocol import Protocol, Randomised
from abscopal.protocol.endpoints import ResponseCriteria
from abscopal.response import (
    Assessment,
    Lesion,
    LesionRole,
    NewLesionCategory,
    NewLesionStatus,
    NonTargetStatus,
    Observation,
    PatientEvaluation,
    PatientRecord,
    ResponseParams,
    TargetStatus,
    derive_patient_evaluation,
)
from abscopal.toxicity import grade_labs
from abscopal.trialdata import TrialData, check_trial_data

RULE_VERSION = "report-derive/1"

#: Lab test codes of ``TrialData.labs`` -> CTCAE v5.0 term graded for it (low and high
#: direction where the code can go either way is the toxicity engine's business).
LAB_CTCAE_TERMS: dict[str, str] = {
    "LYM": "Lymphocyte count decreased",
    "NEUT": "Neutrophil count decreased",
    "PLAT": "Platelet count decreased",
    "HGB": "Anemia",
    "ALT": "Alanine aminotransferase increased",
    "CREAT": "Creatinine increased",
}


def uses_irecist(protocol: Protocol) -> bool:
    """True when any endpoint of the protocol lists iRECIST among its criteria."""
    return any(ResponseCriteria.IRECIST in e.criteria for e in protocol.endpoints)


def is_randomised(protocol: Protocol) -> bool:
    """True when at least two arms are assigned by randomisation."""
    return sum(isinstance(a.assignment, Randomised) for a in protocol.arms) >= 2


def default_response_params(protocol: Protocol) -> ResponseParams:
    """Response parameters for a protocol: confirmation required unless randomised.

    Rules
    -----
    1. RECIST 1.1 §4.6: confirmation of CR/PR is required in non-randomised trials where
       response is an endpoint, and not required in randomised trials (the control arm guards
       against bias). Every other parameter keeps the engine default (recist_spec §7).
    """
    return ResponseParams(require_confirmation=not is_randomised(protocol))


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _date(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def build_patient_record(
    subject_id: str,
    lesions: pd.DataFrame,
    measurements: pd.DataFrame,
    *,
    treatment_start_date: Any = None,
) -> PatientRecord:
    """Convert one subject's ``lesions`` and ``lesion_measurements`` rows to a PatientRecord.

    Rules
    -----
    1. One assessment per distinct ``assessment_date``, in date order; the first is baseline.
    2. Target: ``diameter_mm`` is the measurement (mm, nodes short axis). Without a diameter,
       ``status`` "absent" (or "disappeared") is a disappeared lesion (0 mm), "too_small" is
       too small to measure (5 mm, RECIST 1.1 §4.3.2), anything else is "not assessed".
    3. Non-target: ``status`` is one of present, absent, increased, unequivocal_progression;
       anything else (or no row) is "not assessed".
    4. New lesion: present from the first date it has a row; measurable (>= 10 mm) new
       lesions are iRECIST NLT with their size, others NLNT (iRECIST §"New lesions").
    """
    les_rows = lesions.to_dict("records")
    declared: list[Lesion] = []
    roles: dict[str, LesionRole] = {}
    new_sizes: dict[str, float] = {}
    meas = measurements.sort_values(["assessment_date", "lesion_id"])
    for row in meas.to_dict("records"):
        lid = str(row["lesion_id"])
        if lid not in new_sizes and not _missing(row["diameter_mm"]):
            new_sizes[lid] = float(row["diameter_mm"])
    for row in les_rows:
        lid = str(row["lesion_id"])
        try:
            role = LesionRole(str(row["role"]))
        except ValueError as exc:
            raise InputError(
                f"lesions.role must be one of {[r.value for r in LesionRole]} "
                f"(got {row['role']!r}) for subject {subject_id}, lesion {lid}"
            ) from exc
        category = None
        if role is LesionRole.NEW:
            category = (NewLesionCategory.NLT if new_sizes.get(lid, 0.0) >= 10
                        else NewLesionCategory.NLNT)
        declared.append(Lesion(lid, role, organ=str(row["organ"] or ""),
                               is_nodal=bool(row["is_nodal"]), in_field=bool(row["in_field"]),
                               new_category=category))
        roles[lid] = role
    category_of = {les.lesion_id: les.new_category for les in declared}
    assessments: list[Assessment] = []
    for day, group in meas.groupby("assessment_date", sort=True):
        obs: list[Observation] = []
        for row in group.to_dict("records"):
            lid = str(row["lesion_id"])
            known = roles.get(lid)
            if known is None:
                raise InputError(f"lesion_measurements: lesion {lid!r} of subject {subject_id} "
                                 "is not in the lesions table")
            obs.append(_observation(lid, known, row, category_of.get(lid)))
        assessments.append(Assessment(_date(day), tuple(obs)))
    return PatientRecord(subject_id, tuple(declared), tuple(assessments),
                         treatment_start_date=None if _missing(treatment_start_date)
                         else _date(treatment_start_date))


def _observation(lid: str, role: LesionRole, row: Mapping[str, Any],
                 category: NewLesionCategory | None) -> Observation:
    status = str(row["status"] or "")
    size = row["diameter_mm"]
    if role is LesionRole.TARGET:
        if _missing(size):
            special = {"absent": TargetStatus.DISAPPEARED, "disappeared": TargetStatus.DISAPPEARED,
                       "too_small": TargetStatus.TOO_SMALL}
            return Observation(lid, special.get(status, TargetStatus.NOT_ASSESSED))
        return Observation(lid, TargetStatus.MEASURED, Decimal(str(round(float(size), 4))))
    if role is LesionRole.NON_TARGET:
        try:
            return Observation(lid, NonTargetStatus(status))
        except ValueError:
            return Observation(lid, NonTargetStatus.NOT_ASSESSED)
    try:
        new_status = NewLesionStatus(status)
    except ValueError:
        new_status = NewLesionStatus.PRESENT
    keep_size = category is NewLesionCategory.NLT and not _missing(size)
    return Observation(lid, new_status,
                       Decimal(str(round(float(size), 4))) if keep_size else None)


def build_patient_records(data: TrialData) -> dict[str, PatientRecord]:
    """A PatientRecord for every enrolled subject with at least one lesion assessment."""
    subjects = data.subjects
    enrolled = subjects[subjects["enrolment_date"].notna()]
    lesions = {k: g for k, g in data.lesions.groupby("subject_id", sort=False)}
    meas = {k: g for k, g in data.lesion_measurements.groupby("subject_id", sort=False)}
    out: dict[str, PatientRecord] = {}
    for row in enrolled.to_dict("records"):
        sid = str(row["subject_id"])
        if sid not in meas or sid not in lesions:
            continue
        out[sid] = build_patient_record(sid, lesions[sid], meas[sid],
                                        treatment_start_date=row["enrolment_date"])
    return out


def derive_evaluations(
    data: TrialData,
    protocol: Protocol,
    *,
    params: ResponseParams | None = None,
) -> dict[str, PatientEvaluation]:
    """Run the response engine on every subject: RECIST 1.1, iRECIST when the protocol lists
    it, and the lesion-level / abscopal evaluation."""
    p = params if params is not None else default_response_params(protocol)
    criteria = "irecist" if uses_irecist(protocol) else "recist_1_1"
    return {sid: derive_patient_evaluation(rec, criteria=criteria, params=p)
            for sid, rec in build_patient_records(data).items()}


def responses_table(evaluations: Mapping[str, PatientEvaluation]) -> pd.DataFrame:
    """The ``responses`` table: each evaluated timepoint's overall response per criteria.

    Timepoints after RECIST 1.1 PD (overall ``None``) have no row.
    """
    rows: list[dict[str, Any]] = []
    for sid, ev in evaluations.items():
        for tp in ev.recist11.timepoints:
            if tp.overall is not None:
                rows.append({"subject_id": sid, "assessment_date": tp.assessment_date,
                             "criteria": "recist_1_1", "response": tp.overall.value})
        if ev.irecist is not None:
            for itp in ev.irecist.timepoints:
                if itp.overall is not None:
                    rows.append({"subject_id": sid, "assessment_date": itp.assessment_date,
                                 "criteria": "irecist", "response": itp.overall.value})
    columns = ["subject_id", "assessment_date", "criteria", "response"]
    return pd.DataFrame(rows, columns=columns)


def grade_lab_table(labs: pd.DataFrame, *, version: str = "ctcae_v5") -> pd.DataFrame:
    """Labs with ``ctcae_term``/``ctcae_grade`` filled by the toxicity engine.

    Rules
    -----
    1. The CTCAE term of a test comes from :data:`LAB_CTCAE_TERMS`; other tests are not graded.
    2. Grades are the engine's (``grade_labs``, CTCAE v5.0); a value it cannot grade (e.g. no
       LLN) stays empty, never 0.
    """
    out = labs.copy()
    out["ctcae_term"] = out["test"].map(LAB_CTCAE_TERMS)
    out["ctcae_grade"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    gradable = out["ctcae_term"].notna()
    if not gradable.any():
        return out
    table = pd.DataFrame({
        "term": out.loc[gradable, "ctcae_term"], "value": out.loc[gradable, "value"],
        "unit": out.loc[gradable, "unit"], "lln": out.loc[gradable, "lln"],
        "uln": out.loc[gradable, "uln"],
    })
    graded = grade_labs(table, version=version)
    out.loc[gradable, "ctcae_grade"] = [None if pd.isna(g) else int(g) for g in graded["grade"]]
    return out


@dataclass(frozen=True)
class DerivedTrial:
    """The derived data and what was derived.

    Attributes
    ----------
    data : TrialData
        ``responses`` filled; ``labs.ctcae_grade`` filled when ``labs_graded``.
    evaluations : dict
        subject_id -> the response engine's full :class:`PatientEvaluation`.
    params : ResponseParams
    criteria : tuple of str
        ``("recist_1_1",)`` or ``("recist_1_1", "irecist")``.
    labs_graded : bool
        True when lab CTCAE grades were derived.
    rule_version : str
    """

    data: TrialData
    evaluations: dict[str, PatientEvaluation]
    params: ResponseParams
    criteria: tuple[str, ...]
    labs_graded: bool
    rule_version: str = RULE_VERSION


def derive_trial(
    data: TrialData,
    protocol: Protocol,
    *,
    params: ResponseParams | None = None,
) -> DerivedTrial:
    """Fill the derived columns of ``data`` (see the module docstring) and keep the
    engines' full results.

    Raises
    ------
    MissingColumnError
        A table lacks a contract column.
    InputError
        ``data`` belongs to another trial, or a lesion record cannot be converted.
    """
    check_trial_data(data)
    if data.trial_id != protocol.identity.registry_id:
        raise InputError(f"'data.trial_id' must match the protocol "
                         f"{protocol.identity.registry_id!r} (got {data.trial_id!r})")
    p = params if params is not None else default_response_params(protocol)
    evaluations = derive_evaluations(data, protocol, params=p)
    derived = dataclasses.replace(data, responses=responses_table(evaluations),
                                  labs=grade_lab_table(data.labs))
    criteria = ("recist_1_1", "irecist") if uses_irecist(protocol) else ("recist_1_1",)
    return DerivedTrial(derived, evaluations, p, criteria, labs_graded=True)


def derive_trial_data(
    data: TrialData,
    protocol: Protocol,
    *,
    params: ResponseParams | None = None,
) -> TrialData:
    """``data`` with ``responses`` and lab CTCAE grades derived."""
    return derive_trial(data, protocol, params=params).data


__all__ = [
    "LAB_CTCAE_TERMS",
    "RULE_VERSION",
    "DerivedTrial",
    "build_patient_record",
    "build_patient_records",
    "default_response_params",
    "derive_evaluations",
    "derive_trial",
    "derive_trial_data",
    "grade_lab_table",
    "is_randomised",
    "responses_table",
    "uses_irecist",
]
