"""Spark SQL screening on a local session: N synthetic patients x all seed protocols.

Writes the synthetic CDM as Parquet, screens it with DuckDB (the baseline, same run) and with a
local SparkSession (``local[1]``, abscopal's defaults), checks that both give the same
statuses, and prints JVM start-up time, the first (cold) and second (warm) Spark query times,
patients/s, the ratio to DuckDB and the JVM's peak memory.
Usage: python benchmarks/screening_spark.py [N] [small] (default 20,000; ``small`` adds
``SMALL_DATA_SPARK_CONF``: no code generation, no adaptive execution, C1-only JIT).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.screening.engine import open_database, screen_database
from abscopal.screening.spark import SMALL_DATA_SPARK_CONF, create_local_session, open_spark
from abscopal.screening.synth import generate_synthetic_omop, write_parquet


def _jvm_peak_mb(session: object) -> float:
    jvm = session.sparkContext._jvm  # type: ignore[attr-defined]
    pid = int(jvm.java.lang.ProcessHandle.current().pid())
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    conf = SMALL_DATA_SPARK_CONF if sys.argv[2:3] == ["small"] else {}
    protocols = [load_trial(i) for i in list_trial_ids()]
    synth = generate_synthetic_omop(n, seed=42)
    with tempfile.TemporaryDirectory() as tmp:
        cdm = write_parquet(synth, Path(tmp) / "cdm")
        print(f"{n:,} patients ({synth.tables['measurement'].num_rows:,} measurements) "
              f"written as Parquet")
        duck = open_database(f"parquet://{cdm}")
        t0 = time.perf_counter()
        baseline = screen_database(duck, protocols, as_of=synth.as_of, timeout_s=1200)
        t_duck = time.perf_counter() - t0
        duck.close()

        t0 = time.perf_counter()
        session = create_local_session(conf=conf)
        t_start = time.perf_counter() - t0
        db = open_spark(cdm, session=session)
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            results = screen_database(db, protocols, as_of=synth.as_of, timeout_s=1200)
            times.append(time.perf_counter() - t0)
        peak = _jvm_peak_mb(session)
        db.close()
        session.stop()
    same = all(np.array_equal(a.status_codes, b.status_codes)
               and np.array_equal(a.person_id, b.person_id) for a, b in zip(baseline, results,
                                                                           strict=True))
    print(f"DuckDB (baseline): {t_duck:.1f} s, {n / t_duck:,.0f} patients/s")
    label = "small-data conf" if conf else "default conf"
    print(f"Spark local[1] ({label}): JVM start {t_start:.1f} s; cold query {times[0]:.1f} s; "
          f"warm query {times[1]:.1f} s, {n / times[1]:,.0f} patients/s")
    print(f"ratio Spark warm / DuckDB time: {times[1] / t_duck:.1f}x; "
          f"identical statuses: {same}; JVM peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
