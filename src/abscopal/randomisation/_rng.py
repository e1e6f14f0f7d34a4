"""One place that turns a seed argument into a numpy Generator (all randomness is explicit)."""

from __future__ import annotations

import numpy as np

from abscopal.errors import InputError

SeedLike = int | np.random.Generator


def make_rng(seed: SeedLike) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed (PCG64) or an existing Generator.

    Raises
    ------
    InputError
        If ``seed`` is neither (``None`` is refused: unseeded randomness cannot be audited).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(seed)
    raise InputError(f"'seed' must be a non-negative int or a numpy Generator (got {seed!r})")
