"""Benchmark: vectorised CTCAE lab grading of 1,000,000 rows vs the per-row scalar grader.

Prints rows/s for both, measured in the same run, and their ratio. The per-row baseline is
timed on a 20,000-row sample (a full million would take minutes) and extrapolated as a rate.
Run: python benchmarks/toxicity.py [n_rows]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from abscopal.toxicity import grade_lab, grade_labs

V = "ctcae_v5"
TARGET_ROWS_PER_S = 200_000

# (term, unit, lln, uln, typical value range)
PANEL = [
    ("Lymphocyte count decreased", "10^9/L", 1.0, 4.0, (0.05, 3.5)),
    ("Lymphocyte count decreased", "/mm3", 1000, 4000, (50, 3500)),
    ("Neutrophil count decreased", "10^9/L", 1.8, 7.5, (0.2, 8.0)),
    ("Platelet count decreased", "10^9/L", 150, 400, (10, 450)),
    ("White blood cell decreased", "10^9/L", 4.0, 10.0, (0.5, 12)),
    ("Anemia", "g/dL", 12.0, 16.0, (6, 17)),
    ("Anemia", "g/L", 120, 160, (60, 170)),
    ("Alanine aminotransferase increased", "U/L", 7, 40, (5, 900)),
    ("Aspartate aminotransferase increased", "U/L", 8, 35, (5, 800)),
    ("Alkaline phosphatase increased", "U/L", 40, 120, (20, 3000)),
    ("GGT increased", "U/L", 9, 60, (5, 1500)),
    ("Blood bilirubin increased", "umol/L", 3, 21, (2, 250)),
    ("Creatinine increased", "mg/dL", 0.6, 1.2, (0.4, 8.0)),
    ("Hyperkalemia", "mmol/L", 3.5, 5.0, (3.0, 7.5)),
    ("Hypokalemia", "mmol/L", 3.5, 5.0, (2.2, 5.0)),
    ("Hyponatremia", "mmol/L", 135, 145, (115, 145)),
    ("Hypocalcemia", "mg/dL", 8.5, 10.5, (5.5, 10.5)),
    ("Hypomagnesemia", "mmol/L", 0.7, 1.0, (0.2, 1.0)),
    ("Hypoalbuminemia", "g/L", 35, 50, (15, 50)),
]


def make_rows(n: int, seed: int = 20171127) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(PANEL), n)
    lo = np.array([p[4][0] for p in PANEL])[which]
    hi = np.array([p[4][1] for p in PANEL])[which]
    # lab-style values: 1-2 decimals, so a share lands exactly on thresholds
    raw = rng.uniform(lo, hi)
    value = np.where(rng.random(n) < 0.5, np.round(raw, 1), np.round(raw, 2))
    lln = np.array([p[2] for p in PANEL], dtype=float)[which]
    uln = np.array([p[3] for p in PANEL], dtype=float)[which]
    base = np.where(rng.random(n) < 0.5, np.round(uln * rng.uniform(0.5, 2.0, n), 2), np.nan)
    return pd.DataFrame({
        "term": np.array([p[0] for p in PANEL], dtype=object)[which],
        "value": value,
        "unit": np.array([p[1] for p in PANEL], dtype=object)[which],
        "lln": lln, "uln": uln, "baseline": base,
    })


def per_row(df: pd.DataFrame) -> list[int | None]:
    out: list[int | None] = []
    for t, v, u, lo, hi, b in df.itertuples(index=False):
        out.append(grade_lab(t, v, u, version=V, lln=lo, uln=hi,
                             baseline=None if np.isnan(b) else b).grade)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df = make_rows(n)
    grade_labs(df.head(1000), version=V)  # warm caches (unit parsing) for both paths
    t0 = time.perf_counter()
    graded = grade_labs(df, version=V)
    t_vec = time.perf_counter() - t0
    sample = df.head(min(n, 20_000))
    t0 = time.perf_counter()
    scalar = per_row(sample)
    t_row = time.perf_counter() - t0
    agree = sum(a == (None if pd.isna(b) else int(b))
                for a, b in zip(scalar, graded["grade"].head(len(sample)), strict=True))
    vec_rate, row_rate = n / t_vec, len(sample) / t_row
    print(f"rows graded (vectorised): {n:,} in {t_vec:.2f} s -> {vec_rate:,.0f} rows/s")
    print(f"per-row baseline: {len(sample):,} rows in {t_row:.2f} s -> {row_rate:,.0f} rows/s")
    print(f"speed-up vectorised / per-row: {vec_rate / row_rate:.1f}x")
    print(f"agreement on the baseline sample: {agree}/{len(sample)}")
    dist = graded["grade"].value_counts(dropna=False).sort_index()
    print("grade distribution: " + ", ".join(
        f"{'NG' if pd.isna(g) else f'G{g}'}={c:,}" for g, c in dist.items()))
    verdict = "meets" if vec_rate >= TARGET_ROWS_PER_S else "MISSES"
    print(f"target {TARGET_ROWS_PER_S:,} rows/s: {verdict}")


if __name__ == "__main__":
    main()
