"""Linear-quadratic (LQ) isoeffect arithmetic: BED, EQD2, EQDx, its inverse, repopulation, sums.

All doses are physical doses in Gy; ``alpha_beta_gy`` may be ``math.inf`` (no fractionation
sensitivity: BED = EQD2 = physical dose). Every result names the model it used ("LQ" or
"LQ + repopulation") because the LQ model is questioned above about 8-10 Gy per fraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from abscopal.errors import InputError
from abscopal.radiation._checks import check_count, check_number

LQ_SOURCE = "LQ model (Barendsen 1982; Withers 1983; Fowler 1989)"

#: Above this dose per fraction the LQ model is questioned (Astrahan 2008 LQ-L; Park 2008 USC).
LQ_HIGH_DOSE_PER_FRACTION_GY = 8.0
#: At or below this dose per fraction RT is given for immunomodulation; BED is bookkeeping only.
LQ_LOW_DOSE_PER_FRACTION_GY = 1.0


@dataclass(frozen=True)
class Repopulation:
    """Overall-time repopulation correction for fractionated RT.

    ``BED -= dprolif_gy_per_day * max(0, overall_time_days - kickoff_days)``.

    Attributes
    ----------
    kickoff_days : float
        Tk, the time after the start of treatment at which accelerated repopulation starts.
    dprolif_gy_per_day : float
        BED lost per day of overall time beyond Tk; ``ln2 / (alpha * Tpot)``.
    description : str
        Where the parameters came from (stored with every result).
    """

    kickoff_days: float
    dprolif_gy_per_day: float
    description: str = "user-supplied"

    @classmethod
    def from_tpot(
        cls, *, kickoff_days: float, tpot_days: float, alpha_per_gy: float
    ) -> Repopulation:
        """Build the correction from Tk, the potential doubling time and alpha.

        Examples
        --------
        >>> r = Repopulation.from_tpot(kickoff_days=28, tpot_days=3, alpha_per_gy=0.3)
        >>> round(r.dprolif_gy_per_day, 4)
        0.7702
        """
        tk = check_number(kickoff_days, "kickoff_days", minimum=0.0)
        tpot = check_number(tpot_days, "tpot_days", minimum=0.0, exclusive_minimum=True)
        alpha = check_number(alpha_per_gy, "alpha_per_gy", minimum=0.0, exclusive_minimum=True)
        return cls(
            kickoff_days=tk,
            dprolif_gy_per_day=math.log(2) / (alpha * tpot),
            description=f"Tk={tk:g} d, Tpot={tpot:g} d, alpha={alpha:g}/Gy",
        )


@dataclass(frozen=True)
class Course:
    """One course of fractionated RT: ``fractions`` acute fractions of ``dose_per_fraction_gy``."""

    dose_per_fraction_gy: float
    fractions: int
    label: str = ""

    @property
    def total_dose_gy(self) -> float:
        """Physical dose of the course (Gy)."""
        return self.dose_per_fraction_gy * self.fractions


@dataclass(frozen=True)
class LQResult:
    """BED and EQD2 of one fractionation schedule, with everything needed to reproduce them.

    Attributes
    ----------
    bed_gy, eqd2_gy : float
        Biologically effective dose and equivalent dose in 2 Gy fractions (Gy).
    total_dose_gy, dose_per_fraction_gy, fractions, alpha_beta_gy : as given
    repopulation_gy : float
        BED subtracted for repopulation (0 when no correction was asked for).
    model : str
        ``"LQ"`` or ``"LQ + repopulation"``.
    caveats : tuple of str
        Warnings to show next to the number (high or low dose per fraction).
    """

    bed_gy: float
    eqd2_gy: float
    total_dose_gy: float
    dose_per_fraction_gy: float
    fractions: int
    alpha_beta_gy: float
    repopulation_gy: float
    model: str
    caveats: tuple[str, ...]
    source: str = LQ_SOURCE

    @property
    def bed_label(self) -> str:
        """``BED10``-style label carrying the alpha/beta."""
        return f"BED{_ab_text(self.alpha_beta_gy)}"

    @property
    def eqd2_label(self) -> str:
        """``EQD2(a/b=3)``-style label carrying the alpha/beta."""
        return f"EQD2(a/b={_ab_text(self.alpha_beta_gy)})"


def _ab_text(alpha_beta_gy: float) -> str:
    return "inf" if math.isinf(alpha_beta_gy) else f"{alpha_beta_gy:g}"


def _check_schedule(
    dose_per_fraction_gy: float, fractions: int, alpha_beta_gy: float
) -> tuple[float, int, float]:
    d = check_number(dose_per_fraction_gy, "dose_per_fraction_gy", minimum=0.0, source=LQ_SOURCE)
    n = check_count(fractions, "fractions", source=LQ_SOURCE)
    ab = check_number(
        alpha_beta_gy, "alpha_beta_gy", minimum=0.0, exclusive_minimum=True, allow_inf=True,
        source=LQ_SOURCE,
    )
    return d, n, ab


def _repopulation_gy(
    repopulation: Repopulation | None, overall_time_days: float | None
) -> float:
    if repopulation is None:
        if overall_time_days is not None:
            raise InputError(
                "'overall_time_days' was given without 'repopulation'; pass a Repopulation "
                "(Tk and Dprolif) or leave the overall time out"
            )
        return 0.0
    if overall_time_days is None:
        raise InputError("'overall_time_days' is required when 'repopulation' is given (got None)")
    t = check_number(overall_time_days, "overall_time_days", minimum=0.0)
    return repopulation.dprolif_gy_per_day * max(0.0, t - repopulation.kickoff_days)


def compute_bed(
    dose_per_fraction_gy: float,
    fractions: int,
    *,
    alpha_beta_gy: float,
    repopulation: Repopulation | None = None,
    overall_time_days: float | None = None,
) -> float:
    """Compute the biologically effective dose of ``fractions`` acute fractions.

    Parameters
    ----------
    dose_per_fraction_gy : float
        Physical dose per fraction d (Gy); permitted values: finite, >= 0.
    fractions : int
        Number of fractions n; permitted values: integer >= 1.
    alpha_beta_gy : float
        alpha/beta of the tissue (Gy); > 0, ``math.inf`` allowed. No default on purpose:
        10 (tumour) and 3 (late normal tissue) are conventions, not facts.
    repopulation : Repopulation, optional
        Overall-time correction; requires ``overall_time_days``.
    overall_time_days : float, optional
        Overall treatment time T (days).

    Returns
    -------
    float
        BED in Gy.

    Raises
    ------
    InputError
        On a negative dose, a non-integer or zero fraction count, alpha/beta <= 0, or an
        overall time without a repopulation model (or the reverse).

    Rules
    -----
    1. ``BED = n*d*(1 + d/(alpha/beta))`` (Barendsen 1982; Fowler 1989).
    2. With repopulation: ``BED -= ln2 * max(0, T - Tk) / (alpha * Tpot)``.

    Examples
    --------
    >>> compute_bed(15, 3, alpha_beta_gy=10)
    112.5
    >>> round(compute_bed(2, 30, alpha_beta_gy=3), 3)
    100.0
    """
    d, n, ab = _check_schedule(dose_per_fraction_gy, fractions, alpha_beta_gy)
    return n * d * (1.0 + d / ab) - _repopulation_gy(repopulation, overall_time_days)


def compute_eqdx_from_bed(
    bed_gy: float, *, alpha_beta_gy: float, reference_dose_per_fraction_gy: float = 2.0
) -> float:
    """Convert a BED into the isoeffective dose in fractions of ``reference_dose_per_fraction_gy``.

    Rules
    -----
    1. ``EQDx = BED / (1 + x/(alpha/beta))`` (Withers 1983); x = 2 gives EQD2.

    Examples
    --------
    >>> compute_eqdx_from_bed(100.0, alpha_beta_gy=3)
    60.0
    """
    bed = check_number(bed_gy, "bed_gy", source=LQ_SOURCE)
    ab = check_number(
        alpha_beta_gy, "alpha_beta_gy", minimum=0.0, exclusive_minimum=True, allow_inf=True,
        source=LQ_SOURCE,
    )
    x = check_number(
        reference_dose_per_fraction_gy, "reference_dose_per_fraction_gy", minimum=0.0,
        exclusive_minimum=True,
    )
    if math.isinf(ab):
        return bed
    return bed * ab / (ab + x)  # = BED/(1 + x/(a/b)), with one rounding fewer


def compute_eqd2(
    dose_per_fraction_gy: float,
    fractions: int,
    *,
    alpha_beta_gy: float,
    repopulation: Repopulation | None = None,
    overall_time_days: float | None = None,
) -> float:
    """Compute the equivalent dose in 2 Gy fractions, ``EQD2 = n*d*(d + a/b)/(2 + a/b)``.

    Parameters are those of :func:`compute_bed`. With repopulation, the corrected BED is
    converted (``EQD2 = BED / (1 + 2/(alpha/beta))``).

    Examples
    --------
    >>> compute_eqd2(5, 5, alpha_beta_gy=3)
    40.0
    """
    bed = compute_bed(
        dose_per_fraction_gy, fractions, alpha_beta_gy=alpha_beta_gy,
        repopulation=repopulation, overall_time_days=overall_time_days,
    )
    return compute_eqdx_from_bed(bed, alpha_beta_gy=alpha_beta_gy)


def compute_eqdx(
    dose_per_fraction_gy: float,
    fractions: int,
    *,
    alpha_beta_gy: float,
    reference_dose_per_fraction_gy: float,
) -> float:
    """Compute the isoeffective dose in fractions of ``reference_dose_per_fraction_gy`` (EQDx).

    Examples
    --------
    >>> compute_eqdx(2, 30, alpha_beta_gy=10, reference_dose_per_fraction_gy=2)
    60.0
    """
    bed = compute_bed(dose_per_fraction_gy, fractions, alpha_beta_gy=alpha_beta_gy)
    return compute_eqdx_from_bed(
        bed, alpha_beta_gy=alpha_beta_gy,
        reference_dose_per_fraction_gy=reference_dose_per_fraction_gy,
    )


def compute_dose_per_fraction_for_bed(
    bed_gy: float, *, fractions: int, alpha_beta_gy: float
) -> float:
    """Find the dose per fraction that reaches ``bed_gy`` in ``fractions`` fractions.

    Rules
    -----
    1. Positive root of ``(n/(a/b))*d**2 + n*d - BED = 0``:
       ``d = [-(a/b) + sqrt((a/b)**2 + 4*BED*(a/b)/n)] / 2`` (radiobiology_spec §1).
    2. For alpha/beta = inf, ``d = BED/n``. No repopulation term (state T separately).

    Examples
    --------
    >>> compute_dose_per_fraction_for_bed(112.5, fractions=3, alpha_beta_gy=10)
    15.0
    """
    bed = check_number(bed_gy, "bed_gy", minimum=0.0, source=LQ_SOURCE)
    n = check_count(fractions, "fractions", source=LQ_SOURCE)
    ab = check_number(
        alpha_beta_gy, "alpha_beta_gy", minimum=0.0, exclusive_minimum=True, allow_inf=True,
        source=LQ_SOURCE,
    )
    if math.isinf(ab):
        return bed / n
    # The cancellation-free form of the quadratic root: 2c / (b + sqrt(b^2 + 4ac)).
    return 2.0 * bed / n / (1.0 + math.sqrt(1.0 + 4.0 * bed / (ab * n)))


def _caveats(dose_per_fraction_gy: float) -> tuple[str, ...]:
    if dose_per_fraction_gy > LQ_HIGH_DOSE_PER_FRACTION_GY:
        return (
            f"dose per fraction {dose_per_fraction_gy:g} Gy > {LQ_HIGH_DOSE_PER_FRACTION_GY:g} Gy: "
            "the LQ model is questioned at SBRT doses (LQ-L, Astrahan 2008; USC, Park 2008)",
        )
    if dose_per_fraction_gy <= LQ_LOW_DOSE_PER_FRACTION_GY:
        return (
            f"dose per fraction {dose_per_fraction_gy:g} Gy <= {LQ_LOW_DOSE_PER_FRACTION_GY:g} Gy: "
            "low-dose RT is given for immunomodulation; BED is bookkeeping only and LQ does not "
            "capture low-dose hyper-radiosensitivity",
        )
    return ()


def compute_lq(
    dose_per_fraction_gy: float,
    fractions: int,
    *,
    alpha_beta_gy: float,
    repopulation: Repopulation | None = None,
    overall_time_days: float | None = None,
) -> LQResult:
    """Compute BED and EQD2 together, with the model name, parameters and caveats.

    Examples
    --------
    >>> r = compute_lq(8, 5, alpha_beta_gy=10)
    >>> (r.bed_label, r.bed_gy, r.eqd2_gy, r.model)
    ('BED10', 72.0, 60.0, 'LQ')
    """
    bed = compute_bed(
        dose_per_fraction_gy, fractions, alpha_beta_gy=alpha_beta_gy,
        repopulation=repopulation, overall_time_days=overall_time_days,
    )
    d, n, ab = float(dose_per_fraction_gy), int(fractions), float(alpha_beta_gy)
    repop = _repopulation_gy(repopulation, overall_time_days)
    return LQResult(
        bed_gy=bed,
        eqd2_gy=compute_eqdx_from_bed(bed, alpha_beta_gy=ab),
        total_dose_gy=n * d,
        dose_per_fraction_gy=d,
        fractions=n,
        alpha_beta_gy=ab,
        repopulation_gy=repop,
        model="LQ" if repopulation is None else f"LQ + repopulation ({repopulation.description})",
        caveats=_caveats(d),
    )


def compute_summed_bed(courses: Sequence[Course], *, alpha_beta_gy: float) -> float:
    """Sum the BEDs of several courses given to the same tissue (one alpha/beta for all).

    Rules
    -----
    1. BEDs (or EQD2s at one alpha/beta) add across courses; physical doses of different
       fractionation do not (radiobiology_spec §2, "Combined EBRT + seed").
    2. No repair between courses is modelled beyond the LQ assumption of full repair
       between fractions.

    Examples
    --------
    >>> compute_summed_bed([Course(2, 25), Course(5, 5)], alpha_beta_gy=10)
    97.5
    """
    if isinstance(courses, str | bytes) or not isinstance(courses, Sequence) or not courses:
        raise InputError(f"'courses' must be a non-empty sequence of Course (got {courses!r})")
    total = 0.0
    for i, c in enumerate(courses):
        if not isinstance(c, Course):
            raise InputError(f"'courses[{i}]' must be a Course (got {c!r})")
        total += compute_bed(c.dose_per_fraction_gy, c.fractions, alpha_beta_gy=alpha_beta_gy)
    return total


def compute_summed_eqd2(courses: Sequence[Course], *, alpha_beta_gy: float) -> float:
    """Sum several courses as EQD2 at one alpha/beta (= summed BED converted once).

    Examples
    --------
    >>> compute_summed_eqd2([Course(2, 25), Course(2, 5)], alpha_beta_gy=3)
    60.0
    """
    return compute_eqdx_from_bed(
        compute_summed_bed(courses, alpha_beta_gy=alpha_beta_gy), alpha_beta_gy=alpha_beta_gy
    )


@dataclass(frozen=True)
class SeedRegimen:
    """A fractionation regimen of a seed trial, with what the registry record actually states."""

    label: str
    dose_per_fraction_gy: float
    fractions: int
    trial: str
    record_says: str


#: The seed trials' regimens. Registry records give doses only for NCT06076135 (1 Gy x1 and
#: 2-3 Gy in 2-3 fx) and NCT07277777 (I-125 D90 90-140 Gy, see implant.py). The SBRT and
#: hypofractionated schedules are typical examples: the records say only "SBRT" or
#: "hypofractionated" without a dose.
SEED_REGIMENS: tuple[SeedRegimen, ...] = (
    SeedRegimen("1 Gy x 1", 1.0, 1, "NCT06076135", "stated: 1Gy/1F ILDR"),
    SeedRegimen("1 Gy x 2", 1.0, 2, "NCT06076135", "stated: 2-3 Gy in 2-3 fx (low end)"),
    SeedRegimen("1 Gy x 3", 1.0, 3, "NCT06076135", "stated: 2-3 Gy in 2-3 fx (high end)"),
    SeedRegimen("2 Gy x 1", 2.0, 1, "NCT06076135", "example: dose range 1-3 Gy"),
    SeedRegimen("3 Gy x 1", 3.0, 1, "NCT06076135", "example: dose range 1-3 Gy"),
    SeedRegimen("5 Gy x 5", 5.0, 5, "NCT05628038", "assumed: record says 'hypofractionated' only"),
    SeedRegimen("8 Gy x 3", 8.0, 3, "NCT06439888", "assumed: record says 'SBRT' only"),
    SeedRegimen("6 Gy x 5", 6.0, 5, "NCT06439888", "assumed: record says 'SBRT' only"),
    SeedRegimen("15 Gy x 3", 15.0, 3, "NCT06120127", "assumed: record says 'SBRT' only"),
    SeedRegimen("8 Gy x 5", 8.0, 5, "NCT06120127", "assumed: record says 'SBRT' only"),
    SeedRegimen("10 Gy x 5", 10.0, 5, "NCT06439888", "assumed: record says 'SBRT' only"),
    SeedRegimen("24 Gy x 1", 24.0, 1, "NCT06439888", "assumed: single-fraction SBRT example"),
)


__all__ = [
    "LQ_HIGH_DOSE_PER_FRACTION_GY",
    "LQ_LOW_DOSE_PER_FRACTION_GY",
    "LQ_SOURCE",
    "SEED_REGIMENS",
    "Course",
    "LQResult",
    "Repopulation",
    "SeedRegimen",
    "compute_bed",
    "compute_dose_per_fraction_for_bed",
    "compute_eqd2",
    "compute_eqdx",
    "compute_eqdx_from_bed",
    "compute_lq",
    "compute_summed_bed",
    "compute_summed_eqd2",
]
