"""Interventions: radiation courses, drugs and procedures, each with the numbers that drive
calendars, dose checks and analysis.

Units are in the field names (``dose_per_fraction_gy``, ``cycle_length_days``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from abscopal.protocol._common import Identifier, StrictModel, problem, raise_if


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
            raise_if([problem(
                "total_dose_gy",
                f"fractions x dose_per_fraction_gy = {self.fractions} x "
                f"{self.dose_per_fraction_gy} = {expected / 100:g}",
                self.total_dose_gy,
            )])
        return self


class DeliveryRules(StrictModel):
    """When fractions may be given.

    ``max_span_days`` counts calendar days *inclusive* of the first and the last fraction:
    "within 10 days" is ``max_span_days: 10`` and allows last - first <= 9 days; "over a
    maximum of 2 weeks" is ``14``.
    """

    weekdays_only: bool = Field(default=False, description="Monday to Friday only")
    max_span_days: int | None = Field(
        default=None, gt=0, description="All fractions within this many calendar days, inclusive"
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
            raise_if([problem("min_gy", "min_gy, max_gy or both", None)])
        if self.min_gy is not None and self.max_gy is not None and self.min_gy > self.max_gy:
            raise_if([problem("max_gy", f">= min_gy {self.min_gy}", self.max_gy)])
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
    dose_note: str | None = Field(
        default=None, description="Why no regimen is given (e.g. the record states no dose)"
    )
    isotope: Literal["I-125"] | None = None
    delivery: DeliveryRules = DeliveryRules()
    start: Anchor | None = None
    dose_metrics_recorded: tuple[DoseMetric, ...] = ()
    prescription: tuple[PrescriptionRange, ...] = ()

    @model_validator(mode="after")
    def _technique_fits(self) -> RadiationIntervention:
        found = []
        implant = self.technique is RadiationTechnique.I125_SEED_IMPLANT
        if implant and self.isotope is None:
            found.append(problem("isotope", "'I-125' for technique 'i125_seed_implant'", None))
        if not implant and not self.regimens and not self.dose_note:
            found.append(problem(
                "regimens",
                f"at least one regimen for technique {self.technique.value!r} (or a dose_note "
                "saying why the record gives none)",
                [],
            ))
        max_fx = max((r.fractions for r in self.regimens), default=0)
        span = self.delivery.max_span_days
        if span is not None and max_fx > span:
            found.append(problem(
                "delivery.max_span_days", f">= the largest number of fractions ({max_fx}) "
                "at one fraction a day", span))
        raise_if(found)
        return self


class DoseUnit(StrEnum):
    MG = "mg"
    MG_PER_M2 = "mg/m2"
    MG_PER_KG = "mg/kg"
    AUC = "AUC"


class Dose(StrictModel):
    """A drug dose: ``amount`` in ``unit``; with ``per_day`` the amount is given on each
    listed day of the cycle (ATRA 150 mg/m2/day on days 1-3)."""

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
    is_optional: bool = Field(
        default=False, description="Given at the investigators' discretion ('possibly')"
    )

    @model_validator(mode="after")
    def _cycle_fits(self) -> DrugIntervention:
        found = []
        if self.agent is None and self.drug_class is None:
            found.append(problem("agent", "an agent or a drug_class", None))
        if self.dose is None and self.dosing_note is None:
            found.append(problem("dosing_note", "why the drug has no dose (dose is empty)", None))
        for index, day in enumerate(self.days_in_cycle):
            if day < 1:
                found.append(problem(f"days_in_cycle[{index}]", "a 1-based day (>= 1)", day))
            elif self.cycle_length_days is not None and day > self.cycle_length_days:
                found.append(problem(
                    f"days_in_cycle[{index}]",
                    f"a day within the cycle (<= cycle_length_days {self.cycle_length_days})",
                    day,
                ))
        raise_if(found)
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
