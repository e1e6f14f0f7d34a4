"""Input checks and the tie-grouped counting shared by the survival estimators (private)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from abscopal.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CONF_TYPES: tuple[str, ...] = ("log", "log-log")
CONF_TYPE_NOTES = {
    "log": "log: exp(log S +/- z*se(log S)), R survfit's default",
    "log-log": "log-log: exp(-exp(log(-log S) -/+ z*se/log S)), lifelines' default",
}


def check_conf_type(conf_type: str) -> str:
    """Normalise ``conf_type`` ('log' or 'log-log', case-insensitive, '_' allowed)."""
    key = str(conf_type).strip().lower().replace("_", "-")
    if key == "loglog":
        key = "log-log"
    if key not in CONF_TYPES:
        raise InputError(f"'conf_type' must be one of {list(CONF_TYPES)} (got {conf_type!r})")
    return key


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as float, or raise unless it lies in (0, 1)."""
    if isinstance(confidence, bool) or not isinstance(confidence, float | int):
        raise InputError(f"'confidence' must be a number in (0, 1) (got {confidence!r})")
    if not 0.0 < float(confidence) < 1.0:
        raise InputError(f"'confidence' must be strictly between 0 and 1 (got {confidence!r})")
    return float(confidence)


def as_times(time: Sequence[float] | npt.ArrayLike, *, name: str = "time") -> FloatArray:
    """Finite, non-negative float array of follow-up times."""
    try:
        arr = np.asarray(time, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"'{name}' must be numeric (got non-numeric values)") from exc
    if arr.ndim != 1:
        raise InputError(f"'{name}' must be one-dimensional (got shape {arr.shape})")
    if arr.size == 0:
        raise InputError(f"'{name}' must not be empty")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"'{name}' must be finite (got {float(arr[i])!r} at row {i}; "
            f"{int(bad.sum())} missing/infinite value(s) in all). Drop or impute them first."
        )
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise InputError(f"'{name}' must be >= 0 (got {float(arr[i])!r} at row {i})")
    return arr


def as_events(event: Sequence[Any] | npt.ArrayLike, *, n: int, name: str = "event") -> npt.NDArray[
    np.bool_
]:
    """Boolean event indicator (1/True = event, 0/False = censored) of length ``n``."""
    arr = np.asarray(event)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(f"'{name}' must have the same length as 'time' ({n}) (got {arr.shape})")
    if arr.dtype == np.bool_:
        return arr.astype(np.bool_)
    try:
        num = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"'{name}' must be 0/1 or True/False (got non-numeric values)") from exc
    ok = (num == 0) | (num == 1)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise InputError(
            f"'{name}' must be 0/1 or True/False (got {float(arr[i])!r} at row {i}); "
            "recode e.g. R's 1/2 status as status - 1"
        )
    return np.asarray(num == 1, dtype=np.bool_)


@dataclass(frozen=True, eq=False)
class TieTable:
    """Counts at each distinct time: the O(n log n) sort is done once here."""

    times: FloatArray  # distinct times, ascending
    inverse: IntArray  # row -> index into times
    n_at_risk: FloatArray
    n_events: FloatArray
    n_censored: FloatArray


def tie_table(time: FloatArray, event: npt.NDArray[np.bool_]) -> TieTable:
    """Distinct times with numbers at risk, events and censorings (ties grouped)."""
    times, inverse = np.unique(time, return_inverse=True)
    inverse = inverse.astype(np.int64, copy=False)
    k = times.shape[0]
    total = np.bincount(inverse, minlength=k).astype(np.float64)
    d = np.bincount(inverse, weights=event.astype(np.float64), minlength=k).astype(np.float64)
    at_risk = np.cumsum(total[::-1])[::-1]
    return TieTable(times=times, inverse=inverse, n_at_risk=at_risk, n_events=d,
                    n_censored=total - d)
