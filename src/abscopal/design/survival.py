"""Time-to-event designs: events (Schoenfeld), patients with accrual and follow-up, medians."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

from scipy import stats

from abscopal.design._checks import check_open_unit, check_positive, check_sides
from abscopal.errors import InputError

RULE_VERSION = "survival_design/abscopal-1"

SURVIVAL_RULES: tuple[str, ...] = (
    "Exponential survival: hazard = ln 2 / median.",
    "Schoenfeld (1981, Biometrika 68:316-319): events d = (z_{1-alpha/sides} + z_{1-beta})^2 / "
    "(a (1 - a) (ln HR)^2) with allocation fraction a to the treatment arm.",
    "Event probability per arm under uniform accrual over A months, further follow-up F months "
    "(so follow-up ranges F..A+F), event hazard l and dropout hazard e: P = l/(l+e) [1 - "
    "(exp(-(l+e)F) - exp(-(l+e)(A+F))) / ((l+e)A)] (the model rpact::getSampleSizeSurvival uses).",
    "method='schoenfeld': patients = events / (a P_t + (1 - a) P_c), the route rpact takes.",
    "method='lachin_foulkes' (Lachin & Foulkes 1986, Biometrics 42:507-519): n = (z_a "
    "sqrt(phi(l_bar) (1/a + 1/(1-a))) + z_b sqrt(phi(l_t)/a + phi(l_c)/(1-a)))^2 / (l_c - l_t)^2, "
    "phi(l) = l^2 / P(l), l_bar = a l_t + (1 - a) l_c; events = n x overall P.",
    "Dropout is given as the probability of dropping out by dropout_time_months (default 12, as "
    "rpact): e = -ln(1 - rate) / time, the same in both arms.",
    "Events and patients are rounded up to whole numbers; the unrounded values are kept.",
)

Method = Literal["schoenfeld", "lachin_foulkes"]


def compute_hazard_from_median(median_months: float) -> float:
    """Exponential hazard per month for a median survival in months (``ln 2 / median``).

    Examples
    --------
    >>> round(compute_hazard_from_median(12.0), 6)
    0.057762
    """
    return math.log(2.0) / check_positive("median_months", median_months)


def compute_median_from_hazard(hazard_per_month: float) -> float:
    """Median survival in months for an exponential hazard per month (``ln 2 / hazard``).

    Examples
    --------
    >>> round(compute_median_from_hazard(0.057762), 2)
    12.0
    """
    return math.log(2.0) / check_positive("hazard_per_month", hazard_per_month)


def _z(q: float) -> float:
    return float(stats.norm.ppf(q))


def _check_hr(hazard_ratio: float) -> float:
    hr = check_positive("hazard_ratio", hazard_ratio)
    if hr == 1.0:
        raise InputError("'hazard_ratio' must differ from 1 to have power (got 1.0)")
    return hr


def compute_schoenfeld_events(
    hazard_ratio: float, *, alpha: float, power: float, sides: int = 2, allocation: float = 0.5
) -> float:
    """Required number of events for a log-rank test (Schoenfeld 1981), unrounded.

    Parameters
    ----------
    hazard_ratio : float
        Treatment vs control hazard ratio (> 0, != 1).
    alpha : float
        Significance level; one-sided level when ``sides=1``.
    power : float
        Target power.
    sides : {1, 2}
    allocation : float
        Fraction of patients allocated to treatment (default 0.5).

    Examples
    --------
    >>> round(compute_schoenfeld_events(0.7, alpha=0.05, power=0.8), 2)
    246.79
    """
    hr = _check_hr(hazard_ratio)
    alpha = check_open_unit("alpha", alpha)
    power = check_open_unit("power", power)
    sides = check_sides(sides)
    a = check_open_unit("allocation", allocation)
    z = _z(1 - alpha / sides) + _z(power)
    return z**2 / (a * (1 - a) * math.log(hr) ** 2)


def compute_event_probability(
    hazard_per_month: float,
    *,
    accrual_months: float,
    follow_up_months: float,
    dropout_hazard_per_month: float = 0.0,
) -> float:
    """Probability that a patient has the event by the analysis (uniform accrual, exponential).

    Examples
    --------
    >>> round(compute_event_probability(0.1, accrual_months=12, follow_up_months=12), 4)
    0.8246
    """
    lam = check_positive("hazard_per_month", hazard_per_month)
    acc = check_positive("accrual_months", accrual_months)
    if follow_up_months < 0 or not math.isfinite(follow_up_months):
        raise InputError(f"'follow_up_months' must be >= 0 (got {follow_up_months!r})")
    if dropout_hazard_per_month < 0:
        raise InputError(
            f"'dropout_hazard_per_month' must be >= 0 (got {dropout_hazard_per_month!r})"
        )
    total = lam + dropout_hazard_per_month
    f = float(follow_up_months)
    unseen = (math.exp(-total * f) - math.exp(-total * (acc + f))) / (total * acc)
    return lam / total * (1.0 - unseen)


@dataclass(frozen=True)
class SurvivalSampleSize:
    """Events and patients for a two-arm log-rank comparison.

    Attributes
    ----------
    hazard_ratio : float
        Treatment vs control.
    hazard_control_per_month, hazard_treatment_per_month : float
    median_control_months, median_treatment_months : float
    events_ : float
        Required events, unrounded; ``events`` is it rounded up.
    n_total_ : float
        Required patients, unrounded; ``n_total`` is it rounded up.
    prob_event_control_, prob_event_treatment_ : float
        Per-arm probability of an event by the analysis.
    """

    method: Method
    hazard_ratio: float
    hazard_control_per_month: float
    hazard_treatment_per_month: float
    median_control_months: float
    median_treatment_months: float
    alpha: float
    sides: int
    power: float
    allocation: float
    accrual_months: float
    follow_up_months: float
    dropout_hazard_per_month: float
    events_: float
    events: int
    n_total_: float
    n_total: int
    prob_event_control_: float
    prob_event_treatment_: float
    rules: tuple[str, ...] = field(default=SURVIVAL_RULES)
    rule_version: str = RULE_VERSION

    def describe(self) -> str:
        """One readable paragraph."""
        side = "one-sided" if self.sides == 1 else "two-sided"
        return (
            f"Log-rank, HR {self.hazard_ratio:.4g} (medians {self.median_control_months:.3g} vs "
            f"{self.median_treatment_months:.3g} months), {side} alpha {self.alpha:g}, power "
            f"{self.power:g}: {self.events} events ({self.events_:.2f}) and {self.n_total} "
            f"patients ({self.n_total_:.2f}) with {self.accrual_months:g} months accrual and "
            f"{self.follow_up_months:g} months further follow-up [{self.method}]"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        data = asdict(self)
        data["rules"] = list(self.rules)
        return data


def _resolve_hazards(
    hazard_ratio: float | None, median_control_months: float, median_treatment_months: float | None
) -> tuple[float, float, float]:
    lam_c = compute_hazard_from_median(median_control_months)
    if median_treatment_months is not None:
        lam_t = compute_hazard_from_median(median_treatment_months)
        if hazard_ratio is not None and not math.isclose(lam_t / lam_c, hazard_ratio, rel_tol=1e-3):
            raise InputError(
                f"'hazard_ratio'={hazard_ratio!r} contradicts the medians ({median_control_months!r}"
                f" vs {median_treatment_months!r} months give {lam_t / lam_c:.4g}); give one or "
                "the other"
            )
        return lam_t / lam_c, lam_c, lam_t
    if hazard_ratio is None:
        raise InputError("give 'hazard_ratio' or 'median_treatment_months' (got neither)")
    hr = _check_hr(hazard_ratio)
    return hr, lam_c, lam_c * hr


def compute_survival_sample_size(
    hazard_ratio: float | None = None,
    *,
    median_control_months: float,
    median_treatment_months: float | None = None,
    alpha: float,
    power: float,
    sides: int = 2,
    accrual_months: float,
    follow_up_months: float,
    allocation: float = 0.5,
    dropout_rate: float = 0.0,
    dropout_time_months: float = 12.0,
    method: Method = "schoenfeld",
) -> SurvivalSampleSize:
    """Events and patients for a two-arm log-rank test with uniform accrual and follow-up.

    Parameters
    ----------
    hazard_ratio : float, optional
        Treatment vs control; or give ``median_treatment_months``.
    median_control_months : float
        Control-arm median (exponential).
    median_treatment_months : float, optional
        Treatment-arm median; the hazard ratio is then ``median_control / median_treatment``.
    alpha, power : float
    sides : {1, 2}
    accrual_months : float
        Length of uniform accrual (> 0).
    follow_up_months : float
        Follow-up after the last patient is enrolled (>= 0).
    allocation : float
        Fraction allocated to treatment (default 0.5).
    dropout_rate : float
        Probability of dropping out by ``dropout_time_months`` (default 0).
    dropout_time_months : float
        See ``dropout_rate`` (default 12, as rpact).
    method : {"schoenfeld", "lachin_foulkes"}

    Returns
    -------
    SurvivalSampleSize

    Rules
    -----
    See :data:`SURVIVAL_RULES`.

    Examples
    --------
    >>> res = compute_survival_sample_size(median_control_months=6, median_treatment_months=9,
    ...     alpha=0.05, power=0.8, accrual_months=24, follow_up_months=12)
    >>> res.events, res.n_total
    (191, 221)
    """
    hr, lam_c, lam_t = _resolve_hazards(
        hazard_ratio, median_control_months, median_treatment_months
    )
    alpha = check_open_unit("alpha", alpha)
    power = check_open_unit("power", power)
    sides = check_sides(sides)
    a = check_open_unit("allocation", allocation)
    if not 0.0 <= dropout_rate < 1.0:
        raise InputError(f"'dropout_rate' must be in [0, 1) (got {dropout_rate!r})")
    eta = -math.log1p(-dropout_rate) / check_positive("dropout_time_months", dropout_time_months)
    if method not in ("schoenfeld", "lachin_foulkes"):
        raise InputError(f"'method' must be 'schoenfeld' or 'lachin_foulkes' (got {method!r})")
    kw = {
        "accrual_months": accrual_months,
        "follow_up_months": follow_up_months,
        "dropout_hazard_per_month": eta,
    }
    p_c = compute_event_probability(lam_c, **kw)
    p_t = compute_event_probability(lam_t, **kw)
    p_all = a * p_t + (1 - a) * p_c
    if method == "schoenfeld":
        events = compute_schoenfeld_events(hr, alpha=alpha, power=power, sides=sides, allocation=a)
        n = events / p_all
    else:
        lam_bar = a * lam_t + (1 - a) * lam_c
        phi_bar = lam_bar**2 / compute_event_probability(lam_bar, **kw)
        z_a, z_b = _z(1 - alpha / sides), _z(power)
        root = z_a * math.sqrt(phi_bar * (1 / a + 1 / (1 - a))) + z_b * math.sqrt(
            lam_t**2 / p_t / a + lam_c**2 / p_c / (1 - a)
        )
        n = root**2 / (lam_c - lam_t) ** 2
        events = n * p_all
    return SurvivalSampleSize(
        method=method,
        hazard_ratio=hr,
        hazard_control_per_month=lam_c,
        hazard_treatment_per_month=lam_t,
        median_control_months=math.log(2) / lam_c,
        median_treatment_months=math.log(2) / lam_t,
        alpha=alpha,
        sides=sides,
        power=power,
        allocation=a,
        accrual_months=float(accrual_months),
        follow_up_months=float(follow_up_months),
        dropout_hazard_per_month=eta,
        events_=events,
        events=math.ceil(events - 1e-9),
        n_total_=n,
        n_total=math.ceil(n - 1e-9),
        prob_event_control_=p_c,
        prob_event_treatment_=p_t,
    )


def compute_logrank_power(
    events: float, *, hazard_ratio: float, alpha: float, sides: int = 2, allocation: float = 0.5
) -> float:
    """Approximate log-rank power for a number of events (Schoenfeld 1981, inverted).

    Examples
    --------
    >>> round(compute_logrank_power(247, hazard_ratio=0.7, alpha=0.05), 3)
    0.8
    """
    hr = _check_hr(hazard_ratio)
    d = check_positive("events", events)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    a = check_open_unit("allocation", allocation)
    z = math.sqrt(d * a * (1 - a)) * abs(math.log(hr)) - _z(1 - alpha / sides)
    return float(stats.norm.cdf(z))


__all__ = [
    "RULE_VERSION",
    "SURVIVAL_RULES",
    "SurvivalSampleSize",
    "compute_event_probability",
    "compute_hazard_from_median",
    "compute_logrank_power",
    "compute_median_from_hazard",
    "compute_schoenfeld_events",
    "compute_survival_sample_size",
]
