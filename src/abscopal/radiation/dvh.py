"""Dose-volume histogram (DVH) metrics from a cumulative DVH: Dmean, Dmin, Dmax, Dx%, Dxcc, Vx.

A cumulative DVH is a list of points ``(dose_gy[k], volume_cc[k])``: the volume receiving at
least ``dose_gy[k]``. Between points abscopal interpolates **linearly**, which is the same as
assuming the dose is spread uniformly inside each histogram bin. Consequences (all stated in
docs/guides/dose.md):

- ``Dmean = integral of V(D) dD / V_total`` = sum of bin centre x differential volume.
- ``Dmax`` = the lowest dose point at which the volume reaches 0 (upper edge of the last
  non-empty bin); ``Dmin`` = the highest dose point at which all of the volume is still
  covered (lower edge of the first non-empty bin, = D100).
- ``Dx%`` / ``Dxcc`` = the highest dose D with V(D) >= the volume asked for, read by inverse
  linear interpolation ("minimum dose to the hottest x", Nag 2000; Davis 2012; TG-137).
- ``Vx`` = V(x) by linear interpolation.

dicompyler-core instead takes the nearest bin without interpolation; the two differ by at
most one bin width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from abscopal.errors import InputError
from abscopal.radiation._checks import check_number

DVH_SOURCE = (
    "ABS post-implant dosimetry: Nag S et al., IJROBP 2000;46:221-230; Davis BJ et al., "
    "Brachytherapy 2012;11:6-19; AAPM TG-137"
)
INTERPOLATION = "linear between DVH points (dose uniform within each bin)"

FloatArray = NDArray[np.float64]
#: Volumes within this fraction of the largest volume of zero are TPS round-off and read as 0.
_ROUNDOFF_RELATIVE = 1e-9


@dataclass(frozen=True, eq=False)
class CumulativeDVH:
    """A cumulative DVH: ``volume_cc[k]`` receives at least ``dose_gy[k]``.

    Build it with :meth:`from_points`, :meth:`from_differential` or :meth:`from_dicom_bins`
    (which check their input) rather than directly.

    Attributes
    ----------
    dose_gy : ndarray
        Strictly increasing dose points, >= 0 (Gy, or the grid's units when RELATIVE).
    volume_cc : ndarray
        Non-increasing volumes (cm3), the first being the structure volume, the last 0.
    name : str
        Structure name.
    source : str
        Where the DVH came from (e.g. "abscopal voxel calculation", "TPS DVHSequence").
    dose_units : str
        ``"GY"`` or ``"RELATIVE"`` (DICOM DoseUnits).
    """

    dose_gy: FloatArray
    volume_cc: FloatArray
    name: str = ""
    source: str = ""
    dose_units: str = "GY"

    @property
    def total_volume_cc(self) -> float:
        """Structure volume: the volume at the first (lowest) dose point."""
        return float(self.volume_cc[0])

    @property
    def is_empty(self) -> bool:
        """True when the structure has no volume (e.g. an empty ROI)."""
        return self.total_volume_cc <= 0.0

    @classmethod
    def from_points(
        cls, dose_gy: ArrayLike, volume_cc: ArrayLike, *, name: str = "", source: str = "",
        dose_units: str = "GY",
    ) -> CumulativeDVH:
        """Check and build from cumulative points (see :func:`_from_points`)."""
        return _from_points(dose_gy, volume_cc, name=name, source=source, dose_units=dose_units)

    @classmethod
    def from_differential(
        cls, bin_edges_gy: ArrayLike, bin_volumes_cc: ArrayLike, *, name: str = "",
        source: str = "", dose_units: str = "GY",
    ) -> CumulativeDVH:
        """Build from a differential histogram (see :func:`_from_differential`)."""
        return _from_differential(bin_edges_gy, bin_volumes_cc, name=name, source=source,
                                  dose_units=dose_units)

    @classmethod
    def from_dicom_bins(
        cls, bin_widths_gy: ArrayLike, cumulative_volumes_cc: ArrayLike, *, name: str = "",
        source: str = "", dose_units: str = "GY",
    ) -> CumulativeDVH:
        """Build from DICOM cumulative DVHData pairs (see :func:`_from_dicom_bins`)."""
        return _from_dicom_bins(bin_widths_gy, cumulative_volumes_cc, name=name, source=source,
                                dose_units=dose_units)


def _from_points(
    dose_gy: ArrayLike,
    volume_cc: ArrayLike,
    *,
    name: str = "",
    source: str = "",
    dose_units: str = "GY",
) -> CumulativeDVH:
    """Check and build a cumulative DVH.

    A DVH whose last volume is not 0 is closed by repeating the last bin width with zero
    volume (the same reading DICOM's DVHData and dicompyler-core use: the last bin holds the
    remaining volume).

    Raises
    ------
    InputError
        If the arrays differ in length, are empty, contain NaN/negative values, the doses are
        not strictly increasing or the volumes increase with dose.

    Examples
    --------
    >>> d = CumulativeDVH.from_points([0, 1, 2], [10, 5, 0])
    >>> d.total_volume_cc
    10.0
    """
    dose = np.asarray(dose_gy, dtype=np.float64).ravel()
    vol = np.asarray(volume_cc, dtype=np.float64).ravel()
    if dose.size == 0 or dose.size != vol.size:
        raise InputError(
            "'dose_gy' and 'volume_cc' must be non-empty and of equal length "
            f"(got {dose.size} and {vol.size} points)"
        )
    if not (np.all(np.isfinite(dose)) and np.all(np.isfinite(vol))):
        raise InputError("'dose_gy' and 'volume_cc' must be finite (got NaN or inf)")
    roundoff = _ROUNDOFF_RELATIVE * max(1.0, float(np.max(np.abs(vol))))
    if dose[0] < 0 or np.any(vol < -roundoff):
        raise InputError("DVH doses and volumes must be >= 0 (got a negative value)")
    # Planning systems export round-off such as -2e-13 cm3 in the tail: read it as 0.
    vol = np.where(vol <= roundoff, 0.0, vol)
    if np.any(np.diff(dose) <= 0):
        raise InputError("'dose_gy' must be strictly increasing (a cumulative DVH's dose axis)")
    if np.any(np.diff(vol) > roundoff):
        raise InputError(
            "'volume_cc' must not increase with dose (got an increase: is this a "
            "differential DVH? use CumulativeDVH.from_differential)"
        )
    vol = np.minimum.accumulate(vol)
    if vol[-1] > 0:
        step = float(dose[-1] - dose[-2]) if dose.size > 1 else 1.0
        dose = np.append(dose, dose[-1] + step)
        vol = np.append(vol, 0.0)
    return CumulativeDVH(dose_gy=dose, volume_cc=vol, name=name, source=source,
                         dose_units=dose_units)


def _from_differential(
    bin_edges_gy: ArrayLike,
    bin_volumes_cc: ArrayLike,
    *,
    name: str = "",
    source: str = "",
    dose_units: str = "GY",
) -> CumulativeDVH:
    """Build a cumulative DVH from a differential histogram (K+1 edges, K bin volumes).

    Examples
    --------
    >>> d = CumulativeDVH.from_differential([0, 1, 2], [4, 6])
    >>> d.volume_cc.tolist()
    [10.0, 6.0, 0.0]
    """
    edges = np.asarray(bin_edges_gy, dtype=np.float64).ravel()
    counts = np.asarray(bin_volumes_cc, dtype=np.float64).ravel()
    if edges.size != counts.size + 1 or counts.size == 0:
        raise InputError(
            "'bin_edges_gy' must have one more entry than 'bin_volumes_cc' "
            f"(got {edges.size} edges and {counts.size} bins)"
        )
    if np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise InputError("'bin_volumes_cc' must be finite and >= 0")
    cumulative = np.append(counts[::-1].cumsum()[::-1], 0.0)
    return _from_points(edges, cumulative, name=name, source=source,
                                dose_units=dose_units)


def _from_dicom_bins(
    bin_widths_gy: ArrayLike,
    cumulative_volumes_cc: ArrayLike,
    *,
    name: str = "",
    source: str = "",
    dose_units: str = "GY",
) -> CumulativeDVH:
    """Build a DVH from DICOM-style cumulative ``DVHData`` (bin width, volume) pairs.

    Rules
    -----
    1. Bin k spans ``[e_k, e_k + w_k)`` with ``e_0 = 0``; its value is the volume receiving
       at least ``e_k`` (DICOM PS3.3 C.8.8.4, DVH Data; cumulative type).
    2. After the last bin the volume is 0.

    Examples
    --------
    >>> d = CumulativeDVH.from_dicom_bins([1, 1], [10, 4])
    >>> d.dose_gy.tolist(), d.volume_cc.tolist()
    ([0.0, 1.0, 2.0], [10.0, 4.0, 0.0])
    """
    widths = np.asarray(bin_widths_gy, dtype=np.float64).ravel()
    vols = np.asarray(cumulative_volumes_cc, dtype=np.float64).ravel()
    if widths.size != vols.size or widths.size == 0:
        raise InputError(
            "'bin_widths_gy' and 'cumulative_volumes_cc' must be non-empty and of equal "
            f"length (got {widths.size} and {vols.size})"
        )
    if np.any(widths <= 0):
        raise InputError("'bin_widths_gy' must all be > 0 (got a zero or negative bin width)")
    edges = np.concatenate(([0.0], np.cumsum(widths)))
    return _from_points(edges, np.append(vols, 0.0), name=name, source=source,
                                dose_units=dose_units)


def _check_dvh(dvh: object) -> CumulativeDVH:
    if not isinstance(dvh, CumulativeDVH):
        raise InputError(f"'dvh' must be a CumulativeDVH (got {type(dvh).__name__})")
    return dvh


def compute_dvh_mean_gy(dvh: CumulativeDVH) -> float:
    """Mean dose: the area under the cumulative DVH divided by the volume (0 for empty).

    Examples
    --------
    >>> compute_dvh_mean_gy(CumulativeDVH.from_points([0, 10, 20], [1, 1, 0]))
    15.0
    """
    d = _check_dvh(dvh)
    if d.is_empty:
        return 0.0
    area = float(np.sum((d.volume_cc[:-1] + d.volume_cc[1:]) / 2.0 * np.diff(d.dose_gy)))
    # Below the first point every voxel is counted at full volume.
    area += float(d.dose_gy[0]) * d.total_volume_cc
    return area / d.total_volume_cc


def compute_dvh_max_gy(dvh: CumulativeDVH) -> float:
    """Maximum dose: the lowest dose point at which the volume is 0 (0 for empty)."""
    d = _check_dvh(dvh)
    if d.is_empty:
        return 0.0
    zero = np.nonzero(d.volume_cc <= 0.0)[0]
    return float(d.dose_gy[zero[0]])


def compute_dvh_min_gy(dvh: CumulativeDVH) -> float:
    """Minimum dose: the highest dose point still covering the whole volume (= D100)."""
    d = _check_dvh(dvh)
    if d.is_empty:
        return 0.0
    full = np.nonzero(d.volume_cc >= d.total_volume_cc * (1.0 - 1e-12))[0]
    return float(d.dose_gy[full[-1]])


def _dose_at_volume(d: CumulativeDVH, volume_cc: float) -> float:
    if volume_cc <= 0.0:
        return compute_dvh_max_gy(d)
    v = d.volume_cc
    k = int(np.nonzero(v >= volume_cc)[0][-1])  # last point still covering the volume
    if k == v.size - 1:
        return float(d.dose_gy[k])
    v0, v1 = float(v[k]), float(v[k + 1])
    return float(d.dose_gy[k] + (v0 - volume_cc) / (v0 - v1) * (d.dose_gy[k + 1] - d.dose_gy[k]))


def compute_dose_at_volume_percent(dvh: CumulativeDVH, volume_percent: float) -> float:
    """Dx%: the minimum dose received by the hottest ``volume_percent`` % of the structure.

    Parameters
    ----------
    dvh : CumulativeDVH
    volume_percent : float
        0-100. D100 = Dmin; D0 = Dmax.

    Rules
    -----
    1. D_x = max{D : V(D) >= x% of the volume}, V linear between DVH points (Nag 2000).

    Examples
    --------
    >>> uniform = CumulativeDVH.from_points([0, 112, 252], [100, 100, 0])  # Rx 140, spec §2
    >>> compute_dose_at_volume_percent(uniform, 90)
    126.0
    """
    d = _check_dvh(dvh)
    x = check_number(volume_percent, "volume_percent", minimum=0.0, source=DVH_SOURCE)
    if x > 100:
        raise InputError(f"'volume_percent' must be <= 100 (got {volume_percent!r})")
    if d.is_empty:
        raise InputError(f"structure {d.name!r} is empty: Dx% is undefined")
    return _dose_at_volume(d, x / 100.0 * d.total_volume_cc)


def compute_dose_at_volume_cc(dvh: CumulativeDVH, volume_cc: float) -> float | None:
    """Dxcc: the minimum dose to the hottest ``volume_cc`` cm3 (e.g. D2cc).

    Returns None when the structure is smaller than ``volume_cc`` (undefined; dicompyler-core
    returns 0 there).

    Examples
    --------
    >>> dvh = CumulativeDVH.from_points([0, 10, 20], [4, 4, 0])
    >>> compute_dose_at_volume_cc(dvh, 2), compute_dose_at_volume_cc(dvh, 5)
    (15.0, None)
    """
    d = _check_dvh(dvh)
    v = check_number(volume_cc, "volume_cc", minimum=0.0, source=DVH_SOURCE)
    if d.is_empty or v > d.total_volume_cc:
        return None
    return _dose_at_volume(d, v)


def compute_volume_cc_at_dose(dvh: CumulativeDVH, dose_gy: float) -> float:
    """VxGy in cm3: the volume receiving at least ``dose_gy`` (linear interpolation).

    Examples
    --------
    >>> compute_volume_cc_at_dose(CumulativeDVH.from_points([0, 112, 252], [100, 100, 0]), 140)
    80.0
    """
    d = _check_dvh(dvh)
    x = check_number(dose_gy, "dose_gy", minimum=0.0)
    return float(np.interp(x, d.dose_gy, d.volume_cc, left=d.total_volume_cc, right=0.0))


def compute_volume_percent_at_dose(dvh: CumulativeDVH, dose_gy: float) -> float:
    """VxGy as % of the structure volume (0 for an empty structure)."""
    d = _check_dvh(dvh)
    if d.is_empty:
        return 0.0
    return 100.0 * compute_volume_cc_at_dose(d, dose_gy) / d.total_volume_cc


def compute_volume_percent_of_prescription(
    dvh: CumulativeDVH, dose_percent: float, *, prescription_gy: float
) -> float:
    """V100/V150-style metric: % of the volume receiving >= ``dose_percent`` % of Rx.

    Examples
    --------
    >>> uniform = CumulativeDVH.from_points([0, 112, 252], [50, 50, 0])
    >>> compute_volume_percent_of_prescription(uniform, 150, prescription_gy=140)
    30.0
    """
    p = check_number(dose_percent, "dose_percent", minimum=0.0)
    rx = check_number(prescription_gy, "prescription_gy", minimum=0.0, exclusive_minimum=True)
    return compute_volume_percent_at_dose(dvh, p / 100.0 * rx)


@dataclass(frozen=True)
class DvhSummary:
    """DVH metrics of one structure. Dose keys are the numbers asked for (e.g. 90 -> D90)."""

    name: str
    volume_cc: float
    mean_gy: float
    min_gy: float
    max_gy: float
    dose_at_volume_percent_gy: dict[float, float]
    dose_at_volume_cc_gy: dict[float, float | None]
    volume_percent_of_prescription: dict[float, float]
    volume_cc_at_dose_gy: dict[float, float]
    prescription_gy: float | None
    dose_units: str
    source: str
    interpolation: str = INTERPOLATION
    references: str = DVH_SOURCE
    notes: tuple[str, ...] = field(default_factory=tuple)


def compute_dvh_summary(
    dvh: CumulativeDVH,
    *,
    prescription_gy: float | None = None,
    volume_percents: Sequence[float] = (90.0,),
    volume_ccs: Sequence[float] = (2.0,),
    prescription_percents: Sequence[float] = (100.0, 150.0),
    dose_levels_gy: Sequence[float] = (),
) -> DvhSummary:
    """Compute the usual metrics of one structure: volume, Dmean/min/max, Dx%, Dxcc, Vx.

    ``prescription_percents`` are reported only when ``prescription_gy`` is given. An empty
    structure gives volume 0, doses 0, undefined Dx (omitted) and a note.

    Examples
    --------
    >>> s = compute_dvh_summary(CumulativeDVH.from_points([0, 112, 252], [10, 10, 0]),
    ...                         prescription_gy=140)
    >>> s.dose_at_volume_percent_gy, s.volume_percent_of_prescription
    ({90.0: 126.0}, {100.0: 80.0, 150.0: 30.0})
    """
    d = _check_dvh(dvh)
    rx = None
    if prescription_gy is not None:
        rx = check_number(prescription_gy, "prescription_gy", minimum=0.0, exclusive_minimum=True)
    notes: list[str] = []
    if d.dose_units != "GY":
        notes.append(f"dose units are {d.dose_units}, not Gy: 'gy' fields are in those units")
    if d.is_empty:
        notes.append("structure is empty (no volume inside the dose grid)")
        d_pct: dict[float, float] = {}
    else:
        d_pct = {float(x): compute_dose_at_volume_percent(d, x) for x in volume_percents}
    d_cc = {float(v): compute_dose_at_volume_cc(d, v) for v in volume_ccs}
    v_rx = (
        {}
        if rx is None
        else {float(p): compute_volume_percent_of_prescription(d, p, prescription_gy=rx)
              for p in prescription_percents}
    )
    v_gy = {float(x): compute_volume_cc_at_dose(d, x) for x in dose_levels_gy}
    return DvhSummary(
        name=d.name,
        volume_cc=d.total_volume_cc,
        mean_gy=compute_dvh_mean_gy(d),
        min_gy=compute_dvh_min_gy(d),
        max_gy=compute_dvh_max_gy(d),
        dose_at_volume_percent_gy=d_pct,
        dose_at_volume_cc_gy=d_cc,
        volume_percent_of_prescription=v_rx,
        volume_cc_at_dose_gy=v_gy,
        prescription_gy=rx,
        dose_units=d.dose_units,
        source=d.source,
        notes=tuple(notes),
    )


__all__ = [
    "DVH_SOURCE",
    "INTERPOLATION",
    "CumulativeDVH",
    "DvhSummary",
    "compute_dose_at_volume_cc",
    "compute_dose_at_volume_percent",
    "compute_dvh_max_gy",
    "compute_dvh_mean_gy",
    "compute_dvh_min_gy",
    "compute_dvh_summary",
    "compute_volume_cc_at_dose",
    "compute_volume_percent_at_dose",
    "compute_volume_percent_of_prescription",
]
