"""Effective dose to immune cells (EDIC): the circulating-blood dose model of Jin et al.

Only the published thorax model is implemented. The liver variant (Xu H et al., Radiother
Oncol 2020;146:180-186) is left out on purpose: its formula could not be confirmed against
the full text (the PubMed abstract renders it garbled), see docs/guides/dose.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from abscopal.radiation._checks import check_count, check_number


@dataclass(frozen=True)
class EdicModel:
    """Coefficients of an EDIC model, stored as data so results can name the variant.

    ``EDIC = lung*MLD + heart*MHD + [body_base + body_recirculation*
    body_recirculation_fraction*sqrt(n/reference_fractions)]*MBD``.
    """

    name: str
    lung: float
    heart: float
    body_base: float
    body_recirculation: float
    body_recirculation_fraction: float
    reference_fractions: int
    references: tuple[str, ...]

    @property
    def description(self) -> str:
        """The formula with this model's coefficients."""
        return (
            f"EDIC = {self.lung:g}*MLD + {self.heart:g}*MHD + [{self.body_base:g} + "
            f"{self.body_recirculation:g}*{self.body_recirculation_fraction:g}*"
            f"sqrt(n/{self.reference_fractions})]*MBD"
        )


EDIC_JIN_THORAX = EdicModel(
    name="edic_jin_thorax",
    lung=0.12,
    heart=0.08,
    body_base=0.45,
    body_recirculation=0.35,
    body_recirculation_fraction=0.85,
    reference_fractions=45,
    references=(
        "Jin JY et al., Cancers 2021;13(24):6193 (RTOG 0617 secondary analysis)",
        "Ladbury CJ et al., IJROBP 2019;105(2):346-355",
        "Chen F, Jin JY et al., Front Oncol 2022;12:768956",
    ),
)


@dataclass(frozen=True)
class EdicResult:
    """EDIC with its three blood-pool components and the model that produced it (Gy)."""

    edic_gy: float
    lung_component_gy: float
    heart_component_gy: float
    body_component_gy: float
    fractions: int
    model: str
    formula: str
    references: tuple[str, ...]


def compute_edic(
    mean_lung_dose_gy: float,
    *,
    mean_heart_dose_gy: float,
    mean_body_dose_gy: float,
    fractions: int,
    model: EdicModel = EDIC_JIN_THORAX,
) -> EdicResult:
    """Compute the effective dose to circulating immune cells (EDIC, Jin et al.).

    Parameters
    ----------
    mean_lung_dose_gy : float
        Mean dose to both lungs (Gy, physical, not BED-converted); >= 0.
    mean_heart_dose_gy : float
        Mean heart dose (Gy); >= 0.
    mean_body_dose_gy : float
        Mean dose of the External/Body ROI (integral dose / body volume), Gy; >= 0.
    fractions : int
        Number of fractions n; >= 1.
    model : EdicModel, default EDIC_JIN_THORAX
        The coefficient set.

    Rules
    -----
    1. ``EDIC = 0.12*MLD + 0.08*MHD + [0.45 + 0.35*0.85*sqrt(n/45)]*MBD`` (Jin et al.;
       Ladbury 2019). 0.12 and 0.08 are the blood fractions through lung and heart; 0.45 the
       blood in capillaries and small vessels; the square-root term the blood recirculating
       between fractions, scaled to 45 fractions.
    2. Physical doses only; no LQ conversion.

    Examples
    --------
    >>> round(compute_edic(15, mean_heart_dose_gy=10, mean_body_dose_gy=5, fractions=30).edic_gy, 3)
    6.065
    """
    mld = check_number(mean_lung_dose_gy, "mean_lung_dose_gy", minimum=0.0)
    mhd = check_number(mean_heart_dose_gy, "mean_heart_dose_gy", minimum=0.0)
    mbd = check_number(mean_body_dose_gy, "mean_body_dose_gy", minimum=0.0)
    n = check_count(fractions, "fractions")
    lung = model.lung * mld
    heart = model.heart * mhd
    body = (
        model.body_base
        + model.body_recirculation
        * model.body_recirculation_fraction
        * math.sqrt(n / model.reference_fractions)
    ) * mbd
    return EdicResult(
        edic_gy=lung + heart + body,
        lung_component_gy=lung,
        heart_component_gy=heart,
        body_component_gy=body,
        fractions=n,
        model=model.name,
        formula=model.description,
        references=model.references,
    )


__all__ = ["EDIC_JIN_THORAX", "EdicModel", "EdicResult", "compute_edic"]
