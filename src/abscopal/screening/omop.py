"""Where each rule input lives in an OMOP CDM (v5.3/v5.4) database. Versioned data.

Only standard codes appear here; concept ids are always resolved through the database's own
``concept`` table (and ``concept_ancestor`` for descendants).
"""

from __future__ import annotations

from dataclasses import dataclass

from abscopal.eligibility.concepts import LOCAL_VOCABULARY

OMOP_MAP_VERSION = "1"

GENDER_VOCABULARY = "Gender"
"""Sex comes from ``person.gender_concept_id`` resolved to Gender codes 'F'/'M'."""


@dataclass(frozen=True)
class EventTable:
    table: str
    concept_column: str
    start_column: str
    end_column: str | None


EVENT_TABLES: dict[str, EventTable] = {
    "condition": EventTable("condition_occurrence", "condition_concept_id",
                            "condition_start_date", "condition_end_date"),
    "drug": EventTable("drug_exposure", "drug_concept_id", "drug_exposure_start_date",
                       "drug_exposure_end_date"),
    # procedure_end_date exists only in CDM v5.4; the start date is used for both versions.
    "procedure": EventTable("procedure_occurrence", "procedure_concept_id", "procedure_date",
                            None),
}

FACT_VOCABULARY = LOCAL_VOCABULARY
"""Oncology facts no standard vocabulary codes (lesion counts, RECIST measurability) are read
from ``observation`` rows whose concept has ``vocabulary_id = 'ABSCOPAL'`` and
``concept_code`` = the patient-field name; the latest row on or before the screening date
gives ``value_as_number`` (1/0 for yes/no facts)."""

CDM_TABLES = (
    "person", "observation_period", "condition_occurrence", "drug_exposure",
    "procedure_occurrence", "measurement", "observation", "death", "concept",
)
"""Tables the batch path reads (``concept_ancestor`` is used when present)."""
