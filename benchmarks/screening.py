"""Batch screening throughput: N synthetic patients x all seed protocols on DuckDB.

Prints: generation time, per-protocol query time, patients/s for the SQL path, patients/s of
the single-patient evaluator on a sample of the same data (same run), their ratio, and peak
memory (RSS). Usage: python benchmarks/screening.py [N] (default 1,000,000).
"""

from __future__ import annotations

import os
import resource
import sys
import time

import duckdb
import numpy as np

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.eligibility import evaluate_protocol, parse_patient
from abscopal.screening.engine import Database, screen_database
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
    as_of = synth.as_of
    # the evaluator's sample is exported first, so the generated Arrow tables can be freed
    ids = np.linspace(1, n, SAMPLE, dtype=np.int64)
    docs = patients_from_synthetic(synth, ids)
    con = duckdb.connect()
    t0 = time.perf_counter()
    for name, table in synth.tables.items():
        con.register("src", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM src")
        con.unregister("src")
    t_load = time.perf_counter() - t0
    del synth
    db = Database("duckdb", "duckdb", con, True, "synthetic")
    print(f"generated {n:,} patients in {t_gen:.1f} s; loaded into DuckDB in {t_load:.1f} s; "
          f"rows: measurement {rows['measurement']:,}, conditions "
          f"{rows['condition_occurrence']:,}, drugs {rows['drug_exposure']:,}")

    t0, c0 = time.perf_counter(), time.process_time()
    results = screen_database(db, protocols, as_of=as_of, timeout_s=1200)
    t_sql, cpu_sql = time.perf_counter() - t0, time.process_time() - c0
    print(f"one query for {len(protocols)} protocols: {results[0].seconds:.1f} s")
    for r in results:
        counts = np.bincount(r.trial_codes, minlength=3)
        print(f"  {r.registry_id}: eligible {counts[0]:,}, not eligible {counts[1]:,}, "
              f"to confirm {counts[2]:,}")
    sql_rate = n / t_sql

    t0 = time.perf_counter()
    c0 = time.process_time()
    for doc in docs:
        patient = parse_patient(doc)
        for p in protocols:
            evaluate_protocol(p, patient, as_of=as_of)
    t_eval = time.perf_counter() - t0
    cpu_eval = time.process_time() - c0
    eval_rate = SAMPLE / t_eval

    print(f"SQL path (DuckDB): {n:,} patients x {len(protocols)} protocols in {t_sql:.1f} s "
          f"wall, {cpu_sql:.1f} s CPU = {sql_rate:,.0f} patients/s (target: 1,000,000 in "
          f"< 60 s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"single-patient evaluator: {SAMPLE:,} patients x {len(protocols)} protocols in "
          f"{t_eval:.2f} s = {eval_rate:,.0f} patients/s")
    print(f"ratio SQL / evaluator: {sql_rate / eval_rate:.1f}x wall, "
          f"{(n / cpu_sql) / (SAMPLE / cpu_eval):.1f}x per CPU-second")
    print(f"peak memory (RSS, whole process incl. generation): {_peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
