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
    """Breslow/Efron log partial likelihood, score and information on time-sorted data.

    The rows are sorted by time once. Risk-set sums at the event times are then one reversed
    ``cumsum`` per term (1, x_j, x_i x_j) read at the first row of each time's block, so
    memory access stays sequential and the work per iteration is O(n p^2). Efron's correction
    is computed only for tied events.
    """

    def __init__(self, time: FloatArray, event: npt.NDArray[np.bool_], x: FloatArray,
                 ties: str) -> None:
        order = np.argsort(time, kind="stable")
        ts = time[order]
        xs = x[order]
        self.x = np.ascontiguousarray(xs)
        self.cols = [np.ascontiguousarray(xs[:, j]) for j in range(x.shape[1])]
        self.ev = event[order]
        self.p = x.shape[1]
        self.pairs = [(i, j) for i in range(self.p) for j in range(i, self.p)]
        # ts is sorted: blocks of equal times start where the value changes (no second sort).
        new_block = np.empty(ts.shape[0], dtype=bool)
        new_block[0] = True
        np.not_equal(ts[1:], ts[:-1], out=new_block[1:])
        starts = np.flatnonzero(new_block)
        counts = np.diff(np.append(starts, ts.shape[0]))
        n_times = counts.shape[0]
        group = np.repeat(np.arange(n_times), counts)
        m = np.bincount(group[self.ev], minlength=n_times).astype(np.float64)
        self.sum_x_ev = xs[self.ev].sum(axis=0)
        self.n_events = int(self.ev.sum())
        if ties == "breslow":
            times = np.flatnonzero(m > 0)
            self.plain_pos, self.plain_weight = starts[times], m[times]
            self.tied_rows = np.empty(0, dtype=np.int64)
            return
        # Efron: times with one event need no correction; the r-th of m tied events (r from 0)
        # uses the risk set minus r/m of the tied events' weight.
        times = np.flatnonzero(m == 1)
        self.plain_pos, self.plain_weight = starts[times], np.ones(times.shape[0])
        tied_rows = np.flatnonzero(self.ev & (m[group] > 1))
        k = group[tied_rows]  # sorted, since the rows are
        first_of_time = np.empty(k.shape[0], dtype=bool)
        first_of_time[:1] = True
        np.not_equal(k[1:], k[:-1], out=first_of_time[1:])
        tied_times = k[first_of_time]
        self.tied_index = np.cumsum(first_of_time) - 1
        self.tied_rows = tied_rows
        self.tied_x = self.x[tied_rows]
        self.tied_cols = [np.ascontiguousarray(self.tied_x[:, j]) for j in range(self.p)]
        self.tied_pos = starts[tied_times]
        self.n_tied_times = tied_times.shape[0]
        self.frac = (np.arange(k.shape[0]) - np.searchsorted(k, k, side="left")) / m[k]

    def evaluate(self, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """Log partial likelihood, score vector and information matrix at ``beta``.

        Far out along a monotone likelihood some risk-set weights underflow to 0; the result is
        then non-finite, which the Newton loop treats as a step to halve (so no warning here).
        """
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return self._evaluate(beta)

    def _evaluate(self, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        eta = self.x @ beta
        shift = float(eta.max())
        w = np.exp(eta - shift)
        p, cols, pairs = self.p, self.cols, self.pairs
        wx = [w * c for c in cols]
        terms = [w, *wx, *(wx[i] * cols[j] for i, j in pairs)]
        rev = [np.cumsum(v[::-1])[::-1] for v in terms]  # risk-set sums at every row
        grad = self.sum_x_ev.astype(np.float64).copy()
        info = np.zeros((p, p))
        # Plain risk sets (Breslow: weighted by the number of tied events).
        pos, wt = self.plain_pos, self.plain_weight
        s = [r[pos] for r in rev]
        log_sum = float((wt * np.log(s[0])).sum())
        inv0 = 1.0 / s[0]
        means = [s[1 + j] * inv0 for j in range(p)]
        for j in range(p):
            grad[j] -= float((wt * means[j]).sum())
        for q, (i, j) in enumerate(pairs):
            info[i, j] = float((wt * (s[1 + p + q] * inv0 - means[i] * means[j])).sum())
        if self.tied_rows.size:
            idx, f, tcols = self.tied_index, self.frac, self.tied_cols
            we = w[self.tied_rows]
            wxe = [we * c for c in tcols]
            event_terms = [we, *wxe, *(wxe[i] * tcols[j] for i, j in pairs)]
            st = [r[self.tied_pos][idx] for r in rev]
            at = [np.bincount(idx, weights=v, minlength=self.n_tied_times)[idx]
                  for v in event_terms]
            phi = [st[c] - f * at[c] for c in range(len(terms))]
            log_sum += float(np.log(phi[0]).sum())
            inv0 = 1.0 / phi[0]
            means = [phi[1 + j] * inv0 for j in range(p)]
            for j in range(p):
                grad[j] -= float(means[j].sum())
            for q, (i, j) in enumerate(pairs):
                info[i, j] += float((phi[1 + p + q] * inv0 - means[i] * means[j]).sum())
        info = info + np.triu(info, 1).T
        loglik = float(eta[self.ev].sum()) - log_sum - self.n_events * shift
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
        R uses 1e-9) and the last Newton step is below 1e-7 (relative to the coefficients).

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
        try:
            step = _solve(info, grad)
        except InputError:
            break  # information vanished while a coefficient diverges: warned below
        new_beta = beta + step
        new_ll, new_grad, new_info = model.evaluate(new_beta)
        halvings = 0
        while (not math.isfinite(new_ll) or new_ll < ll) and halvings < 30:
            step = step / 2
            new_beta = beta + step
            new_ll, new_grad, new_info = model.evaluate(new_beta)
            halvings += 1
        if not math.isfinite(new_ll) or new_ll < ll:
            break  # no step improves a finite likelihood: keep the last finite estimate
        change = abs(1 - ll / new_ll) if new_ll != 0 else abs(new_ll - ll)
        beta, ll, grad, info = new_beta, new_ll, new_grad, new_info
        # The log-likelihood is flat near the optimum, so also require a tiny Newton step.
        if change <= tolerance and float(np.max(np.abs(step))) <= 1e-7 * (
            1.0 + float(np.max(np.abs(beta)))
        ):
            converged = True
            break
    if not converged:
        warnings.warn(
            f"Cox fit did not converge in {max_iterations} iterations; a coefficient may be "
            "infinite (monotone likelihood, e.g. no events in one group)",
            StatisticalWarning,
            stacklevel=2,
        )
    try:
        variance = np.asarray(np.linalg.inv(info), dtype=np.float64)
    except np.linalg.LinAlgError:
        variance = np.full((p, p), np.inf)  # not estimable: report infinite uncertainty
    se = np.sqrt(np.diag(variance))
    z = float(stats.norm.ppf(1 - (1 - conf) / 2))
    # A diverging fit (warned above) may give inf/NaN here; that is the honest answer.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        wald_z = beta / se
        wald_chi2 = float(beta @ info @ beta)
        hr, hr_lo, hr_hi = np.exp(beta), np.exp(beta - z * se), np.exp(beta + z * se)
    lr = 2 * (ll - ll0)
    return CoxResult(
        names=cov_names,
        coef_=beta,
        se_=se,
        hazard_ratio_=hr,
        hr_ci_lower_=hr_lo,
        hr_ci_upper_=hr_hi,
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
