"""Input model: one patient's lesions and assessments (frozen dataclasses) and its JSON form.

JSON format (one patient; a file may hold a list of them)::

    {
      "patient_id": "P01",
      "treatment_start_date": "2025-01-06",            # optional; SD minimum counts from it
      "lesions": [
        {"id": "T1",  "role": "target",     "organ": "liver", "nodal": false, "in_field": true},
        {"id": "T2",  "role": "target",     "organ": "lymph node", "nodal": true},
        {"id": "NT1", "role": "non_target", "organ": "bone"},
        {"id": "N1",  "role": "new", "organ": "lung", "new_category": "nlt"}
      ],
      "assessments": [                                 # first = baseline; dates strictly increasing
        {"date": "2025-01-02", "lesions": {"T1": 46.0, "T2": 17, "NT1": "present"}},
        {"date": "2025-03-01", "lesions": {
            "T1": {"fragments_mm": [12.5, 8]},         # a split lesion: fragments summed
            "T2": "too_small",                         # recorded as 5 mm (R11 §4.3.2)
            "NT1": "absent",
            "N1": {"status": "present", "size_mm": 11}}}
      ]
    }

Per role, a lesion's value at an assessment is

* target: a number (mm; longest diameter, nodes short axis), ``{"size_mm": x}``,
  ``{"fragments_mm": [...]}``, ``"too_small"``, ``"disappeared"`` or ``"not_assessed"``
  (a target missing from an assessment is ``not_assessed``);
* non-target: ``"present"``, ``"absent"``, ``"increased"`` (grew, not unequivocally),
  ``"unequivocal_progression"`` or ``"not_assessed"`` (missing = ``not_assessed``);
* new: ``"absent"`` (missing = absent), ``"equivocal"``, ``"present"`` or ``"progressed"``
  (iRECIST: unequivocal growth of a new non-target lesion); NLT lesions may carry
  ``size_mm``.

Any value may be an object with ``"status"`` and an optional ``"role"``; a role that
differs from the declared one is an error ("lesion changes role").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from abscopal.errors import DateOrderError, InputError, MissingColumnError
from abscopal.response._rules import SCALE


class LesionRole(StrEnum):
    TARGET = "target"
    NON_TARGET = "non_target"
    NEW = "new"


class NewLesionCategory(StrEnum):
    """iRECIST new-lesion categories (iR §"New lesions")."""

    NLT = "nlt"  # new lesion, target: measurable, up to 5 (2 per organ); SOM kept apart
    NLNT = "nlnt"  # new lesion, non-target


class TargetStatus(StrEnum):
    MEASURED = "measured"
    TOO_SMALL = "too_small"
    DISAPPEARED = "disappeared"
    NOT_ASSESSED = "not_assessed"


class NonTargetStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    INCREASED = "increased"
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"
    NOT_ASSESSED = "not_assessed"


class NewLesionStatus(StrEnum):
    ABSENT = "absent"
    EQUIVOCAL = "equivocal"
    PRESENT = "present"
    PROGRESSED = "progressed"


_STATUS_BY_ROLE: dict[LesionRole, type[StrEnum]] = {
    LesionRole.TARGET: TargetStatus,
    LesionRole.NON_TARGET: NonTargetStatus,
    LesionRole.NEW: NewLesionStatus,
}

Status = TargetStatus | NonTargetStatus | NewLesionStatus


@dataclass(frozen=True, slots=True)
class Lesion:
    """A lesion as identified at baseline (targets, non-targets) or when it appears (new).

    Attributes
    ----------
    lesion_id : str
    role : LesionRole
    organ : str
        Organ/site; all nodal lesions count as one organ for the target limits.
    is_nodal : bool
        Measured by short axis; normal below 10 mm.
    in_field : bool
        Inside an irradiated field (RT+IO trials).
    new_category : NewLesionCategory or None
        iRECIST NLT/NLNT, only for new lesions (default NLNT when measured size absent).
    """

    lesion_id: str
    role: LesionRole
    organ: str = ""
    is_nodal: bool = False
    in_field: bool = False
    new_category: NewLesionCategory | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    """One lesion at one assessment. Sizes are exact decimals in mm."""

    lesion_id: str
    status: Status
    size_mm: Decimal | None = None
    fragments_mm: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """One imaging timepoint."""

    assessment_date: dt.date
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """One patient's lesions and assessments; the first assessment is the baseline.

    Checked on construction (:func:`check_patient_record`).
    """

    patient_id: str
    lesions: tuple[Lesion, ...]
    assessments: tuple[Assessment, ...]
    treatment_start_date: dt.date | None = None

    def __post_init__(self) -> None:
        check_patient_record(self)

    @property
    def baseline_date(self) -> dt.date:
        return self.assessments[0].assessment_date


def _where(patient_id: str, lesion_id: str | None = None, date: object = None) -> str:
    parts = [f"patient {patient_id!r}"]
    if lesion_id is not None:
        parts.append(f"lesion {lesion_id!r}")
    if date is not None:
        parts.append(f"assessment {date}")
    return ", ".join(parts)


def to_units(value_mm: Decimal | int | float | str, *, where: str = "size_mm") -> int:
    """Convert a size in mm to exact integer units of 1/10 000 mm.

    Raises
    ------
    InputError
        Negative, non-numeric, or more than 4 decimals.
    """
    if isinstance(value_mm, bool):
        raise InputError(f"{where}: size must be a number of mm (got {value_mm!r})")
    try:
        d = value_mm if isinstance(value_mm, Decimal) else Decimal(str(value_mm))
    except InvalidOperation as exc:
        raise InputError(f"{where}: size must be a number of mm (got {value_mm!r})") from exc
    if not d.is_finite():
        raise InputError(f"{where}: size must be a finite number of mm (got {value_mm!r})")
    if d < 0:
        raise InputError(f"{where}: size must be >= 0 mm (got {value_mm})")
    scaled = d * SCALE
    if scaled != scaled.to_integral_value():
        raise InputError(f"{where}: size must have at most 4 decimals (got {value_mm})")
    return int(scaled)


def check_patient_record(record: PatientRecord) -> None:
    """Raise on structurally invalid input; every message names patient, lesion, assessment.

    Raises
    ------
    InputError
        Empty id, duplicate lesion, unknown lesion, status not valid for the role,
        negative size, a new lesion present at baseline.
    DateOrderError
        Assessment dates not strictly increasing.
    """
    pid = record.patient_id
    if not isinstance(pid, str) or not pid:
        raise InputError(f"'patient_id' must be a non-empty string (got {pid!r})")
    roles: dict[str, LesionRole] = {}
    for les in record.lesions:
        if les.lesion_id in roles:
            raise InputError(f"{_where(pid, les.lesion_id)}: lesion declared twice")
        if les.new_category is not None and les.role is not LesionRole.NEW:
            raise InputError(
                f"{_where(pid, les.lesion_id)}: 'new_category' is only for new lesions "
                f"(role is {les.role.value!r})"
            )
        roles[les.lesion_id] = les.role
    if not record.assessments:
        raise MissingColumnError(f"{_where(pid)}: 'assessments' must hold at least the baseline")
    if not any(r is not LesionRole.NEW for r in roles.values()):
        raise InputError(
            f"{_where(pid)}: no target or non-target lesion at baseline; "
            "RECIST 1.1 needs baseline disease (R11 §3.1)"
        )
    prev: dt.date | None = None
    for i, a in enumerate(record.assessments):
        if prev is not None and a.assessment_date <= prev:
            raise DateOrderError(
                f"{_where(pid, date=a.assessment_date)}: assessment dates must be strictly "
                f"increasing (assessment {i} on {a.assessment_date} is not after {prev})"
            )
        prev = a.assessment_date
        seen: set[str] = set()
        for ob in a.observations:
            _check_observation(pid, ob, roles, seen, a.assessment_date, is_baseline=i == 0)


def _check_observation(
    pid: str,
    ob: Observation,
    roles: dict[str, LesionRole],
    seen: set[str],
    day: dt.date,
    *,
    is_baseline: bool,
) -> None:
    w = _where(pid, ob.lesion_id, day)
    role = roles.get(ob.lesion_id)
    if role is None:
        raise InputError(f"{w}: lesion is not declared in 'lesions'")
    if ob.lesion_id in seen:
        raise InputError(f"{w}: lesion recorded twice in one assessment")
    seen.add(ob.lesion_id)
    allowed = _STATUS_BY_ROLE[role]
    if not isinstance(ob.status, allowed):
        raise InputError(
            f"{w}: status for a {role.value} lesion must be one of "
            f"{[s.value for s in allowed]} (got {str(ob.status)!r})"
        )
    for v in (ob.size_mm, *ob.fragments_mm):
        if v is not None:
            to_units(v, where=w)
    if is_baseline and role is LesionRole.NEW and ob.status is not NewLesionStatus.ABSENT:
        raise InputError(f"{w}: a new lesion cannot be present at baseline")


# --- JSON parsing ------------------------------------------------------------------


def _parse_date(value: Any, where: str, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"{where}: '{name}' must be an ISO date YYYY-MM-DD (got {value!r})") from exc


def _enum(enum: type[StrEnum], value: Any, where: str, name: str) -> Any:
    try:
        return enum(str(value).strip().lower())
    except ValueError as exc:
        raise InputError(
            f"{where}: '{name}' must be one of {[e.value for e in enum]} (got {value!r})"
        ) from exc


def _parse_observation(lesion: Lesion, raw: Any, where: str) -> Observation:
    role = lesion.role
    size: Decimal | None = None
    fragments: tuple[Decimal, ...] = ()
    status_raw: Any
    if isinstance(raw, Mapping):
        if "role" in raw:
            given = _enum(LesionRole, raw["role"], where, "role")
            if given is not role:
                raise InputError(
                    f"{where}: lesion changes role: declared {role.value!r}, "
                    f"recorded here as {given.value!r}"
                )
        unknown = set(raw) - {"role", "status", "size_mm", "fragments_mm"}
        if unknown:
            raise InputError(f"{where}: unknown field(s) {sorted(unknown)}")
        if "size_mm" in raw and raw["size_mm"] is not None:
            size = Decimal(str(to_units(raw["size_mm"], where=where))) / SCALE
        if "fragments_mm" in raw:
            frs = raw["fragments_mm"]
            if not isinstance(frs, list) or not frs:
                raise InputError(f"{where}: 'fragments_mm' must be a non-empty list (got {frs!r})")
            fragments = tuple(Decimal(str(to_units(f, where=where))) / SCALE for f in frs)
        default = "measured" if (size is not None or fragments) else None
        status_raw = raw.get("status", default)
        if status_raw is None:
            raise MissingColumnError(f"{where}: needs 'status', 'size_mm' or 'fragments_mm'")
    elif isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        if role is not LesionRole.TARGET:
            raise InputError(
                f"{where}: a {role.value} lesion takes a status, not a size (got {raw!r})"
            )
        size = Decimal(str(to_units(raw, where=where))) / SCALE
        status_raw = "measured"
    elif isinstance(raw, str):
        status_raw = raw
    else:
        raise InputError(f"{where}: value must be a number, a status or an object (got {raw!r})")
    status = _enum(_STATUS_BY_ROLE[role], status_raw, where, "status")
    if role is LesionRole.TARGET and status is TargetStatus.MEASURED and size is None and not fragments:
        raise MissingColumnError(f"{where}: a measured target needs 'size_mm' or 'fragments_mm'")
    if role is LesionRole.NON_TARGET and (size is not None or fragments):
        raise InputError(f"{where}: non-target lesions are assessed qualitatively; drop 'size_mm'")
    return Observation(lesion.lesion_id, status, size, fragments)


def parse_patient(data: Mapping[str, Any]) -> PatientRecord:
    """Build a :class:`PatientRecord` from its JSON form (see the module docstring).

    Raises
    ------
    InputError, MissingColumnError, DateOrderError
        With patient, lesion and assessment named.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"a patient must be a JSON object (got {type(data).__name__})")
    pid = data.get("patient_id")
    if not isinstance(pid, str) or not pid:
        raise MissingColumnError(f"'patient_id' must be a non-empty string (got {pid!r})")
    lesions: list[Lesion] = []
    declared: dict[str, Lesion] = {}
    raw_lesions = data.get("lesions")
    if not isinstance(raw_lesions, list) or not raw_lesions:
        raise MissingColumnError(f"{_where(pid)}: 'lesions' must be a non-empty list")
    for raw in raw_lesions:
        if not isinstance(raw, Mapping) or not raw.get("id"):
            raise MissingColumnError(f"{_where(pid)}: every lesion needs an 'id' (got {raw!r})")
        lid = str(raw["id"])
        w = _where(pid, lid)
        role = _enum(LesionRole, raw.get("role"), w, "role")
        if lid in declared:
            if declared[lid].role is not role:
                raise InputError(
                    f"{w}: lesion changes role: declared {declared[lid].role.value!r} "
                    f"and {role.value!r}"
                )
            raise InputError(f"{w}: lesion declared twice")
        cat = raw.get("new_category")
        les = Lesion(
            lesion_id=lid,
            role=role,
            organ=str(raw.get("organ", "")),
            is_nodal=bool(raw.get("nodal", False)),
            in_field=bool(raw.get("in_field", False)),
            new_category=None if cat is None else _enum(NewLesionCategory, cat, w, "new_category"),
        )
        declared[lid] = les
        lesions.append(les)
    raw_assessments = data.get("assessments")
    if not isinstance(raw_assessments, list) or not raw_assessments:
        raise MissingColumnError(f"{_where(pid)}: 'assessments' must be a non-empty list")
    assessments: list[Assessment] = []
    for k, raw_a in enumerate(raw_assessments):
        if not isinstance(raw_a, Mapping):
            raise InputError(f"{_where(pid)}: assessment {k} must be an object (got {raw_a!r})")
        day = _parse_date(raw_a.get("date"), f"{_where(pid)}, assessment {k}", "date")
        obs_raw = raw_a.get("lesions", {})
        if not isinstance(obs_raw, Mapping):
            raise InputError(f"{_where(pid, date=day)}: 'lesions' must be an object")
        obs: list[Observation] = []
        for lid, value in obs_raw.items():
            w = _where(pid, str(lid), day)
            if str(lid) not in declared:
                raise InputError(f"{w}: lesion is not declared in 'lesions'")
            obs.append(_parse_observation(declared[str(lid)], value, w))
        assessments.append(Assessment(day, tuple(obs)))
    start = data.get("treatment_start_date")
    return PatientRecord(
        patient_id=pid,
        lesions=tuple(lesions),
        assessments=tuple(assessments),
        treatment_start_date=None if start is None else _parse_date(
            start, _where(pid), "treatment_start_date"
        ),
    )


