"""Versioned rule tables (``recist_1_1``, ``irecist``) and the protocol parameters.

The tables are ``RULES["recist_1_1"]`` (:data:`RECIST_1_1_RULES`) and ``RULES["irecist"]``
(:data:`IRECIST_RULES`).

The thresholds are data, not literals in the engine: the engine takes a
:class:`ResponseRules` table and a :class:`ResponseParams` set as arguments.
Ratios are :class:`fractions.Fraction` so that every threshold comparison is exact
(``46.0 -> 32.2`` is exactly -30 %, ``26.0 -> 31.2`` exactly +20 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

from abscopal.errors import InputError

#: Sizes are held internally as integers in units of 1/SCALE mm (0.1 micrometre).
SCALE = 10_000


@dataclass(frozen=True, slots=True)
class ResponseRules:
    """One version of the response thresholds.

    Attributes
    ----------
    version : str
        ``"recist_1_1"`` or ``"irecist"``; copied into every result.
    source : str
        Citation of the publication the numbers come from.
    pr_max_ratio : Fraction
        PR when sum <= ratio x baseline sum (7/10, i.e. a 30 % decrease; R11 §4.3.1).
    pd_min_ratio : Fraction
        PD needs sum >= ratio x nadir (6/5, i.e. +20 %; R11 §4.3.1).
    pd_min_increase_mm : Fraction
        PD also needs sum - nadir >= this many mm (5 mm; R11 §4.3.1).
    node_normal_below_mm : Fraction
        A node with short axis below this is normal (10 mm; R11 §4.3.1 CR, §3.1.2).
    too_small_mm : Fraction
        Value recorded for a target "too small to measure" (5 mm; R11 §4.3.2 note).
    measurable_min_mm : Fraction
        Smallest measurable non-nodal longest diameter on CT/MRI (10 mm; R11 §3.1.1).
    node_measurable_min_mm : Fraction
        Smallest measurable nodal short axis (15 mm; R11 §3.1.1).
    max_targets, max_targets_per_organ : int
        Target limits (5 and 2, all nodes one organ; R11 §4.2, FAQ-R).
    icpd_min_increase_mm : Fraction
        iRECIST: further increase in the target sum or the NLT sum of measures that
        confirms iCPD (5 mm; iR Table 2).
    """

    version: str
    source: str
    pr_max_ratio: Fraction = Fraction(7, 10)
    pd_min_ratio: Fraction = Fraction(6, 5)
    pd_min_increase_mm: Fraction = Fraction(5)
    node_normal_below_mm: Fraction = Fraction(10)
    too_small_mm: Fraction = Fraction(5)
    measurable_min_mm: Fraction = Fraction(10)
    node_measurable_min_mm: Fraction = Fraction(15)
    max_targets: int = 5
    max_targets_per_organ: int = 2
    icpd_min_increase_mm: Fraction = Fraction(5)

    @property
    def description(self) -> str:
        """One line an auditor can read."""
        pr = (1 - self.pr_max_ratio) * 100
        pd = (self.pd_min_ratio - 1) * 100
        return (
            f"{self.version}: PR <= -{pr}% vs baseline; PD >= +{pd}% and "
            f">= +{self.pd_min_increase_mm} mm vs nadir; nodes normal < "
            f"{self.node_normal_below_mm} mm; too small = {self.too_small_mm} mm ({self.source})"
        )

    def scaled(self, factor: Fraction | int) -> ResponseRules:
        """The same rules with every absolute millimetre threshold multiplied by ``factor``.

        Used to state the scale-invariance property: scaling all sizes *and* the
        absolute thresholds by one constant leaves every response unchanged.
        """
        f = Fraction(factor)
        if f <= 0:
            raise InputError(f"'factor' must be > 0 (got {factor!r})")
        return replace(
            self,
            pd_min_increase_mm=self.pd_min_increase_mm * f,
            node_normal_below_mm=self.node_normal_below_mm * f,
            too_small_mm=self.too_small_mm * f,
            measurable_min_mm=self.measurable_min_mm * f,
            node_measurable_min_mm=self.node_measurable_min_mm * f,
            icpd_min_increase_mm=self.icpd_min_increase_mm * f,
        )


RECIST_1_1_RULES = ResponseRules(
    version="recist_1_1",
    source="Eisenhauer EA et al. Eur J Cancer 2009;45:228-247 (RECIST 1.1)",
)
IRECIST_RULES = ResponseRules(
    version="irecist",
    source="Seymour L et al. Lancet Oncol 2017;18:e143-e152 (iRECIST), on RECIST 1.1 thresholds",
)
RULES: dict[str, ResponseRules] = {"recist_1_1": RECIST_1_1_RULES, "irecist": IRECIST_RULES}


class PostPrPolicy(StrEnum):
    """What a timepoint is called once a PR is established and the sum creeps back up.

    ``strict``: R11 §4.3.1 literally (SD when the sum is no longer <= 70 % of baseline).
    ``continuing_pr``: FAQ-R "Managing PR when TP measurements change slightly": once PR is
    assigned (and confirmed when confirmation is required), later non-PD timepoints stay PR.
    """

    STRICT = "strict"
    CONTINUING_PR = "continuing_pr"


class AbscopalBasis(StrEnum):
    """What the per-patient abscopal flag looks at (a project convention, not RECIST)."""

    LESION = "lesion"  # any single out-of-field target reaches the decrease (or lesion CR)
    SUBSET_SUM = "subset_sum"  # the out-of-field target sum reaches PR/CR (§3.1 rules)


@dataclass(frozen=True, slots=True)
class AbscopalDefinition:
    """Protocol parameter: the definition of an abscopal response.

    Attributes
    ----------
    basis : AbscopalBasis
        ``lesion`` (default, recist_spec §6) or ``subset_sum``.
    min_decrease_fraction : Fraction
        Decrease from the lesion's (or subset's) baseline that counts; default 3/10
        (RECIST PR threshold; Golden et al. 2015 used >= 30 % of the best-responding
        non-irradiated lesion). A lesion-level CR always counts.
    until_first_pd : bool
        Only assessments up to and including the first overall RECIST 1.1 PD count
        (default True).
    """

    basis: AbscopalBasis = AbscopalBasis.LESION
    min_decrease_fraction: Fraction = Fraction(3, 10)
    until_first_pd: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.min_decrease_fraction <= 1:
            raise InputError(
                "'min_decrease_fraction' must be in (0, 1] "
                f"(got {self.min_decrease_fraction})"
            )


def _check_days(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"'{name}' must be a non-negative integer number of days (got {value!r})")


@dataclass(frozen=True, slots=True)
class ResponseParams:
    """Every choice that varies between protocols, with the defaults of recist_spec §7.

    Attributes
    ----------
    require_confirmation : bool
        BOR CR/PR need confirmation (R11 §4.6; single-arm trials with response as
        an endpoint). Default True. Both BORs are always reported.
    confirm_min_days : int
        Minimum days between a response and its confirmation, inclusive (28; R11 §4.6).
    sd_min_days : int
        SD (or NON-CR/NON-PD) counts for BOR only at >= this many days after the
        reference date (42; protocol-specific, R11 §4.4.3 "6-8 weeks").
    max_ne_between_confirmation : int
        NE timepoints allowed between a response and its confirmation (1; R11 §4.4.4).
    accept_sd_between_confirmation : bool
        An SD between PR and its confirmation does not break it (False).
    post_pr_policy : PostPrPolicy
        ``strict`` (default) or ``continuing_pr`` (FAQ-R).
    pd_after_cr_reappearance : bool
        After an overall CR, any reappearing lesion (non-nodal > 0 mm, node >= 10 mm,
        a non-target present again) is PD even without +5 mm (True; FAQ-R, R11 Table 3
        footnote a).
    irecist_min_confirm_days : int
        iUPD can be confirmed (iCPD) only by a scan >= this many days later (28) ...
    irecist_confirm_tolerance_days : int
        ... minus this tolerance (2), except by an additional new lesion (FAQ-i).
    irecist_max_confirm_days : int
        Advisory upper bound of the confirmation window (56): a later confirmation is
        still accepted, with a note.
    exclude_in_field_from_targets : bool
        In-field (irradiated) targets are evaluated as non-targets for the overall
        response (False: all targets count; recist_spec §6).
    abscopal : AbscopalDefinition
        Definition of the abscopal response (project convention).
    """

    require_confirmation: bool = True
    confirm_min_days: int = 28
    sd_min_days: int = 42
    max_ne_between_confirmation: int = 1
    accept_sd_between_confirmation: bool = False
    post_pr_policy: PostPrPolicy = PostPrPolicy.STRICT
    pd_after_cr_reappearance: bool = True
    irecist_min_confirm_days: int = 28
    irecist_confirm_tolerance_days: int = 2
    irecist_max_confirm_days: int = 56
    exclude_in_field_from_targets: bool = False
    abscopal: AbscopalDefinition = field(default_factory=AbscopalDefinition)

    def __post_init__(self) -> None:
        for name in (
            "confirm_min_days",
            "sd_min_days",
            "max_ne_between_confirmation",
            "irecist_min_confirm_days",
            "irecist_confirm_tolerance_days",
            "irecist_max_confirm_days",
        ):
            _check_days(name, getattr(self, name))
        try:
            object.__setattr__(self, "post_pr_policy", PostPrPolicy(self.post_pr_policy))
        except ValueError as exc:
            raise InputError(
                f"'post_pr_policy' must be one of {[p.value for p in PostPrPolicy]} "
                f"(got {self.post_pr_policy!r})"
            ) from exc


def get_rules(criteria: str) -> ResponseRules:
    """Return the rule table named ``criteria`` (``recist_1_1``/``recist1.1``/``irecist``)."""
    key = criteria.strip().lower().replace(".", "_")
    if key == "recist1_1":
        key = "recist_1_1"
    if key not in RULES:
        raise InputError(f"'criteria' must be one of ['recist_1_1', 'irecist'] (got {criteria!r})")
    return RULES[key]
