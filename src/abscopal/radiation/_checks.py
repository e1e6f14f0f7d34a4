"""Argument checks shared by the radiation modules (private)."""

from __future__ import annotations

import math
from numbers import Integral, Real

from abscopal.errors import InputError


def check_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    exclusive_minimum: bool = False,
    allow_inf: bool = False,
    source: str = "",
) -> float:
    """Return ``value`` as float, raising InputError if it is not a real number in range."""
    suffix = f"; {source}" if source else ""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(f"'{name}' must be a number (got {value!r}){suffix}")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not (allow_inf and x > 0)):
        raise InputError(f"'{name}' must be a finite number (got {value!r}){suffix}")
    if minimum is not None:
        if exclusive_minimum and not x > minimum:
            raise InputError(f"'{name}' must be > {minimum:g} (got {value!r}){suffix}")
        if not exclusive_minimum and not x >= minimum:
            raise InputError(f"'{name}' must be >= {minimum:g} (got {value!r}){suffix}")
    return x


def check_count(value: object, name: str, *, minimum: int = 1, source: str = "") -> int:
    """Return ``value`` as int, raising InputError unless it is an integer >= ``minimum``."""
    suffix = f"; {source}" if source else ""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InputError(f"'{name}' must be an integer >= {minimum} (got {value!r}){suffix}")
    n = int(value)
    if n < minimum:
        raise InputError(f"'{name}' must be an integer >= {minimum} (got {value!r}){suffix}")
    return n
