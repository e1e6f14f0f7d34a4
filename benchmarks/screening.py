"""Batch screening throughput: N synthetic patients x all seed protocols on DuckDB.

Prints: generation time, per-protocol query time, patients/s for the SQL path, patients/s of
the single-patient evaluator on a sample of the same data (same run), their ratio, and peak
memory (RSS). Usage: python benchmarks/screening.py [N] (default 1,000,000).
"""

from __future__ import annotations

import resource
import sys
import time

import duckdb
import numpy as np

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.eligibility import evaluate_protocol, parse_patient
from abscopal.screening.engine import Database, screen_protocol
from abscopal.screening.synth import generate_synthetic_omop, patients_from_synthetic

SAMPLE = 1000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    protocols = [load_trial(i) for i in list_trial_ids()]
    t0 = time.perf_counter()
    synth = generate_synthetic_omop(n, seed=42)
    t_gen = time.perf_counter() - t0
    rows = {k: v.num_rows for k, v in synth.tables.items()}
    con = duckdb.connect()
    t0 = time.perf_counter()
    for name, table in synth.tables.items():
        con.register("src", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM src")
        con.unregister("src")
    t_load = time.perf_counter() - t0
    db = Database("duckdb", "duckdb", con, True, "synthetic")
    print(f"generated {n:,} patients in {t_gen:.1f} s; loaded into DuckDB in {t_load:.1f} s; "
          f"rows: measurement {rows['measurement']:,}, conditions "
          f"{rows['condition_occurrence']:,}, drugs {rows['drug_exposure']:,}")

    t0 = time.perf_counter()
    for p in protocols:
        r = screen_protocol(db, p, as_of=synth.as_of, timeout_s=600)
        counts = np.bincount(r.trial_codes, minlength=3)
        print(f"  {p.identity.registry_id}: {r.seconds:6.2f} s query; eligible {counts[0]:,}, "
              f"not eligible {counts[1]:,}, to confirm {counts[2]:,}")
    t_sql = time.perf_counter() - t0
    sql_rate = n / t_sql

    ids = np.linspace(1, n, SAMPLE, dtype=np.int64)
    docs = patients_from_synthetic(synth, ids)
    t0 = time.perf_counter()
    for doc in docs:
        patient = parse_patient(doc)
        for p in protocols:
            evaluate_protocol(p, patient, as_of=synth.as_of)
    t_eval = time.perf_counter() - t0
    eval_rate = SAMPLE / t_eval

    print(f"SQL path (DuckDB): {n:,} patients x {len(protocols)} protocols in {t_sql:.1f} s "
          f"= {sql_rate:,.0f} patients/s (target: 1,000,000 in < 60 s)")
    print(f"single-patient evaluator: {SAMPLE:,} patients x {len(protocols)} protocols in "
          f"{t_eval:.2f} s = {eval_rate:,.0f} patients/s")
    print(f"ratio SQL / evaluator: {sql_rate / eval_rate:.1f}x")
    print(f"peak memory (RSS, whole process incl. generation): {_peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
