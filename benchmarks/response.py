"""Benchmark: RECIST 1.1 response derivation for synthetic patients.

Default: 10,000 patients x 8 assessments x 6 lesions (5 targets + 1 non-target).
``--full`` runs the issue's size, 100,000 patients (target: < 60 s on one core).

Prints patients/s for
* the engine (``derive_response_summary``: timepoints with reasons, confirmed BOR,
  dates), and ``derive_patient_evaluation`` (RECIST 1.1 + iRECIST + abscopal) on a slice;
* a naive baseline measured in the same run: timepoint labels with ``Fraction``
  percentages recomputed from scratch and the nadir re-scanned at every timepoint
  (the textbook way), and an unconfirmed BOR;
and the ratio engine / baseline. The two agree on every timepoint label (checked).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np

from abscopal.response import (
    Assessment,
    Lesion,
    LesionRole,
    NonTargetStatus,
    Observation,
    PatientRecord,
    ResponseParams,
    TargetStatus,
    derive_patient_evaluation,
    derive_recist11,
    derive_response_summary,
)

N_TARGETS = 5
N_ASSESSMENTS = 8


def make_patients(n: int, seed: int = 20251122) -> list[PatientRecord]:
    """Synthetic patients: sizes in tenths of mm following a random multiplicative walk."""
    rng = np.random.default_rng(seed)
    lesions = tuple(
        [Lesion(f"T{i + 1}", LesionRole.TARGET, f"organ{i // 2}", is_nodal=(i == 4),
                in_field=(i == 0)) for i in range(N_TARGETS)]
        + [Lesion("NT1", LesionRole.NON_TARGET, "bone")]
    )
    start = dt.date(2025, 1, 6)
    days = [start + dt.timedelta(days=42 * k - 4) for k in range(N_ASSESSMENTS)]
    base = rng.integers(100, 600, size=(n, N_TARGETS))
    trend = rng.normal(0.95, 0.12, size=(n, 1, N_TARGETS))
    noise = rng.normal(1.0, 0.08, size=(n, N_ASSESSMENTS - 1, N_TARGETS))
    growth = np.cumprod(trend * noise, axis=1)
    sizes = np.concatenate([base[:, None, :], base[:, None, :] * growth], axis=1)
    sizes = np.clip(np.rint(sizes), 0, 3000).astype(int)
    sizes[sizes < 30] = 0  # small lesions disappear
    missing = rng.random((n, N_ASSESSMENTS, N_TARGETS)) < 0.02
    missing[:, 0, :] = False
    nt_draw = rng.random((n, N_ASSESSMENTS))
    tenths = [Decimal(k) / 10 for k in range(3001)]
    out = []
    for p in range(n):
        assessments = []
        for k in range(N_ASSESSMENTS):
            obs = [
                Observation(f"T{i + 1}", TargetStatus.NOT_ASSESSED) if missing[p, k, i]
                else Observation(f"T{i + 1}", TargetStatus.MEASURED, tenths[sizes[p, k, i]])
                for i in range(N_TARGETS)
            ]
            u = nt_draw[p, k]
            nt = (NonTargetStatus.PRESENT if k == 0 or u < 0.9 else
                  NonTargetStatus.ABSENT if u < 0.97 else NonTargetStatus.UNEQUIVOCAL_PROGRESSION)
            obs.append(Observation("NT1", nt))
            assessments.append(Assessment(days[k], tuple(obs)))
        out.append(PatientRecord(f"P{p:06d}", lesions, tuple(assessments), start))
    return out


def naive_labels(record: PatientRecord, exact: bool = True) -> tuple[list[str | None], str]:
    """Textbook implementation: nadir re-scanned each time, no reasons. ``exact=False``
    uses binary floats (``100 * (cur - base) / base <= -30``, ``cur >= 1.2 * nadir``), the
    common mistake the exact engine avoids."""
    num = (lambda v: Fraction(str(v))) if exact else float  # noqa: E731
    zero = Fraction(0) if exact else 0.0
    up = Fraction(6, 5) if exact else 1.2
    nodal = {les.lesion_id: les.is_nodal for les in record.lesions}
    sums: list[Fraction | None] = []
    labels: list[str | None] = []
    ended = False
    for k, a in enumerate(record.assessments):
        tvals = {o.lesion_id: o.size_mm for o in a.observations
                 if o.lesion_id.startswith("T")}
        nts = [o.status for o in a.observations if o.lesion_id == "NT1"]
        if any(v is None for v in tvals.values()):
            s = None
        else:
            s = sum((num(v) for v in tvals.values()), zero)
        sums.append(s)
        if k == 0:
            continue
        if ended:
            labels.append(None)
            continue
        base = sums[0]
        assert base is not None
        nadir = min(x for x in sums[:k] if x is not None)
        if s is None:
            partial = sum((num(v) for v in tvals.values() if v is not None), zero)
            t = "PD" if partial >= nadir * up and partial - nadir >= 5 else "NE"
        elif s >= nadir * up and s - nadir >= 5:
            t = "PD"
        elif all((v is not None and v < 10) if nodal[lid] else v == 0 for lid, v in tvals.items()):
            t = "CR"
        elif 100 * (s - base) / base <= -30:
            t = "PR"
        else:
            t = "SD"
        nt = nts[0]
        if t == "PD" or nt is NonTargetStatus.UNEQUIVOCAL_PROGRESSION:
            label = "PD"
        elif t == "NE":
            label = "NE"
        elif t == "CR":
            label = "CR" if nt is NonTargetStatus.ABSENT else "PR"
        else:
            label = t
        labels.append(label)
        ended = label == "PD"
    order = ["CR", "PR", "SD", "PD", "NE"]
    present = [x for x in labels if x is not None]
    return labels, min(present, key=order.index) if present else "NE"


def _timed(fn, items):  # type: ignore[no-untyped-def]
    w0, c0 = time.perf_counter(), time.process_time()
    out = [fn(x) for x in items]
    return out, time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--full", action="store_true", help="100,000 patients (the issue's size)")
    ap.add_argument("-n", type=int, default=None, help="number of patients")
    args = ap.parse_args(argv)
    n = args.n or (100_000 if args.full else 10_000)
    chunk = 10_000
    params = ResponseParams()
    gen_s = eng_wall = eng_cpu = 0.0
    naive_wall = naive_cpu = 0.0
    n_naive = mism = float_wrong = 0
    bors: dict[str, int] = {}
    first: list[PatientRecord] = []
    for c, start in enumerate(range(0, n, chunk)):
        t0 = time.perf_counter()
        patients = make_patients(min(chunk, n - start), seed=20251122 + c)
        gen_s += time.perf_counter() - t0
        summaries, w, cpu = _timed(lambda p: derive_response_summary(p, params=params), patients)
        eng_wall, eng_cpu = eng_wall + w, eng_cpu + cpu
        for s in summaries:
            bors[s.best_overall_response.value] = bors.get(s.best_overall_response.value, 0) + 1
        if n_naive < 20_000:  # the baseline on up to 20,000 patients of the same data
            naive, w, cpu = _timed(naive_labels, patients)
            naive_wall, naive_cpu, n_naive = naive_wall + w, naive_cpu + cpu, n_naive + len(naive)
            mism += sum(
                1 for s, (labels, _) in zip(summaries, naive, strict=True)
                if [None if t.response is None else t.response.value for t in s.timepoints]
                != labels
            )
            float_wrong += sum(1 for p, (labels, _) in zip(patients, naive, strict=True)
                               if naive_labels(p, exact=False)[0] != labels)
        if not first:
            first = patients[:2_000]
    _, full_wall, full_cpu = _timed(
        lambda p: derive_patient_evaluation(p, criteria="irecist", params=params), first)

    eng_rate, naive_rate = n / eng_cpu, n_naive / naive_cpu
    print(f"{n:,} synthetic patients x {N_ASSESSMENTS} assessments x {N_TARGETS + 1} lesions "
          f"(generated + input-checked in {gen_s:.1f} s, not timed below)")
    print("                                     CPU s    wall s     patients/s (CPU)")
    print(f"engine   derive_response_summary : {eng_cpu:8.2f}  {eng_wall:8.2f}  {eng_rate:12,.0f}")
    print(f"baseline naive Fraction labels   : {naive_cpu:8.2f}  {naive_wall:8.2f}  "
          f"{naive_rate:12,.0f}   ({n_naive:,} patients)")
    print(f"ratio engine / naive baseline    : {eng_rate / naive_rate:8.2f}x")
    print(f"full evaluation (R11+iR+abscopal): {full_cpu:8.2f}  {full_wall:8.2f}  "
          f"{len(first) / full_cpu:12,.0f}   ({len(first):,} patients)")
    print(f"timepoint labels engine vs naive : {mism} mismatching patients of {n_naive:,}")
    print(f"float arithmetic instead of exact: {float_wrong} of {n_naive:,} patients get a "
          "different timepoint label")
    print(f"BOR distribution (confirmed)     : {dict(sorted(bors.items()))}")
    print(f"100,000 patients (CPU, one core) : {100_000 / eng_rate:8.1f} s   (target < 60 s)")
    assert derive_recist11(first[0]).best_overall_response.response.value in bors
    return 1 if mism else 0


if __name__ == "__main__":
    sys.exit(main())