def parse_patients(data: Any) -> tuple[PatientRecord, ...]:
    """Parse one patient (object) or several (list) from decoded JSON."""
    if isinstance(data, Mapping):
        return (parse_patient(data),)
    if isinstance(data, Sequence) and not isinstance(data, str):
        records = tuple(parse_patient(p) for p in data)
        ids = [r.patient_id for r in records]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise InputError(f"patient ids must be unique (repeated: {dupes})")
        return records
    raise InputError(f"input must be a patient object or a list of them (got {type(data).__name__})")


def dump_patient(record: PatientRecord) -> dict[str, Any]:
    """The JSON form of a record (inverse of :func:`parse_patient`)."""
    lesions: list[dict[str, Any]] = []
    for les in record.lesions:
        d: dict[str, Any] = {"id": les.lesion_id, "role": les.role.value, "organ": les.organ,
                             "nodal": les.is_nodal, "in_field": les.in_field}
        if les.new_category is not None:
            d["new_category"] = les.new_category.value
        lesions.append(d)
    assessments: list[dict[str, Any]] = []
    for a in record.assessments:
        obs: dict[str, Any] = {}
        for ob in a.observations:
            v: dict[str, Any] = {"status": ob.status.value}
            if ob.size_mm is not None:
                v["size_mm"] = str(ob.size_mm)
            if ob.fragments_mm:
                v["fragments_mm"] = [str(f) for f in ob.fragments_mm]
            obs[ob.lesion_id] = v
        assessments.append({"date": a.assessment_date.isoformat(), "lesions": obs})
    out: dict[str, Any] = {"patient_id": record.patient_id, "lesions": lesions,
                           "assessments": assessments}
    if record.treatment_start_date is not None:
        out["treatment_start_date"] = record.treatment_start_date.isoformat()
    return out
