"""Permanent I-125 seed implants: decay, dose delivered by day t, and BED with repair (Dale 1985).

The dose rate falls as ``R(t) = R0 * exp(-lambda*t)``; the total dose to infinite time is
``D = R0/lambda``. abscopal ingests D (the post-plan D90, or the prescription) or R0 from the
planning system; seed strength and TG-43 dose-rate constants stay in the TPS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from abscopal.errors import InputError
from abscopal.radiation._checks import check_number

#: I-125 half-life, AAPM TG-43U1 (Rivard et al., Med Phys 2004;31:633-674). Configurable:
#: nuclear-data evaluations give 59.39-59.49 d.
I125_HALF_LIFE_DAYS = 59.4
IMPLANT_SOURCE = "Dale RG, Br J Radiol 1985;58:515-528; AAPM TG-137 (Nath 2009)"
_HOURS_PER_DAY = 24.0


def _decay_constant_per_h(half_life_days: float) -> float:
    t_half = check_number(half_life_days, "half_life_days", minimum=0.0, exclusive_minimum=True)
    return math.log(2) / (t_half * _HOURS_PER_DAY)


def compute_total_dose_gy(
    initial_dose_rate_gy_per_h: float, *, half_life_days: float = I125_HALF_LIFE_DAYS
) -> float:
    """Total dose of a permanent implant delivered to infinite time, ``D = R0/lambda``.

    Examples
    --------
    >>> round(compute_total_dose_gy(0.07), 3)  # 7 cGy/h
    143.969
    """
    r0 = check_number(initial_dose_rate_gy_per_h, "initial_dose_rate_gy_per_h", minimum=0.0)
    return r0 / _decay_constant_per_h(half_life_days)


def compute_initial_dose_rate_gy_per_h(
    total_dose_gy: float, *, half_life_days: float = I125_HALF_LIFE_DAYS
) -> float:
    """Initial dose rate R0 (Gy/h) that delivers ``total_dose_gy`` by complete decay.

    Examples
    --------
    >>> round(compute_initial_dose_rate_gy_per_h(145) * 100, 4)  # cGy/h
    7.0501
    """
    d = check_number(total_dose_gy, "total_dose_gy", minimum=0.0)
    return d * _decay_constant_per_h(half_life_days)


def compute_dose_delivered_gy(
    total_dose_gy: float, *, days: float, half_life_days: float = I125_HALF_LIFE_DAYS
) -> float:
    """Dose delivered from implantation (t = 0) to ``days``: ``D * (1 - exp(-lambda*t))``.

    Examples
    --------
    >>> compute_dose_delivered_gy(100, days=59.4)
    50.0
    """
    d = check_number(total_dose_gy, "total_dose_gy", minimum=0.0)
    t_h = check_number(days, "days", minimum=0.0) * _HOURS_PER_DAY
    return d * -math.expm1(-_decay_constant_per_h(half_life_days) * t_h)


@dataclass(frozen=True)
class ImplantRepopulation:
    """Tumour repopulation during a permanent implant: ``BED -= ln2*T/(alpha*Tpot)``.

    Attributes
    ----------
    alpha_per_gy : float
        LQ alpha (1/Gy), e.g. 0.15 for prostate (Wang 2003, TG-137).
    tpot_days : float
        Potential doubling time (days), e.g. 42 for prostate.
    """

    alpha_per_gy: float
    tpot_days: float


@dataclass(frozen=True)
class ImplantBedResult:
    """BED of a permanent implant with every parameter used.

    ``evaluated_at_days`` is ``inf`` for the complete-decay case; with repopulation it is
    the effective treatment time Teff (or the time asked for).
    """

    bed_gy: float
    eqd2_gy: float
    total_dose_gy: float
    initial_dose_rate_gy_per_h: float
    alpha_beta_gy: float
    repair_half_time_h: float
    half_life_days: float
    evaluated_at_days: float
    dose_delivered_gy: float
    repopulation_gy: float
    repopulation: ImplantRepopulation | None
    model: str
    source: str = IMPLANT_SOURCE


def _bed_by_time(
    r0_gy_per_h: float, lam: float, mu: float, alpha_beta_gy: float, t_h: float
) -> float:
    """Dale 1985 BED to time T (hours), without repopulation."""
    physical = r0_gy_per_h / lam * -math.expm1(-lam * t_h)
    if math.isinf(t_h):
        g_term = 1.0 / (2.0 * lam) - 1.0 / (lam + mu)
    else:
        g_term = -math.expm1(-2.0 * lam * t_h) / (2.0 * lam) - (
            -math.expm1(-(lam + mu) * t_h) / (lam + mu)
        )
    return physical + 2.0 * r0_gy_per_h**2 / ((mu - lam) * alpha_beta_gy) * g_term


def compute_implant_bed(
    total_dose_gy: float,
    *,
    alpha_beta_gy: float,
    repair_half_time_h: float,
    half_life_days: float = I125_HALF_LIFE_DAYS,
    repopulation: ImplantRepopulation | None = None,
    days: float | None = None,
) -> ImplantBedResult:
    """Compute the BED of a permanent implant with mono-exponential repair (Dale 1985).

    Parameters
    ----------
    total_dose_gy : float
        Dose to complete decay (e.g. the D90 or the prescription), Gy; >= 0.
    alpha_beta_gy : float
        alpha/beta (Gy), > 0. No default: 10 (generic tumour), 3.1 (prostate, Wang 2003).
    repair_half_time_h : float
        Sublethal-damage repair half-time T_rep (h), > 0 (e.g. 1.5 h; 0.27 h prostate).
    half_life_days : float, default 59.4
        Source half-life (I-125, TG-43U1).
    repopulation : ImplantRepopulation, optional
        If given, ``ln2*T/(alpha*Tpot)`` is subtracted and, unless ``days`` is given, T is the
        effective treatment time ``Teff = ln(alpha*R0*Tpot/ln2)/lambda`` (clipped at 0).
    days : float, optional
        Evaluate at this time after implantation instead (default: complete decay, or Teff).

    Rules
    -----
    1. ``mu = ln2/T_rep``, ``lambda = ln2/T_half``; complete decay, no repopulation:
       ``BED = D*(1 + R0/((mu + lambda)*(alpha/beta)))`` (Dale 1985; TG-137).
    2. To time T: ``BED(T) = (R0/lambda)(1 - e^(-lambda*T)) + 2*R0^2/((mu - lambda)(a/b)) *
       [(1 - e^(-2*lambda*T))/(2*lambda) - (1 - e^(-(lambda+mu)*T))/(lambda+mu)]
       - ln2*T/(alpha*Tpot)``.
    3. ``EQD2 = BED/(1 + 2/(alpha/beta))``.

    Examples
    --------
    >>> r = compute_implant_bed(140, alpha_beta_gy=10, repair_half_time_h=1.5)
    >>> round(r.bed_gy, 3), round(r.eqd2_gy, 3)
    (142.06, 118.383)
    """
    d = check_number(total_dose_gy, "total_dose_gy", minimum=0.0, source=IMPLANT_SOURCE)
    ab = check_number(
        alpha_beta_gy, "alpha_beta_gy", minimum=0.0, exclusive_minimum=True, allow_inf=True,
        source=IMPLANT_SOURCE,
    )
    t_rep = check_number(
        repair_half_time_h, "repair_half_time_h", minimum=0.0, exclusive_minimum=True,
        source=IMPLANT_SOURCE,
    )
    lam = _decay_constant_per_h(half_life_days)
    mu = math.log(2) / t_rep
    if math.isclose(mu, lam, rel_tol=1e-9):
        raise InputError(
            "'repair_half_time_h' must differ from the source half-life "
            f"(got {t_rep!r} h); the Dale 1985 formula is singular there"
        )
    r0 = d * lam
    t_days = math.inf
    repop_gy = 0.0
    if repopulation is not None:
        alpha = check_number(
            repopulation.alpha_per_gy, "repopulation.alpha_per_gy", minimum=0.0,
            exclusive_minimum=True,
        )
        tpot = check_number(
            repopulation.tpot_days, "repopulation.tpot_days", minimum=0.0, exclusive_minimum=True,
        )
        if days is None:
            ratio = alpha * r0 * _HOURS_PER_DAY * tpot / math.log(2)
            t_days = max(0.0, math.log(ratio) / (lam * _HOURS_PER_DAY)) if ratio > 0 else 0.0
        else:
            t_days = check_number(days, "days", minimum=0.0)
        repop_gy = math.log(2) * t_days / (alpha * tpot)
    elif days is not None:
        t_days = check_number(days, "days", minimum=0.0)
    if math.isinf(ab):
        bed_no_repop = d * -math.expm1(-lam * t_days * _HOURS_PER_DAY)
    else:
        bed_no_repop = _bed_by_time(r0, lam, mu, ab, t_days * _HOURS_PER_DAY)
    bed = bed_no_repop - repop_gy
    delivered = d * -math.expm1(-lam * t_days * _HOURS_PER_DAY)
    return ImplantBedResult(
        bed_gy=bed,
        eqd2_gy=bed / (1.0 + 2.0 / ab),
        total_dose_gy=d,
        initial_dose_rate_gy_per_h=r0,
        alpha_beta_gy=ab,
        repair_half_time_h=t_rep,
        half_life_days=float(half_life_days),
        evaluated_at_days=t_days,
        dose_delivered_gy=delivered,
        repopulation_gy=repop_gy,
        repopulation=repopulation,
        model="Dale 1985 LQ with mono-exponential repair"
        + ("" if repopulation is None else " + repopulation"),
    )


__all__ = [
    "I125_HALF_LIFE_DAYS",
    "IMPLANT_SOURCE",
    "ImplantBedResult",
    "ImplantRepopulation",
    "compute_dose_delivered_gy",
    "compute_implant_bed",
    "compute_initial_dose_rate_gy_per_h",
    "compute_total_dose_gy",
]
