"""Argument checks shared by the design modules: each names the argument, the expectation and the value."""

from __future__ import annotations

import math

from abscopal.errors import InputError


def check_open_unit(name: str, value: float) -> float:
    """Raise unless ``0 < value < 1``; return it as float."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"'{name}' must be a number strictly between 0 and 1 (got {value!r})")
    if not 0.0 < float(value) < 1.0:
        raise InputError(f"'{name}' must be strictly between 0 and 1 (got {value!r})")
    return float(value)


def check_positive(name: str, value: float) -> float:
    """Raise unless ``value`` is a finite number > 0; return it as float."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"'{name}' must be a finite positive number (got {value!r})")
    if not float(value) > 0.0:
        raise InputError(f"'{name}' must be > 0 (got {value!r})")
    return float(value)


def check_count(name: str, value: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Raise unless ``value`` is an int in ``[minimum, maximum]``; return it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"'{name}' must be an integer (got {value!r})")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise InputError(f"'{name}' must be an integer {bound} (got {value!r})")
    return value


def check_sides(value: int) -> int:
    """Raise unless ``value`` is 1 or 2."""
    if isinstance(value, bool) or value not in (1, 2):
        raise InputError(f"'sides' must be 1 (one-sided) or 2 (two-sided) (got {value!r})")
    return int(value)


def check_ordered_rates(p0: float, p1: float, *, names: tuple[str, str] = ("p0", "p1")) -> None:
    """Raise unless ``p0 < p1`` (the alternative must be the better response rate)."""
    if not p0 < p1:
        raise InputError(
            f"'{names[1]}' must be greater than '{names[0]}' (got {names[0]}={p0!r}, "
            f"{names[1]}={p1!r})"
        )
