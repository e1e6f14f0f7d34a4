"""Interventions: radiation courses, drugs and procedures, each with the numbers that drive
calendars, dose checks and analysis.

Units are in the field names (``dose_per_fraction_gy``, ``cycle_length_days``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from abscopal.protocol._common import Identifier, StrictModel


class RadiationTechnique(StrEnum):
    INTESTINAL_LOW_DOSE_RT = "intestinal_low_dose_rt"
    SBRT = "sbrt"
    HYPOFRACTIONATED_EBRT = "hypofractionated_ebrt"
    CONVENTIONAL_EBRT = "conventional_ebrt"
    I125_SEED_IMPLANT = "i125_seed_implant"


class AnchorEvent(StrEnum):
    """Events a schedule can be anchored to."""

    ENROLMENT = "enrolment"
    RANDOMISATION = "randomisation"
    RT_FIRST_FRACTION = "rt_first_fraction"
    RT_LAST_FRACTION = "rt_last_fraction"
    IMPLANT = "implant"
    SURGERY = "surgery"
    TREATMENT_START = "treatment_start"
    TREATMENT_END = "treatment_end"


class Anchor(StrictModel):
    """``offset_days`` after ``event`` (0 = the same day; 1 = the day after)."""

    event: AnchorEvent
    offset_days: int = 0


class Fractionation(StrictModel):
    """One allowed regimen: ``fractions`` × ``dose_per_fraction_gy``."""

    dose_per_fraction_gy: float = Field(gt=0, le=200)
    fractions: int = Field(gt=0, le=60)
    total_dose_gy: float = Field(gt=0)

    @model_validator(mode="after")
    def _total_matches(self) -> Fractionation:
        # Compare in hundredths of a Gy so 3 x 0.1 == 0.3 holds exactly.
        expected = round(self.dose_per_fraction_gy * self.fractions * 100)
        if expected != round(self.total_dose_gy * 100):
            raise ValueError(
                f"total_dose_gy {self.total_dose_gy} != fractions {self.fractions} x "
                f"dose_per_fraction_gy {self.dose_per_fraction_gy}"
            )
        return self


class DeliveryRules(StrictModel):
    weekdays_only: bool = False
    max_span_days: int | None = Field(
        default=None, gt=0, description="All fractions within this many days (first to last)"
    )
    min_gap_days: int | None = Field(default=None, ge=0)


class DoseMetric(StrEnum):
    """Dose-volume metrics a protocol can ask to record (AAPM TG-43/TG-137 naming)."""

    D90 = "D90"
    D100 = "D100"
    V100 = "V100"
    V150 = "V150"
    V200 = "V200"
    DMEAN = "Dmean"
    DMAX = "Dmax"
    D2CC = "D2cc"


class PrescriptionRange(StrictModel):
    """A metric's allowed range, e.g. D90 between 90 and 140 Gy."""

    metric: DoseMetric
    min_gy: float | None = Field(default=None, ge=0)
    max_gy: float | None = Field(default=None, ge=0)
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PrescriptionRange:
        if self.min_gy is None and self.max_gy is None:
            raise ValueError("a prescription range needs min_gy, max_gy or both")
        if self.min_gy is not None and self.max_gy is not None and self.min_gy > self.max_gy:
            raise ValueError(f"min_gy {self.min_gy} > max_gy {self.max_gy}")
        return self


class RadiationIntervention(StrictModel):
    kind: Literal["radiation"] = "radiation"
    id: str = Identifier
    name: str = Field(min_length=1)
    description: str | None = None
    technique: RadiationTechnique
    target_volume: str = Field(min_length=1)
    regimens: tuple[Fractionation, ...] = Field(
        default=(), description="Allowed fractionations; several when the protocol gives a range"
    )
    isotope: Literal["I-125"] | None = None
    delivery: DeliveryRules = DeliveryRules()
    start: Anchor | None = None
    dose_metrics_recorded: tuple[DoseMetric, ...] = ()
    prescription: tuple[PrescriptionRange, ...] = ()

    @model_validator(mode="after")
    def _technique_fits(self) -> RadiationIntervention:
        implant = self.technique is RadiationTechnique.I125_SEED_IMPLANT
        if implant and self.isotope is None:
            raise ValueError("technique 'i125_seed_implant' needs isotope 'I-125'")
        if not implant and not self.regimens:
            raise ValueError(
                f"technique {self.technique.value!r} needs at least one regimen "
                "(dose_per_fraction_gy, fractions, total_dose_gy)"
            )
        return self


class DoseUnit(StrEnum):
    MG = "mg"
    MG_PER_M2 = "mg/m2"
    MG_PER_KG = "mg/kg"
    AUC = "AUC"


class Dose(StrictModel):
    amount: float = Field(gt=0)
    unit: DoseUnit
    per_day: bool = Field(default=False, description="The amount is given on each listed day")


class DrugIntervention(StrictModel):
    kind: Literal["drug"] = "drug"
    id: str = Identifier
    name: str = Field(min_length=1)
    description: str | None = None
    agent: str | None = Field(default=None, description="Named agent, e.g. 'toripalimab'")
    drug_class: str | None = Field(
        default=None, description="When no agent is fixed, e.g. 'PD-1/PD-L1 inhibitor'"
    )
    dose: Dose | None = Field(default=None, description="None when dosing is per label/choice")
    dosing_note: str | None = None
    route: Literal["iv", "oral", "subcutaneous", "other"] | None = None
    days_in_cycle: tuple[int, ...] = Field(default=(1,))
    cycle_length_days: int | None = Field(default=None, gt=0)
    max_cycles: int | None = Field(default=None, gt=0)
    max_duration_weeks: int | None = Field(default=None, gt=0)
    start: Anchor | None = None

    @model_validator(mode="after")
    def _cycle_fits(self) -> DrugIntervention:
        if self.agent is None and self.drug_class is None:
            raise ValueError("a drug needs an agent or a drug_class")
        if self.dose is None and self.dosing_note is None:
            raise ValueError("a drug without a dose needs a dosing_note saying why")
        if any(d < 1 for d in self.days_in_cycle):
            raise ValueError(f"days_in_cycle are 1-based (got {list(self.days_in_cycle)})")
        if self.cycle_length_days is not None and any(
            d > self.cycle_length_days for d in self.days_in_cycle
        ):
            raise ValueError(
                f"days_in_cycle {list(self.days_in_cycle)} exceed cycle_length_days "
                f"{self.cycle_length_days}"
            )
        return self


class ProcedureIntervention(StrictModel):
    kind: Literal["procedure"] = "procedure"
    id: str = Identifier
    name: str = Field(min_length=1)
    description: str | None = None


Intervention = Annotated[
    RadiationIntervention | DrugIntervention | ProcedureIntervention,
    Field(discriminator="kind"),
]
