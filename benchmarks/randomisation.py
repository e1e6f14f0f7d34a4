"""Benchmark: allocation throughput of abscopal.randomisation, against simple randomisation.

Measured in the same run: (1) generating a permuted-block sequence of N slots, (2) N sequential
Pocock–Simon allocations through the public ``allocate_by_minimisation`` (which recounts the
history each time, as the service would from its store), (3) ``simulate_balance`` throughput
for each method, and the baseline: N simple-randomisation draws with numpy.

Run: ``python benchmarks/randomisation.py [N]`` (default N = 2000).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from abscopal.randomisation import (
    allocate_by_minimisation,
    generate_permuted_blocks,
    simulate_balance,
)

RATIO = {"a": 1, "b": 1}
LEVELS = {"ecog": [0, 1], "sex": ["F", "M"], "liver_metastases": [False, True]}


def _best(fn: object, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int) -> None:
    rng = np.random.default_rng(0)
    baseline = _best(lambda: [int(rng.choice(2)) for _ in range(n)])
    blocks = _best(lambda: generate_permuted_blocks(RATIO, n_per_stratum=n, seed=1))

    people = [{f: v[int(rng.integers(len(v)))] for f, v in LEVELS.items()} for _ in range(n)]

    def minimise() -> None:
        history: list[tuple[dict[str, object], str]] = []
        gen = np.random.default_rng(2)
        for person in people:
            arm = allocate_by_minimisation(person, history=history, ratio=RATIO, seed=gen).arm_id
            history.append((person, arm))

    minimisation = _best(minimise, repeats=1)
    print(f"N = {n} allocations")
    print(f"  baseline simple draws (numpy, one at a time): {n / baseline:12,.0f} /s")
    print(f"  permuted-block sequence generation:           {n / blocks:12,.0f} /s "
          f"(x{baseline / blocks:.2f} of baseline)")
    print(f"  minimisation, public API, history recount:    {n / minimisation:12,.0f} /s "
          f"(x{baseline / minimisation:.3f} of baseline)")
    trials = 200
    for method in ("simple", "permuted_blocks", "minimisation"):
        elapsed = _best(lambda m=method: simulate_balance(  # type: ignore[misc]
            RATIO, n=52, seed=3, method=m, n_trials=trials, factor_levels=LEVELS), repeats=1)
        print(f"  simulate_balance {method:16s} n=52 x {trials} trials: "
              f"{trials * 52 / elapsed:10,.0f} participants/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
