"""Benchmark: Kaplan–Meier, log-rank and Cox on 1,000,000 rows against R survival.

Two data sets of N rows (seeded): continuous times (almost no ties) and times rounded to whole
days (heavy ties). For each, abscopal's compute_kaplan_meier, compute_logrank_test and
compute_cox_ph (Efron, 3 covariates) are timed, then R survival's survfit, survdiff and coxph
on the same numbers in the same run (if ``Rscript`` is on PATH), and the coefficients are
compared. lifelines' KM and log-rank are timed too, for reference.

Run: ``python benchmarks/survival.py [N]`` (default N = 1_000_000).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from abscopal.analysis import compute_cox_ph, compute_kaplan_meier, compute_logrank_test

REPEATS = 3

R_SCRIPT = r"""
suppressMessages(library(survival))
args <- commandArgs(TRUE); n <- as.integer(args[2])
m <- matrix(readBin(args[1], "double", n = 6 * n), ncol = 6)
d <- data.frame(time = m[, 1], status = m[, 2], arm = m[, 3], age = m[, 4], x3 = m[, 5])
best <- function(expr) {
  f <- substitute(expr); e <- parent.frame()
  min(sapply(1:REPEATS, function(i) system.time(eval(f, e))[["elapsed"]]))
}
t_km <- best(survfit(Surv(time, status) ~ 1, data = d))
t_lr <- best(survdiff(Surv(time, status) ~ arm, data = d))
t_cox <- best(fit <- coxph(Surv(time, status) ~ arm + age + x3, data = d, ties = "efron"))
cat(sprintf("%.6f %.6f %.6f\n", t_km, t_lr, t_cox))
cat(sprintf("%.15g ", coef(fit)), "\n")
cat(sprintf("%.15g ", survdiff(Surv(time, status) ~ arm, data = d)$chisq), "\n")
cat(sprintf("%.15g ", quantile(survfit(Surv(time, status) ~ 1, data = d), 0.5)$quantile), "\n")
""".replace("REPEATS", str(REPEATS))


def _make_data(n: int, *, tied: bool, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n).astype(np.float64)
    age = rng.normal(62, 9, n)
    x3 = rng.binomial(1, 0.3, n).astype(np.float64)
    rate = np.exp(np.log(np.log(2) / 300) + np.log(0.75) * arm + 0.01 * (age - 62) + 0.2 * x3)
    t_event = rng.exponential(1 / rate)
    t_cens = rng.uniform(30, 900, n)
    t = np.minimum(t_event, t_cens)
    status = (t_event <= t_cens).astype(np.float64)
    if tied:
        t = np.ceil(t)
    return {"time": t, "status": status, "arm": arm, "age": age, "x3": x3}


def _best(fn: object, *args: object, **kwargs: object) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best, out


def _run_r(data: dict[str, np.ndarray], workdir: Path) -> dict[str, object] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    n = data["time"].shape[0]
    raw = workdir / "data.bin"
    cols = [data["time"], data["status"], data["arm"], data["age"], data["x3"], np.zeros(n)]
    np.concatenate(cols).astype("<f8").tofile(raw)
    script = workdir / "bench.R"
    script.write_text(R_SCRIPT)
    out = subprocess.run([rscript, str(script), str(raw), str(n)], check=True,
                         capture_output=True, text=True).stdout.split("\n")
    t_km, t_lr, t_cox = (float(v) for v in out[0].split())
    return {"km": t_km, "logrank": t_lr, "cox": t_cox,
            "coef": np.array([float(v) for v in out[1].split()]),
            "chisq": float(out[2].split()[0]), "median": float(out[3].split()[0])}


def _lifelines_times(data: dict[str, np.ndarray]) -> tuple[float, float] | None:
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test
    except ImportError:
        return None
    t, e, arm = data["time"], data["status"], data["arm"]
    t_km, _ = _best(lambda: KaplanMeierFitter().fit(t, e))
    a = arm == 1
    t_lr, _ = _best(lambda: logrank_test(t[a], t[~a], e[a], e[~a]))
    return t_km, t_lr


def main(n: int) -> int:
    print(f"survival benchmark: N = {n:,} rows, best of {REPEATS}; ratio = R time / abscopal time"
          " (> 1 means abscopal is faster)")
    worst = np.inf
    with tempfile.TemporaryDirectory() as tmp:
        for tied in (False, True):
            data = _make_data(n, tied=tied, seed=20261122 + int(tied))
            label = "tied times (whole days)" if tied else "continuous times"
            n_unique = np.unique(data["time"]).shape[0]
            print(f"\n== {label}: {n_unique:,} distinct times, {int(data['status'].sum()):,} events")
            t, e = data["time"], data["status"]
            cov = np.column_stack([data["arm"], data["age"], data["x3"]])
            t_km, km = _best(compute_kaplan_meier, t, e, conf_type="log")
            t_lr, lr = _best(compute_logrank_test, t, e, data["arm"])
            t_cox, cox = _best(compute_cox_ph, t, e, cov, names=["arm", "age", "x3"])
            ours = {"km": t_km, "logrank": t_lr, "cox": t_cox}
            r = _run_r(data, Path(tmp))
            ll = _lifelines_times(data)
            for key, name in (("km", "Kaplan-Meier"), ("logrank", "log-rank"),
                              ("cox", "Cox (Efron)")):
                line = f"  {name:<13} abscopal {ours[key]:7.3f} s ({n / ours[key] / 1e6:6.2f} M rows/s)"
                if r is not None:
                    ratio = float(r[key]) / ours[key]  # type: ignore[arg-type]
                    worst = min(worst, ratio)
                    line += f" | R {float(r[key]):7.3f} s | ratio {ratio:5.2f}x"  # type: ignore[arg-type]
                if ll is not None and key != "cox":
                    line += f" | lifelines {ll[0 if key == 'km' else 1]:6.3f} s"
                print(line)
            if r is not None:
                coef_diff = float(np.max(np.abs(cox.coef_ - r["coef"]) / np.abs(r["coef"])))  # type: ignore[union-attr,operator,arg-type]
                print(f"  agreement with R: Cox coef max rel diff {coef_diff:.2e}; log-rank chisq "
                      f"{lr.chi2_:.6f} vs {r['chisq']:.6f}; median {km.median_:g} vs "  # type: ignore[union-attr]
                      f"{r['median']:g}")  # type: ignore[union-attr]
    if np.isfinite(worst):
        print(f"\nslowest ratio against R: {worst:.2f}x "
              f"({'meets' if worst >= 1 else 'MISSES'} the target of >= 1x on every estimator)")
    else:
        print("\nRscript not found: no R baseline measured in this run")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
