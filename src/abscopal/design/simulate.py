"""Operating characteristics by simulation (seeded, reproducible) for the designs of this package.

Every function takes a ``seed`` and builds its own ``numpy.random.Generator`` (PCG64), so the same
call returns the same numbers. Monte-Carlo standard errors are reported with each rate.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from abscopal.design._checks import check_count, check_open_unit, check_positive
from abscopal.design.fisher import compute_fisher_rejection_region
from abscopal.design.simon import SimonDesign
from abscopal.design.single_stage import SingleStageDesign
from abscopal.design.survival import SurvivalSampleSize

MAX_SIMULATIONS = 10_000_000


@dataclass(frozen=True)
class SimulatedCharacteristics:
    """Simulated operating characteristics.

    Attributes
    ----------
    design : str
        What was simulated, in words.
    scenario : dict
        The true parameters simulated under.
    n_simulations : int
    seed : int
    reject_rate_ : float
        Fraction of trials that declared the treatment promising / rejected H0.
    reject_rate_se_ : float
        Its Monte-Carlo standard error ``sqrt(r (1 - r) / n_simulations)``.
    early_stop_rate_ : float or None
        Fraction stopped at an interim analysis (two-stage designs).
    mean_sample_size_ : float
        Average number of patients enrolled.
    """

    design: str
    scenario: dict[str, float]
    n_simulations: int
    seed: int
    reject_rate_: float
    reject_rate_se_: float
    early_stop_rate_: float | None
    mean_sample_size_: float

    def describe(self) -> str:
        """One readable line."""
        stop = (
            f", early stop {self.early_stop_rate_:.4f}" if self.early_stop_rate_ is not None else ""
        )
        scen = ", ".join(f"{k}={v:g}" for k, v in self.scenario.items())
        return (
            f"{self.design} under {scen}: reject rate {self.reject_rate_:.4f} "
            f"(MC s.e. {self.reject_rate_se_:.4f}){stop}, mean n {self.mean_sample_size_:.2f} "
            f"[{self.n_simulations} simulations, seed {self.seed}]"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return asdict(self)


def _check_sim(n_simulations: int, seed: int) -> None:
    check_count("n_simulations", n_simulations, minimum=1, maximum=MAX_SIMULATIONS)
    check_count("seed", seed, minimum=0)


def _se(rate: float, n: int) -> float:
    return math.sqrt(max(rate * (1 - rate), 0.0) / n)


def simulate_simon(
    design: SimonDesign, *, p: float, n_simulations: int = 100_000, seed: int = 20240601
) -> SimulatedCharacteristics:
    """Simulate a Simon two-stage design at true response rate ``p``.

    Examples
    --------
    >>> from abscopal.design.simon import compute_simon_characteristics
    >>> d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    >>> sim = simulate_simon(d, p=0.1, n_simulations=20000, seed=1)
    >>> abs(sim.reject_rate_ - d.alpha_) < 4 * sim.reject_rate_se_
    True
    """
    p = check_open_unit("p", p)
    _check_sim(n_simulations, seed)
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(design.n1, p, size=n_simulations)
    x2 = rng.binomial(design.n - design.n1, p, size=n_simulations)
    go_on = x1 > design.r1
    reject = go_on & (x1 + x2 > design.r)
    rate = float(reject.mean())
    return SimulatedCharacteristics(
        design=f"Simon {design.r1}/{design.n1}, {design.r}/{design.n}",
        scenario={"p": p},
        n_simulations=n_simulations,
        seed=seed,
        reject_rate_=rate,
        reject_rate_se_=_se(rate, n_simulations),
        early_stop_rate_=float((~go_on).mean()),
        mean_sample_size_=float(np.where(go_on, design.n, design.n1).mean()),
    )


def simulate_single_stage(
    design: SingleStageDesign, *, p: float, n_simulations: int = 100_000, seed: int = 20240601
) -> SimulatedCharacteristics:
    """Simulate a single-stage design (promising iff ``X >= r``) at true rate ``p``."""
    p = check_open_unit("p", p)
    _check_sim(n_simulations, seed)
    rng = np.random.default_rng(seed)
    rate = float((rng.binomial(design.n, p, size=n_simulations) >= design.r).mean())
    return SimulatedCharacteristics(
        design=f"single-stage n={design.n}, >= {design.r} responses",
        scenario={"p": p},
        n_simulations=n_simulations,
        seed=seed,
        reject_rate_=rate,
        reject_rate_se_=_se(rate, n_simulations),
        early_stop_rate_=None,
        mean_sample_size_=float(design.n),
    )


def simulate_fisher(
    n_treatment: int,
    n_control: int | None = None,
    *,
    p_treatment: float,
    p_control: float,
    alpha: float,
    sides: int = 2,
    lower: bool | None = None,
    n_simulations: int = 100_000,
    seed: int = 20240601,
) -> SimulatedCharacteristics:
    """Simulate a two-arm trial analysed with Fisher's exact test.

    ``lower`` fixes the one-sided direction (``True``: alternative is a lower treatment rate);
    by default it follows ``p_treatment < p_control``, so pass it explicitly to simulate under
    H0 (equal rates).
    """
    n_c = n_treatment if n_control is None else n_control
    p_t = check_open_unit("p_treatment", p_treatment)
    p_c = check_open_unit("p_control", p_control)
    _check_sim(n_simulations, seed)
    direction = (p_t < p_c) if lower is None else lower
    region = compute_fisher_rejection_region(
        n_treatment, n_c, alpha=alpha, sides=sides, lower=direction
    )
    rng = np.random.default_rng(seed)
    x_t = rng.binomial(n_treatment, p_t, size=n_simulations)
    x_c = rng.binomial(n_c, p_c, size=n_simulations)
    rate = float(region[x_t, x_c].mean())
    return SimulatedCharacteristics(
        design=f"Fisher exact ({sides}-sided, alpha {alpha:g}), {n_treatment} vs {n_c}",
        scenario={"p_treatment": p_t, "p_control": p_c},
        n_simulations=n_simulations,
        seed=seed,
        reject_rate_=rate,
        reject_rate_se_=_se(rate, n_simulations),
        early_stop_rate_=None,
        mean_sample_size_=float(n_treatment + n_c),
    )


def _logrank_z(
    time: NDArray[np.float64], event: NDArray[np.bool_], arm: NDArray[np.bool_]
) -> float:
    """Log-rank statistic (treatment arm O - E over its s.d.); ties handled by the usual variance."""
    order = np.argsort(time, kind="stable")
    t, e, a = time[order], event[order], arm[order]
    uniq, first = np.unique(t, return_index=True)
    n = t.size
    at_risk = n - first
    at_risk_t = np.cumsum(a[::-1])[::-1][first]
    d = np.add.reduceat(e.astype(np.float64), first)
    d_t = np.add.reduceat((e & a).astype(np.float64), first)
    m = d > 0
    nr, nt, dd, dt = at_risk[m].astype(np.float64), at_risk_t[m], d[m], d_t[m]
    expected = dd * nt / nr
    var = dd * (nt / nr) * (1 - nt / nr) * (nr - dd) / np.maximum(nr - 1, 1)
    v = float(var.sum())
    return float((dt - expected).sum() / math.sqrt(v)) if v > 0 else 0.0


def simulate_survival(
    design: SurvivalSampleSize,
    *,
    hazard_ratio: float | None = None,
    n_total: int | None = None,
    n_simulations: int = 2000,
    seed: int = 20240601,
) -> SimulatedCharacteristics:
    """Simulate a two-arm exponential trial with uniform accrual, analysed by the log-rank test.

    Patients accrue uniformly over ``design.accrual_months`` and are analysed at accrual +
    follow-up; dropout is exponential with ``design.dropout_hazard_per_month``. The test rejects
    when the log-rank z favours treatment beyond ``z_{1-alpha/sides}`` (one-sided), or when
    ``|z|`` exceeds it (two-sided).

    Parameters
    ----------
    design : SurvivalSampleSize
        From :func:`~abscopal.design.survival.compute_survival_sample_size`.
    hazard_ratio : float, optional
        True hazard ratio to simulate (default: the design's; 1.0 simulates H0).
    n_total : int, optional
        Patients (default: the design's ``n_total``).
    """
    hr = (
        design.hazard_ratio
        if hazard_ratio is None
        else check_positive("hazard_ratio", hazard_ratio)
    )
    n = design.n_total if n_total is None else check_count("n_total", n_total, minimum=2)
    _check_sim(n_simulations, seed)
    rng = np.random.default_rng(seed)
    n_t = int(round(n * design.allocation))
    arm = np.zeros(n, dtype=bool)
    arm[:n_t] = True
    lam = np.where(arm, design.hazard_control_per_month * hr, design.hazard_control_per_month)
    end = design.accrual_months + design.follow_up_months
    crit = float(stats.norm.ppf(1 - design.alpha / design.sides))
    rejects = 0
    for _ in range(n_simulations):
        entry = rng.uniform(0.0, design.accrual_months, size=n)
        t_event = rng.exponential(1.0 / lam)
        t_drop = (
            rng.exponential(1.0 / design.dropout_hazard_per_month, size=n)
            if design.dropout_hazard_per_month > 0
            else np.full(n, np.inf)
        )
        admin = end - entry
        time = np.minimum(np.minimum(t_event, t_drop), admin)
        event = t_event <= np.minimum(t_drop, admin)
        z = _logrank_z(time, event, arm)
        # z = (O - E) in the treatment arm: negative when treatment has fewer events than expected
        benefit = -z if design.hazard_ratio < 1 else z
        rejects += int(benefit > crit if design.sides == 1 else abs(z) > crit)
    rate = rejects / n_simulations
    return SimulatedCharacteristics(
        design=(
            f"log-rank ({design.sides}-sided, alpha {design.alpha:g}), {n} patients, "
            f"{design.accrual_months:g} + {design.follow_up_months:g} months"
        ),
        scenario={"hazard_ratio": hr, "median_control_months": design.median_control_months},
        n_simulations=n_simulations,
        seed=seed,
        reject_rate_=rate,
        reject_rate_se_=_se(rate, n_simulations),
        early_stop_rate_=None,
        mean_sample_size_=float(n),
    )


__all__ = [
    "SimulatedCharacteristics",
    "simulate_fisher",
    "simulate_simon",
    "simulate_single_stage",
    "simulate_survival",
]
