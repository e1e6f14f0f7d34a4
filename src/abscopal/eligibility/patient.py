"""The patient file: facts, dated measurements with units and reference ranges, coded events.

JSON layout (all dates ISO ``YYYY-MM-DD``)::

    {
      "patient_id": "P-001",
      "facts": {"sex": "F", "birth_date": "1961-03-02", "measurable_disease_recist": true,
                "metastatic_lesion_count": 3, "metastatic_organ_count": 2},
      "measurements": [
        {"name": "alt", "value": 52, "unit": "U/L", "date": "2025-01-08",
         "ref_low": 7, "ref_high": 40},
        {"loinc": "26515-7", "value": 95, "unit": "10^9/L", "date": "2025-01-08"}
      ],
      "events": [
        {"domain": "drug", "date": "2024-12-20", "end_date": "2024-12-27",
         "codes": [{"vocabulary": "RxNorm", "code": "723"}], "label": "amoxicillin"},
        {"domain": "procedure", "date": "2024-09-01",
         "codes": [{"vocabulary": "ABSCOPAL", "code": "rt_abdomen_pelvis"}]}
      ],
      "observation_periods": [{"start": "2015-01-01", "end": "2025-01-10"}]
    }

``facts`` keys come from ``abscopal.protocol.fields``. A measurement names a catalogue entry
(``name``) or gives its ``loinc`` code. ``observation_periods`` says over which dates the record
is complete; omitted, the file is taken as the patient's complete history (absence of an event
then means it did not happen).
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from abscopal.eligibility.measurements import MEASUREMENTS
from abscopal.errors import InputError

_LOINC_TO_NAME = {code: spec.name for spec in MEASUREMENTS.values() for code in spec.loinc}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatientMeasurement(_Model):
    name: str | None = None
    loinc: str | None = None
    value: float | None = None
    unit: str | None = None
    date: date
    ref_low: float | None = None
    ref_high: float | None = None

    @model_validator(mode="after")
    def _named(self) -> PatientMeasurement:
        if self.name is None and self.loinc is None:
            raise ValueError("a measurement needs a 'name' or a 'loinc' code")
        if self.name is not None and self.name not in MEASUREMENTS:
            raise ValueError(
                f"unknown measurement {self.name!r} (known: {', '.join(sorted(MEASUREMENTS))})"
            )
        return self

    @property
    def key(self) -> str | None:
        """The catalogue name, from ``name`` or else the LOINC code (None if unknown)."""
        return self.name if self.name is not None else _LOINC_TO_NAME.get(self.loinc or "")


class CodeRef(_Model):
    vocabulary: str = Field(min_length=1)
    code: str = Field(min_length=1)


class PatientEvent(_Model):
    domain: Literal["condition", "drug", "procedure"]
    date: date
    end_date: dt.date | None = None
    codes: tuple[CodeRef, ...] = Field(min_length=1)
    label: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PatientEvent:
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError(f"'end_date' {self.end_date} is before 'date' {self.date}")
        return self


class ObservationPeriod(_Model):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> ObservationPeriod:
        if self.end < self.start:
            raise ValueError(f"'end' {self.end} is before 'start' {self.start}")
        return self


class Patient(_Model):
    patient_id: str = Field(min_length=1)
    facts: dict[str, bool | int | float | date | str] = Field(default_factory=dict)
    measurements: tuple[PatientMeasurement, ...] = ()
    events: tuple[PatientEvent, ...] = ()
    observation_periods: tuple[ObservationPeriod, ...] | None = None

    @model_validator(mode="after")
    def _known_facts(self) -> Patient:
        from abscopal.protocol.fields import PATIENT_FIELDS

        problems = []
        for key, value in self.facts.items():
            spec = PATIENT_FIELDS.get(key)
            if spec is None:
                problems.append(f"facts.{key}: unknown patient field")
            elif spec.type == "bool" and not isinstance(value, bool):
                problems.append(f"facts.{key}: expected true/false (got {value!r})")
            elif spec.type == "number" and (isinstance(value, bool) or
                                            not isinstance(value, (int, float))):
                problems.append(f"facts.{key}: expected a number (got {value!r})")
            elif spec.type == "date" and not isinstance(value, date):
                problems.append(f"facts.{key}: expected a date YYYY-MM-DD (got {value!r})")
            elif spec.type in ("category", "text") and not isinstance(value, str):
                problems.append(f"facts.{key}: expected text (got {value!r})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_patient(document: Any, *, source: str = "<patient>") -> Patient:
    """Validate a parsed JSON document as a patient.

    Date facts (``birth_date``, ``consent_date``) may be given as ISO strings.

    Raises
    ------
    InputError
        Naming every problem with its path.
    """
    if not isinstance(document, dict):
        raise InputError(f"{source}: expected a JSON object (got {type(document).__name__})")
    from abscopal.protocol.fields import PATIENT_FIELDS

    facts = dict(document.get("facts") or {})
    for key, value in facts.items():
        spec = PATIENT_FIELDS.get(key)
        if spec is not None and spec.type == "date" and isinstance(value, str):
            try:
                facts[key] = date.fromisoformat(value)
            except ValueError as exc:
                raise InputError(
                    f"{source}: facts.{key}: expected a date YYYY-MM-DD (got {value!r})"
                ) from exc
    try:
        return Patient.model_validate({**document, "facts": facts})
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"]) or "(document)"
            lines.append(f"{where}: {err['msg']} (got {str(err.get('input'))[:60]!r})")
        raise InputError(f"{source}: invalid patient file\n  - " + "\n  - ".join(lines)) from exc
