"""Cox proportional-hazards regression (Efron or Breslow ties) by Newton–Raphson.

Why not lifelines: its ``CoxPHFitter`` is more than ten times slower than R ``coxph`` on a
million rows. Here the partial likelihood is evaluated on tie-grouped risk-set sums: the data
are sorted once (``np.unique``), and each iteration is a handful of ``bincount`` and reversed
``cumsum`` passes, O(n p^2). Results agree with R ``survival::coxph`` to better than 1e-6 and
with lifelines on small data (tests/analysis/test_cox.py).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from abscopal.analysis._arrays import FloatArray, as_events, as_times, check_confidence
from abscopal.errors import InputError, StatisticalWarning

TIES: tuple[str, ...] = ("efron", "breslow")


@dataclass(frozen=True, eq=False)
class CoxResult:
    """A fitted Cox model.

    Attributes
    ----------
    names : tuple of str
        Covariate names, in column order.
    coef_, se_ : ndarray
        log hazard ratios and their model-based (inverse information) standard errors.
    hazard_ratio_, hr_ci_lower_, hr_ci_upper_ : ndarray
        exp(coef) and its Wald interval exp(coef +/- z se).
    z_, p_value_ : ndarray
        Wald z and two-sided p per covariate.
    loglik_null_, loglik_ : float
        Partial log-likelihood at beta = 0 and at the estimate.
    lr_chi2_, lr_p_value_, wald_chi2_, wald_p_value_, score_chi2_, score_p_value_ : float
        Global tests on ``len(names)`` df (R ``summary.coxph`` logtest / waldtest / sctest).
    ties : str
        "efron" (R's default) or "breslow".
    n, n_events, iterations : int
    confidence : float
    """

    names: tuple[str, ...]
    coef_: FloatArray
    se_: FloatArray
    hazard_ratio_: FloatArray
    hr_ci_lower_: FloatArray
    hr_ci_upper_: FloatArray
    z_: FloatArray
    p_value_: FloatArray
    variance_: FloatArray
    loglik_null_: float
    loglik_: float
    lr_chi2_: float
    lr_p_value_: float
    wald_chi2_: float
    wald_p_value_: float
    score_chi2_: float
    score_p_value_: float
    ties: str
    n: int
    n_events: int
    iterations: int
    confidence: float

    @property
    def method(self) -> str:
        """Estimator in words."""
        return (
            f"Cox partial likelihood, {self.ties} ties, Newton-Raphson with step halving; "
            "Wald CI exp(coef +/- z*se) with se from the inverse information"
        )

    @property
    def summary(self) -> str:
        """Readable multi-line table."""
        pct = f"{100 * self.confidence:g}%"
        lines = [f"Cox PH (ties={self.ties}), n={self.n}, events={self.n_events}"]
        for i, name in enumerate(self.names):
            lines.append(
                f"  {name}: HR {self.hazard_ratio_[i]:.4g} ({pct} CI {self.hr_ci_lower_[i]:.4g} "
                f"to {self.hr_ci_upper_[i]:.4g}), coef {self.coef_[i]:.5g} se {self.se_[i]:.4g},"
                f" p = {self.p_value_[i]:.4g}"
            )
        lines.append(
            f"  likelihood ratio {self.lr_chi2_:.4g} (p = {self.lr_p_value_:.4g}); Wald "
            f"{self.wald_chi2_:.4g} (p = {self.wald_p_value_:.4g}); score {self.score_chi2_:.4g}"
            f" (p = {self.score_p_value_:.4g}) on {len(self.names)} df"
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form for JSON output."""
        return {
            "covariates": [
                {
                    "name": name,
                    "coef": float(self.coef_[i]),
                    "se": float(self.se_[i]),
                    "hazard_ratio": float(self.hazard_ratio_[i]),
                    "hr_ci_lower": float(self.hr_ci_lower_[i]),
                    "hr_ci_upper": float(self.hr_ci_upper_[i]),
                    "z": float(self.z_[i]),
                    "p_value": float(self.p_value_[i]),
                }
                for i, name in enumerate(self.names)
            ],
            "loglik_null": self.loglik_null_,
            "loglik": self.loglik_,
            "lr_chi2": self.lr_chi2_,
            "lr_p_value": self.lr_p_value_,
            "wald_chi2": self.wald_chi2_,
            "wald_p_value": self.wald_p_value_,
            "score_chi2": self.score_chi2_,
            "score_p_value": self.score_p_value_,
            "ties": self.ties,
            "n": self.n,
            "n_events": self.n_events,
            "iterations": self.iterations,
            "confidence": self.confidence,
            "method": self.method,
        }


class _PartialLikelihood:
    """Breslow/Efron log partial likelihood, gradient and information on grouped ties."""

    def __init__(self, time: FloatArray, event: npt.NDArray[np.bool_], x: FloatArray,
                 ties: str) -> None:
        times, inv = np.unique(time, return_inverse=True)
        self.k = times.shape[0]
        self.inv = inv.astype(np.int64)
        self.x = x
        self.p = x.shape[1]
        self.ev = event
        self.inv_ev = self.inv[event]
        self.x_ev = x[event]
        self.sum_x_ev = self.x_ev.sum(axis=0)
        self.m = np.bincount(self.inv_ev, minlength=self.k).astype(np.float64)
        self.ties = ties
        # Efron: the r-th (0-based) of m tied events removes r/m of the tied risk.
        order = np.argsort(self.inv_ev, kind="stable")
        sorted_inv = self.inv_ev[order]
        starts = np.searchsorted(sorted_inv, sorted_inv, side="left")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0]) - starts
        self.frac = rank / self.m[self.inv_ev]
        self.iu = np.triu_indices(self.p)

    def _risk_sums(self, w: FloatArray, idx: npt.NDArray[np.int64], x: FloatArray,
                   reverse: bool) -> tuple[FloatArray, FloatArray, FloatArray]:
        k = self.k
        s0 = np.bincount(idx, weights=w, minlength=k)
        wx = w[:, None] * x
        s1 = np.stack([np.bincount(idx, weights=wx[:, j], minlength=k) for j in range(self.p)],
                      axis=1)
        i_idx, j_idx = self.iu
        s2 = np.stack([np.bincount(idx, weights=wx[:, i] * x[:, j], minlength=k)
                       for i, j in zip(i_idx, j_idx, strict=True)], axis=1)
        if reverse:
            s0 = np.cumsum(s0[::-1])[::-1]
            s1 = np.cumsum(s1[::-1], axis=0)[::-1]
            s2 = np.cumsum(s2[::-1], axis=0)[::-1]
        return s0.astype(np.float64), s1.astype(np.float64), s2.astype(np.float64)

    def _unpack(self, s2: FloatArray) -> FloatArray:
        """Rows of upper-triangle entries -> their sum as a full symmetric p x p matrix."""
        full = np.zeros((self.p, self.p))
        full[self.iu] = s2
        return full + np.triu(full, 1).T

    def evaluate(self, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """Log partial likelihood, score vector and information matrix at ``beta``."""
        eta = self.x @ beta
        shift = float(eta.max())
        w = np.exp(eta - shift)
        s0, s1, s2 = self._risk_sums(w, self.inv, self.x, reverse=True)
        eta_ev_sum = float(eta[self.ev].sum())
        if self.ties == "breslow":
            has = self.m > 0
            m, s0, s1, s2 = self.m[has], s0[has], s1[has], s2[has]
            loglik = eta_ev_sum - float((m * (np.log(s0) + shift)).sum())
            mean1 = s1 / s0[:, None]
            grad = self.sum_x_ev - (m[:, None] * mean1).sum(axis=0)
            i_idx, j_idx = self.iu
            cov = s2 / s0[:, None] - mean1[:, i_idx] * mean1[:, j_idx]
            info = self._unpack((m[:, None] * cov).sum(axis=0))
            return loglik, grad, info
        w_ev = w[self.ev]
        a0, a1, a2 = self._risk_sums(w_ev, self.inv_ev, self.x_ev, reverse=False)
        t, f = self.inv_ev, self.frac
        phi = s0[t] - f * a0[t]
        psi1 = s1[t] - f[:, None] * a1[t]
        psi2 = s2[t] - f[:, None] * a2[t]
        loglik = eta_ev_sum - float((np.log(phi) + shift).sum())
        mean1 = psi1 / phi[:, None]
        grad = self.sum_x_ev - mean1.sum(axis=0)
        i_idx, j_idx = self.iu
        cov = psi2 / phi[:, None] - mean1[:, i_idx] * mean1[:, j_idx]
        info = self._unpack(cov.sum(axis=0))
        return loglik, grad, info


def _as_design(
    covariates: pd.DataFrame | npt.ArrayLike, names: Sequence[str] | None, n: int
) -> tuple[FloatArray, tuple[str, ...]]:
    if isinstance(covariates, pd.DataFrame):
        cols = tuple(str(c) for c in covariates.columns)
        non_num = [
            c for c in covariates.columns if not pd.api.types.is_numeric_dtype(covariates[c])
        ]
        if non_num:
            raise InputError(
                f"covariate column(s) {non_num} must be numeric; code categories as 0/1 "
                "indicator columns first"
            )
        x = covariates.to_numpy(dtype=np.float64)
        names = names or cols
    else:
        try:
            x = np.asarray(covariates, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("'covariates' must be numeric") from exc
        if x.ndim == 1:
            x = x[:, None]
    if x.ndim != 2 or x.shape[0] != n or x.shape[1] < 1:
        raise InputError(
            f"'covariates' must be an (n, p) table with n = {n} rows and p >= 1 (got {x.shape})"
        )
    if not np.isfinite(x).all():
        r, c = np.argwhere(~np.isfinite(x))[0]
        raise InputError(
            f"'covariates' must be finite (got {float(x[r, c])!r} at row {int(r)}, column "
            f"{int(c)}); drop rows with missing covariates first (R coxph's na.action = na.omit)"
        )
    if names is None:
        names = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    if len(names) != x.shape[1]:
        raise InputError(f"'names' must have {x.shape[1]} entries (got {len(names)})")
    return x, tuple(names)


def compute_cox_ph(
    time: Sequence[float] | npt.ArrayLike,
    event: Sequence[Any] | npt.ArrayLike,
    covariates: pd.DataFrame | npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    ties: str = "efron",
    confidence: float = 0.95,
    max_iterations: int = 30,
    tolerance: float = 1e-10,
) -> CoxResult:
    """Fit a Cox proportional-hazards model and return hazard ratios with Wald CIs.

    Parameters
    ----------
    time : array-like of float
        Follow-up times, finite and >= 0.
    event : array-like of bool or 0/1
        1 = event, 0 = censored.
    covariates : DataFrame or array-like, shape (n,) or (n, p)
        Numeric covariates (e.g. a 0/1 arm indicator). Column names are taken from a DataFrame.
    names : sequence of str, optional
        Covariate names for an array input.
    ties : {"efron", "breslow"}
        Tie handling, case-insensitive. Default Efron (R ``coxph``'s and lifelines' default).
    confidence : float
        Level of the hazard-ratio intervals; default 0.95.
    max_iterations : int
        Newton–Raphson iteration cap (default 30; R's default is 20).
    tolerance : float
        Convergence when the relative change in log-likelihood is below this (default 1e-10;
        R uses 1e-9).

    Returns
    -------
    CoxResult

    Raises
    ------
    InputError
        Bad times/events/covariates, no events, or a singular information matrix (collinear
        covariates).

    Warns
    -----
    StatisticalWarning
        No convergence within ``max_iterations`` (e.g. monotone likelihood: a coefficient
        tends to infinity, as when one arm has no events).

    Rules
    -----
    1. Covariates are centred at their means before fitting (as R), which changes nothing but
       numerical stability.
    2. Breslow: each tied event set uses the full risk set. Efron (1977): the r-th of m tied
       events uses the risk set minus r/m of the tied subjects' weight.
    3. Newton–Raphson from beta = 0, halving the step whenever the log-likelihood falls.
    4. Score test = U(0)' I(0)^-1 U(0); Wald = b' I(b) b; LR = 2 (l(b) - l(0)).

    Examples
    --------
    >>> r = compute_cox_ph([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 0, 1, 1, 0, 1],
    ...                    [1, 0, 1, 1, 0, 0, 1, 0], names=["arm"])
    >>> round(float(r.hazard_ratio_[0]), 4)  # R coxph: 0.9897331
    0.9897
    """
    t = as_times(time)
    e = as_events(event, n=t.shape[0])
    x, cov_names = _as_design(covariates, names, t.shape[0])
    ties_key = str(ties).strip().lower()
    if ties_key not in TIES:
        raise InputError(f"'ties' must be one of {list(TIES)} (got {ties!r})")
    conf = check_confidence(confidence)
    if not e.any():
        raise InputError("'event' has no events: the Cox model is not estimable")
    xc = x - x.mean(axis=0)
    model = _PartialLikelihood(t, e, xc, ties_key)
    p = xc.shape[1]
    beta = np.zeros(p)
    ll0, grad0, info0 = model.evaluate(beta)
    score_chi2 = _quad_solve(info0, grad0)
    ll, grad, info = ll0, grad0, info0
    converged = False
    it = 0
    for it in range(1, max_iterations + 1):  # noqa: B007 (it is reported)
        step = _solve(info, grad)
        new_beta = beta + step
        new_ll, new_grad, new_info = model.evaluate(new_beta)
        halvings = 0
        while (not math.isfinite(new_ll) or new_ll < ll) and halvings < 30:
            step = step / 2
            new_beta = beta + step
            new_ll, new_grad, new_info = model.evaluate(new_beta)
            halvings += 1
        change = abs(1 - ll / new_ll) if new_ll != 0 else abs(new_ll - ll)
        beta, ll, grad, info = new_beta, new_ll, new_grad, new_info
        if change <= tolerance:
            converged = True
            break
    if not converged:
        warnings.warn(
            f"Cox fit did not converge in {max_iterations} iterations; a coefficient may be "
            "infinite (monotone likelihood, e.g. no events in one group)",
            StatisticalWarning,
            stacklevel=2,
        )
    variance = np.asarray(np.linalg.inv(info), dtype=np.float64)
    se = np.sqrt(np.diag(variance))
    z = float(stats.norm.ppf(1 - (1 - conf) / 2))
    wald_z = beta / se
    wald_chi2 = float(beta @ info @ beta)
    lr = 2 * (ll - ll0)
    return CoxResult(
        names=cov_names,
        coef_=beta,
        se_=se,
        hazard_ratio_=np.exp(beta),
        hr_ci_lower_=np.exp(beta - z * se),
        hr_ci_upper_=np.exp(beta + z * se),
        z_=wald_z,
        p_value_=2 * stats.norm.sf(np.abs(wald_z)),
        variance_=variance,
        loglik_null_=ll0,
        loglik_=ll,
        lr_chi2_=lr,
        lr_p_value_=float(stats.chi2.sf(lr, p)),
        wald_chi2_=wald_chi2,
        wald_p_value_=float(stats.chi2.sf(wald_chi2, p)),
        score_chi2_=score_chi2,
        score_p_value_=float(stats.chi2.sf(score_chi2, p)),
        ties=ties_key,
        n=int(t.shape[0]),
        n_events=int(e.sum()),
        iterations=it,
        confidence=conf,
    )


def _solve(info: FloatArray, grad: FloatArray) -> FloatArray:
    try:
        return np.asarray(np.linalg.solve(info, grad), dtype=np.float64)
    except np.linalg.LinAlgError as exc:
        raise InputError(
            "the Cox information matrix is singular: covariates are collinear or constant "
            "among subjects at risk; drop or combine them"
        ) from exc


def _quad_solve(info: FloatArray, grad: FloatArray) -> float:
    return float(grad @ _solve(info, grad))
