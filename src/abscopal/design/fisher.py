"""Two-arm binary endpoints: exact power of Fisher's exact test and sample sizes.

Power is computed by full enumeration of the ``(x_treatment, x_control)`` outcomes. For each
total ``t = x_t + x_c`` the test is conditional: ``X_t | t`` is hypergeometric, so the p-value of
every table with total ``t`` comes from one cumulative sum over the hypergeometric pmf of that
total. The rejection indicator is then weighted by the two binomial probabilities.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from abscopal.design._checks import check_count, check_open_unit, check_sides
from abscopal.errors import InputError

RULE_VERSION = "fisher_exact/abscopal-1"

TWO_SIDED_RELATIVE_TOLERANCE = 1e-7
"""Tables whose probability is within this relative tolerance of the observed one count as 'as
extreme' in the two-sided p-value (the tolerance R's ``fisher.test`` uses)."""

FISHER_RULES: tuple[str, ...] = (
    "Fisher's exact test conditions on the total number of responders t; X_treatment | t is "
    "hypergeometric (Fisher 1935).",
    "One-sided: the p-value is the conditional tail in the direction of the alternative "
    "(p_treatment < p_control: lower tail of X_treatment; otherwise upper tail).",
    "Two-sided: the sum of conditional probabilities of tables no more probable than the observed "
    "one (relative tolerance 1e-7, as R's fisher.test).",
    "Reject H0 iff p-value <= alpha; exact power = sum of P(x_t; n_t, p_treatment) "
    "P(x_c; n_c, p_control) over the rejection region.",
    "Attained size: the rejection probability when both arms share the rate p_control; the "
    "maximum over a common rate in (0, 1) is reported as the worst-case size.",
)

NORMAL_RULES: tuple[str, ...] = (
    "Normal approximation per arm (pooled variance under H0, unpooled under H1): n = (z_a "
    "sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2 with pbar the mean rate and "
    "z_a = z_{1-alpha/sides} (Fleiss, Levin & Paik 2003, eq. 4.14).",
    "Continuity-corrected: n_cc = n/4 (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2 (Fleiss et al. eq. 4.15).",
)


@dataclass(frozen=True)
class FisherPower:
    """Exact power of Fisher's exact test for a given design.

    Attributes
    ----------
    n_treatment, n_control : int
        Patients per arm.
    p_treatment, p_control : float
        Assumed response (or event) rates.
    alpha : float
        Nominal significance level.
    sides : int
        1 or 2.
    power_ : float
        Exact power by enumeration.
    size_at_control_rate_ : float
        Exact rejection probability when both arms have rate ``p_control``.
    size_max_ : float
        Largest rejection probability over a common rate (grid of 999 rates in (0, 1)).
    normal_power_ : float
        Power by the normal approximation (pooled variance under H0, unpooled under H1, no
        continuity correction), for comparison.
    """

    n_treatment: int
    n_control: int
    p_treatment: float
    p_control: float
    alpha: float
    sides: int
    power_: float
    size_at_control_rate_: float
    size_max_: float
    normal_power_: float
    rules: tuple[str, ...] = field(default=FISHER_RULES)
    rule_version: str = RULE_VERSION

    def describe(self) -> str:
        """One readable paragraph."""
        side = "one-sided" if self.sides == 1 else "two-sided"
        return (
            f"Fisher's exact test, {side} alpha {self.alpha:g}, {self.n_treatment} vs "
            f"{self.n_control} patients, rates {self.p_treatment:g} vs {self.p_control:g}: exact "
            f"power {self.power_:.4f} (normal approximation {self.normal_power_:.4f}); attained "
            f"size {self.size_at_control_rate_:.4f} at a common rate {self.p_control:g}, at most "
            f"{self.size_max_:.4f} over all common rates"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        data = asdict(self)
        data["rules"] = list(self.rules)
        return data


@dataclass(frozen=True)
class FisherSampleSize:
    """Smallest per-arm sample size for Fisher's exact test.

    Attributes
    ----------
    n_per_arm : int
        Smallest equal per-arm size whose exact power reaches the target.
    n_per_arm_stable : int
        Smallest size from which every larger size up to the end of the scan (1.3 times the
        continuity-corrected normal size + 10, at least 40) also reaches it; exact power is saw-toothed in n.
        ``None`` if the last size scanned misses the target.
    power_at_n_ : float
        Exact power at ``n_per_arm``.
    normal_n_per_arm : int
        Normal-approximation size (pooled/unpooled variances, no continuity correction), rounded
        up.
    normal_cc_n_per_arm : int
        The same with Fleiss' continuity correction.
    """

    p_treatment: float
    p_control: float
    alpha: float
    sides: int
    target_power: float
    n_per_arm: int
    n_per_arm_stable: int | None
    power_at_n_: float
    normal_n_per_arm: int
    normal_cc_n_per_arm: int
    rules: tuple[str, ...] = field(default=FISHER_RULES + NORMAL_RULES)
    rule_version: str = RULE_VERSION

    def describe(self) -> str:
        """One readable paragraph."""
        side = "one-sided" if self.sides == 1 else "two-sided"
        return (
            f"Fisher's exact test, {side} alpha {self.alpha:g}, rates {self.p_treatment:g} vs "
            f"{self.p_control:g}, target power {self.target_power:g}: {self.n_per_arm} per arm "
            f"(exact power {self.power_at_n_:.4f}); every n >= {self.n_per_arm_stable} scanned also "
            f"reaches it; normal approximation {self.normal_n_per_arm} per arm "
            f"({self.normal_cc_n_per_arm} with continuity correction)"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        data = asdict(self)
        data["rules"] = list(self.rules)
        return data


def _log_comb(n: NDArray[np.float64] | float, k: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = (
        special.gammaln(np.asarray(n) + 1)
        - special.gammaln(k + 1)
        - special.gammaln(np.asarray(n) - k + 1)
    )
    return out


def compute_fisher_rejection_region(
    n_treatment: int, n_control: int, *, alpha: float, sides: int, lower: bool
) -> NDArray[np.bool_]:
    """Rejection region of Fisher's exact test as a boolean array ``[x_treatment, x_control]``.

    Parameters
    ----------
    n_treatment, n_control : int
        Patients per arm (>= 1).
    alpha : float
        Significance level.
    sides : int
        1 or 2.
    lower : bool
        For one-sided tests: ``True`` when the alternative is a lower treatment rate.

    Returns
    -------
    numpy.ndarray of bool, shape (n_treatment + 1, n_control + 1)
    """
    check_count("n_treatment", n_treatment, minimum=1)
    check_count("n_control", n_control, minimum=1)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    n_t, n_c = n_treatment, n_control
    total = n_t + n_c
    t = np.arange(total + 1, dtype=np.float64)[:, None]
    x = np.arange(n_t + 1, dtype=np.float64)[None, :]
    valid = (x <= t) & (t - x <= n_c)
    xs = np.where(valid, x, 0.0)
    ys = np.where(valid, t - x, 0.0)
    log_h = _log_comb(float(n_t), xs) + _log_comb(float(n_c), ys) - _log_comb(float(total), t)
    h = np.where(valid, np.exp(log_h), 0.0)  # h[t, x] = P(X_t = x | total t)
    if sides == 1:
        tail = np.cumsum(h, axis=1) if lower else np.cumsum(h[:, ::-1], axis=1)[:, ::-1]
    else:
        # p(x) = sum of h(y) over y with h(y) <= h(x) (1 + tol), within the same total t:
        # sort each row, cumulate, and look every h(x) up in its own row in one searchsorted
        # call (rows are shifted apart by 2 * row index since every h lies in [0, 1])
        n_rows, n_cols = h.shape
        shift = 2.0 * np.arange(n_rows)[:, None]
        h_sorted = np.sort(h, axis=1)
        cum = np.concatenate([np.zeros((n_rows, 1)), np.cumsum(h_sorted, axis=1)], axis=1)
        pos = (
            np.searchsorted(
                (h_sorted + shift).ravel(),
                (h * (1.0 + TWO_SIDED_RELATIVE_TOLERANCE) + shift).ravel(),
                side="right",
            ).reshape(n_rows, n_cols)
            - np.arange(n_rows)[:, None] * n_cols
        )
        # invalid cells (h = 0) add nothing to any row sum
        tail = np.take_along_axis(cum, pos, axis=1)
    reject_tx = valid & (tail <= alpha * (1.0 + 1e-12))
    x_t = np.arange(n_t + 1)[:, None]
    x_c = np.arange(n_c + 1)[None, :]
    region: NDArray[np.bool_] = reject_tx[x_t + x_c, x_t]
    return region


def _power_from_region(
    region: NDArray[np.bool_], n_t: int, n_c: int, p_t: float, p_c: float
) -> float:
    b_t = stats.binom.pmf(np.arange(n_t + 1), n_t, p_t)
    b_c = stats.binom.pmf(np.arange(n_c + 1), n_c, p_c)
    return float(b_t @ region.astype(np.float64) @ b_c)


def _z(q: float) -> float:
    return float(stats.norm.ppf(q))


def _normal_power(n_t: int, n_c: int, p_t: float, p_c: float, alpha: float, sides: int) -> float:
    d = abs(p_t - p_c)
    pbar = (n_t * p_t + n_c * p_c) / (n_t + n_c)
    se0 = math.sqrt(pbar * (1 - pbar) * (1 / n_t + 1 / n_c))
    se1 = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    z_a = _z(1 - alpha / sides)
    return float(stats.norm.cdf((d - z_a * se0) / se1))


def _check_rates(p_treatment: float, p_control: float) -> tuple[float, float]:
    p_t = check_open_unit("p_treatment", p_treatment)
    p_c = check_open_unit("p_control", p_control)
    if p_t == p_c:
        raise InputError(
            f"'p_treatment' must differ from 'p_control' to have power (got both {p_t!r})"
        )
    return p_t, p_c


def compute_fisher_power(
    n_treatment: int,
    n_control: int | None = None,
    *,
    p_treatment: float,
    p_control: float,
    alpha: float,
    sides: int = 2,
) -> FisherPower:
    """Exact power (and attained size) of Fisher's exact test by full enumeration.

    Parameters
    ----------
    n_treatment : int
        Patients in the treatment arm (>= 1).
    n_control : int, optional
        Patients in the control arm; defaults to ``n_treatment``.
    p_treatment, p_control : float
        Assumed rates, strictly between 0 and 1, different.
    alpha : float
        Significance level (one-sided level when ``sides=1``).
    sides : {1, 2}
        One-sided tests look in the direction of ``p_treatment - p_control``.

    Returns
    -------
    FisherPower

    Rules
    -----
    See :data:`FISHER_RULES`.

    Examples
    --------
    >>> res = compute_fisher_power(26, p_treatment=0.15, p_control=0.5, alpha=0.07, sides=1)
    >>> round(res.power_, 4)
    0.8494
    """
    n_c = n_treatment if n_control is None else n_control
    p_t, p_c = _check_rates(p_treatment, p_control)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    region = compute_fisher_rejection_region(
        n_treatment, n_c, alpha=alpha, sides=sides, lower=p_t < p_c
    )
    grid = np.linspace(0.001, 0.999, 999)
    b_t = stats.binom.pmf(np.arange(n_treatment + 1)[None, :], n_treatment, grid[:, None])
    b_c = stats.binom.pmf(np.arange(n_c + 1)[None, :], n_c, grid[:, None])
    sizes = np.einsum("gi,ij,gj->g", b_t, region.astype(np.float64), b_c)
    return FisherPower(
        n_treatment=n_treatment,
        n_control=n_c,
        p_treatment=p_t,
        p_control=p_c,
        alpha=alpha,
        sides=sides,
        power_=_power_from_region(region, n_treatment, n_c, p_t, p_c),
        size_at_control_rate_=_power_from_region(region, n_treatment, n_c, p_c, p_c),
        size_max_=float(sizes.max()),
        normal_power_=_normal_power(n_treatment, n_c, p_t, p_c, alpha, sides),
    )


def compute_normal_sample_size(
    p_treatment: float,
    p_control: float,
    *,
    alpha: float,
    power: float,
    sides: int = 2,
    continuity_correction: bool = False,
) -> float:
    """Per-arm sample size for two proportions by the normal approximation, unrounded.

    Equal allocation; round up for a design. The same formula as rpact's
    ``getSampleSizeRates`` (``nFixed1``) without continuity correction.

    Rules
    -----
    See :data:`NORMAL_RULES`.

    Examples
    --------
    >>> round(compute_normal_sample_size(0.15, 0.5, alpha=0.07, power=0.85, sides=1), 2)
    21.27
    """
    p_t, p_c = _check_rates(p_treatment, p_control)
    alpha = check_open_unit("alpha", alpha)
    power = check_open_unit("power", power)
    sides = check_sides(sides)
    d = abs(p_t - p_c)
    pbar = (p_t + p_c) / 2
    z_a, z_b = _z(1 - alpha / sides), _z(power)
    n = (
        z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p_t * (1 - p_t) + p_c * (1 - p_c))
    ) ** 2 / d**2
    if continuity_correction:
        n = n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2
    return n


def compute_fisher_sample_size(
    p_treatment: float,
    p_control: float,
    *,
    alpha: float,
    power: float,
    sides: int = 2,
    nmax: int = 1000,
) -> FisherSampleSize:
    """Smallest equal per-arm size whose exact Fisher power reaches ``power``.

    Parameters
    ----------
    p_treatment, p_control : float
        Assumed rates.
    alpha : float
        Significance level.
    power : float
        Target power.
    sides : {1, 2}
    nmax : int
        Largest per-arm size searched (default 1000).

    Examples
    --------
    >>> compute_fisher_sample_size(0.15, 0.5, alpha=0.07, power=0.85, sides=1).n_per_arm
    27
    """
    p_t, p_c = _check_rates(p_treatment, p_control)
    alpha = check_open_unit("alpha", alpha)
    power = check_open_unit("power", power)
    sides = check_sides(sides)
    check_count("nmax", nmax, minimum=2, maximum=5000)
    n_normal = math.ceil(
        compute_normal_sample_size(p_t, p_c, alpha=alpha, power=power, sides=sides) - 1e-9
    )
    n_cc = math.ceil(
        compute_normal_sample_size(
            p_t, p_c, alpha=alpha, power=power, sides=sides, continuity_correction=True
        )
        - 1e-9
    )
    # exact power is saw-toothed: scan from 2 upward, and past the first hit for stability
    upper = min(nmax, max(math.ceil(1.3 * n_cc) + 10, 40))
    powers: dict[int, float] = {}
    for n in range(2, upper + 1):
        region = compute_fisher_rejection_region(n, n, alpha=alpha, sides=sides, lower=p_t < p_c)
        powers[n] = _power_from_region(region, n, n, p_t, p_c)
    hits = [n for n, pw in powers.items() if pw >= power - 1e-12]
    if not hits:
        raise InputError(
            f"no per-arm size <= {upper} reaches power {power:g} with Fisher's exact test "
            f"(alpha {alpha:g}, rates {p_t:g} vs {p_c:g}); increase 'nmax'"
        )
    stable: int | None = None
    if powers[upper] >= power - 1e-12:
        stable = upper
        while stable > 2 and powers[stable - 1] >= power - 1e-12:
            stable -= 1
    return FisherSampleSize(
        p_treatment=p_t,
        p_control=p_c,
        alpha=alpha,
        sides=sides,
        target_power=power,
        n_per_arm=hits[0],
        n_per_arm_stable=stable,
        power_at_n_=powers[hits[0]],
        normal_n_per_arm=n_normal,
        normal_cc_n_per_arm=n_cc,
    )


OneOrTwo = Literal[1, 2]

__all__ = [
    "FISHER_RULES",
    "NORMAL_RULES",
    "RULE_VERSION",
    "TWO_SIDED_RELATIVE_TOLERANCE",
    "FisherPower",
    "FisherSampleSize",
    "compute_fisher_power",
    "compute_fisher_rejection_region",
    "compute_fisher_sample_size",
    "compute_normal_sample_size",
]
