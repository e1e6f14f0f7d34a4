"""The vocabulary of patient facts that protocol rules may reference.

Cohort rules and eligibility rules (``abscopal.eligibility``) name facts by these keys; a rule naming a key
that is not here is rejected when the protocol loads. Versioned data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["bool", "number", "date", "text", "category"]


@dataclass(frozen=True)
class PatientField:
    name: str
    type: FieldType
    description: str
    unit: str | None = None


PATIENT_FIELDS_VERSION = "2"

PATIENT_FIELDS: dict[str, PatientField] = {
    f.name: f
    for f in (
        PatientField("sex", "category", "Sex at birth: 'F' or 'M'"),
        PatientField("birth_date", "date", "Date of birth"),
        PatientField("ecog", "number", "ECOG performance status 0-5"),
        PatientField("weight_kg", "number", "Body weight", "kg"),
        PatientField("height_cm", "number", "Height", "cm"),
        PatientField("consent_date", "date", "Date the informed consent was signed"),
        PatientField(
            "prior_first_line_chemotherapy",
            "bool",
            "Has received first-line systemic chemotherapy for this disease",
        ),
        PatientField(
            "progressed_after_first_line_chemotherapy",
            "bool",
            "Disease progression or new lesions after first-line chemotherapy",
        ),
        PatientField("liver_metastases", "bool", "Has liver metastases"),
        PatientField("metastatic_lesion_count", "number", "Number of distant metastatic lesions"),
        PatientField("metastatic_organ_count", "number", "Number of organs with metastases"),
        PatientField("tumour_type", "text", "Primary tumour type / histology"),
        PatientField(
            "measurable_disease_recist", "bool", "At least one measurable lesion (RECIST 1.1)"
        ),
        PatientField("liver_metastasis_count", "number", "Number of liver metastases"),
        PatientField("extrahepatic_disease", "bool", "Evidence of disease outside the liver"),
        PatientField(
            "progressed_after_immunotherapy",
            "bool",
            "Disease progression on or after immune checkpoint blockade",
        ),
    )
}
