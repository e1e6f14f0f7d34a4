"""Benchmark: abscopal's Simon search and Fisher power vs a straightforward enumeration.

Run: python benchmarks/design.py [--quick]. Prints the time of each and the ratio, measured in
the same run. The straightforward baseline is a plain numpy enumeration: for every (n, n1) it
builds the full (r1, r) grid of rejection probabilities with scipy binomials, no pruning; for
Fisher it computes each table's p-value with scipy.stats.fisher_exact.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
from scipy import stats

from abscopal.design import (
    compute_fisher_power,
    compute_fisher_rejection_region,
    compute_simon_designs,
)


def _best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _best_cpu(fn: Callable[[], object], repeat: int) -> float:
    """Best process CPU time of ``repeat`` calls (seconds): less noisy on a shared machine."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def naive_simon(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> tuple[tuple, tuple]:
    """Exhaustive enumeration over (n, n1, r1, r), vectorised only over (r1, r)."""
    best: dict[int, tuple] = {}
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            x1 = np.arange(n1 + 1)
            r = np.arange(n)
            out = []
            for p in (p0, p1):
                # terms[x1, r] = b(x1; n1) P(X2 > r - x1); reject(r1, r) = sum over x1 > r1
                terms = stats.binom.pmf(x1, n1, p)[:, None] * stats.binom.sf(
                    r[None, :] - x1[:, None], n2, p
                )
                tail = np.cumsum(terms[::-1], axis=0)[::-1]  # sum over x1 >= row
                out.append(tail[1:, :])  # row r1 -> x1 > r1, r1 = 0..n1-1
            a0, a1 = out
            r1 = np.arange(n1)[:, None]
            ok = (a0 <= alpha) & (a1 >= 1 - beta) & (r[None, :] > r1)
            feas = ok.any(axis=1)
            if not feas.any():
                continue
            en0 = n1 + (1 - stats.binom.cdf(np.arange(n1), n1, p0)) * n2
            en0 = np.where(feas, en0, np.inf)
            j = int(np.argmin(en0))
            if n not in best or en0[j] < best[n][4]:
                best[n] = (j, n1, int(np.argmax(ok[j])), n, float(en0[j]))
    n_mm = min(best)
    n_opt = min(best, key=lambda k: (best[k][4], k))
    return best[n_opt][:4], best[n_mm][:4]


def naive_fisher_power(n: int, p_t: float, p_c: float, alpha: float) -> float:
    power = 0.0
    for xt in range(n + 1):
        for xc in range(n + 1):
            p = stats.fisher_exact([[xt, n - xt], [xc, n - xc]], alternative="less").pvalue
            if p <= alpha:
                power += stats.binom.pmf(xt, n, p_t) * stats.binom.pmf(xc, n, p_c)
    return float(power)


def main() -> None:
    quick = "--quick" in sys.argv
    print("Simon two-stage search (optimal + minimax + admissible), alpha 0.05, beta 0.2")
    print("wall ms (cpu ms); the cpu ratio is the steadier one on a shared machine")
    print(f"{'setting':<28}{'abscopal':>18}{'naive':>20}{'ratio wall/cpu':>18}  agree")
    for nmax in (100,) if quick else (100, 200):
        for p0, p1 in ((0.05, 0.25), (0.10, 0.30)):
            def fast(p0: float = p0, p1: float = p1, nmax: int = nmax) -> object:
                return compute_simon_designs(p0, p1, alpha=0.05, beta=0.2, nmax=nmax)

            t_fast = _best(fast, 5)
            t_cpu = _best_cpu(fast, 5)
            t0, c0 = time.perf_counter(), time.process_time()
            naive = naive_simon(p0, p1, 0.05, 0.2, nmax)
            t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
            res = compute_simon_designs(p0, p1, alpha=0.05, beta=0.2, nmax=nmax)
            mine = ((res.optimal.r1, res.optimal.n1, res.optimal.r, res.optimal.n),
                    (res.minimax.r1, res.minimax.n1, res.minimax.r, res.minimax.n))
            label = f"p0 {p0:.2f} p1 {p1:.2f} nmax {nmax}"
            fast_s = f"{t_fast * 1e3:.1f} ({t_cpu * 1e3:.1f})"
            naive_s = f"{t_naive * 1e3:.0f} ({c_naive * 1e3:.0f})"
            ratio_s = f"{t_naive / t_fast:.0f}x / {c_naive / t_cpu:.0f}x"
            print(f"{label:<28}{fast_s:>18}{naive_s:>20}{ratio_s:>18}  {mine == naive}")

    print("\nFisher exact power, 26 per arm, 0.15 vs 0.5, one-sided alpha 0.07")
    t_fast = _best(lambda: compute_fisher_power(26, p_treatment=0.15, p_control=0.5, alpha=0.07,
                                                sides=1), 5)
    t0 = time.perf_counter()
    naive = naive_fisher_power(26, 0.15, 0.5, 0.07)
    t_naive = time.perf_counter() - t0
    fast_power = compute_fisher_power(26, p_treatment=0.15, p_control=0.5, alpha=0.07,
                                      sides=1).power_
    def power_only() -> float:
        region = compute_fisher_rejection_region(26, 26, alpha=0.07, sides=1, lower=True)
        b_t = stats.binom.pmf(np.arange(27), 26, 0.15)
        b_c = stats.binom.pmf(np.arange(27), 26, 0.5)
        return float(b_t @ region @ b_c)

    t_power = _best(power_only, 20)
    print(f"abscopal power only {t_power * 1e3:.2f} ms (ratio {t_naive / t_power:.0f}x)")
    print(f"abscopal {t_fast * 1e3:.1f} ms (power {fast_power:.10f}, incl. size scan over 999 "
          f"common rates); naive {t_naive * 1e3:.0f} ms (power {naive:.10f}); "
          f"ratio {t_naive / t_fast:.0f}x")


if __name__ == "__main__":
    main()
