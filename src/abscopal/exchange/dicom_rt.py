"""Read DICOM RT Dose and RT Structure Set files and compute per-structure DVHs (shell).

Reading is pydicom's; the DVH arithmetic is the pure core's
(:mod:`abscopal.radiation.voxel_dvh` and :mod:`abscopal.radiation.dvh`).

Vendor quirk handled: Eclipse stores ``DVHMinimumDose``/``DVHMaximumDose``/``DVHMeanDose``
as percent of the prescription although ``DoseUnits=GY``; abscopal never reads those tags and
recomputes every statistic from ``DVHData`` (dicom_rt.md §5).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError

from abscopal.errors import InputError
from abscopal.radiation.dvh import CumulativeDVH
from abscopal.radiation.voxel_dvh import DoseGrid, VoxelDvhResult, compute_voxel_dvh

_AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
EMBEDDED_DVH_SOURCE = "TPS DVH embedded in RT Dose (DVHSequence)"


@dataclass(frozen=True)
class RtDose:
    """An RT Dose object: the dose grid plus what is needed to interpret it."""

    path: str
    grid: DoseGrid
    dose_units: str
    dose_type: str
    summation_type: str
    frame_of_reference_uid: str
    embedded_dvhs: dict[int, CumulativeDVH] = field(default_factory=dict)


@dataclass(frozen=True)
class RtStructure:
    """One ROI of an RT Structure Set with its closed planar contours ((z_mm, (N, 2) xy))."""

    number: int
    name: str
    interpreted_type: str
    frame_of_reference_uid: str
    contours: tuple[tuple[float, np.ndarray], ...]
    skipped_contour_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RtStructureSet:
    """An RT Structure Set: its ROIs in ROINumber order."""

    path: str
    structures: tuple[RtStructure, ...]

    def find(self, name_or_number: str) -> RtStructure:
        """Look a structure up by ROI name (case-insensitive) or ROI number."""
        key = name_or_number.strip()
        for s in self.structures:
            if s.name.lower() == key.lower() or str(s.number) == key:
                return s
        names = ", ".join(f"{s.number}:{s.name}" for s in self.structures)
        raise InputError(f"structure {name_or_number!r} not found in {self.path} (has: {names})")


def _read(path: str | Path, modality: str) -> Any:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{modality} file {str(p)!r} does not exist or is not a file")
    try:
        # force=True: valid RT files exist without the DICM preamble (pydicom's rtstruct.dcm).
        ds = pydicom.dcmread(str(p), force=True)
    except (InvalidDicomError, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{str(p)!r} is not a readable DICOM file ({exc})") from exc
    found = str(ds.get("Modality", "missing"))
    if found != modality:
        raise InputError(f"{str(p)!r}: expected Modality {modality} (got {found})")
    return ds


def _floats(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values]


def _embedded_dvhs(ds: Any, source_path: str) -> dict[int, CumulativeDVH]:
    out: dict[int, CumulativeDVH] = {}
    for i, item in enumerate(ds.get("DVHSequence", [])):
        try:
            roi = int(item.DVHReferencedROISequence[0].ReferencedROINumber)
            data = np.asarray(_floats(item.DVHData), dtype=np.float64)
            scale = float(item.get("DVHDoseScaling", 1.0) or 1.0)
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise InputError(f"{source_path}: DVHSequence[{i}] is malformed ({exc})") from exc
        kind = str(item.get("DVHType", "CUMULATIVE")).upper()
        units = str(item.get("DoseUnits", "GY")).upper()
        vol_units = str(item.get("DVHVolumeUnits", "CM3")).upper()
        source = f"{EMBEDDED_DVH_SOURCE}; volume units {vol_units}"
        widths, values = data[0::2] * scale, data[1::2]
        if widths.size == 0:
            continue
        if kind == "CUMULATIVE":
            out[roi] = CumulativeDVH.from_dicom_bins(widths, values, source=source,
                                                     dose_units=units)
        elif kind == "DIFFERENTIAL":
            edges = np.concatenate(([0.0], np.cumsum(widths)))
            out[roi] = CumulativeDVH.from_differential(edges, values, source=source,
                                                       dose_units=units)
        # NATURAL DVHs are not interpreted; the calculated DVH is available instead.
    return out


def _z_positions(ds: Any, path: str, frames: int) -> np.ndarray:
    ipp_z = float(ds.ImagePositionPatient[2])
    if frames == 1 and "GridFrameOffsetVector" not in ds:
        return np.array([ipp_z])
    offsets = np.asarray(_floats(ds.GridFrameOffsetVector), dtype=np.float64)
    if offsets.size != frames:
        raise InputError(
            f"{path}: GridFrameOffsetVector has {offsets.size} values for {frames} frames"
        )
    if offsets[0] == 0.0:
        return ipp_z + offsets  # relative offsets (PS3.3 C.8.8.3.2, type a)
    if math.isclose(offsets[0], ipp_z, abs_tol=1e-3):
        return offsets  # absolute z positions (type b)
    raise InputError(
        f"{path}: GridFrameOffsetVector must start at 0 or at ImagePositionPatient z "
        f"({ipp_z}) (got {offsets[0]})"
    )


def read_rt_dose(path: str | Path) -> RtDose:
    """Read an RT Dose file into a :class:`DoseGrid` (dose in Gy via DoseGridScaling).

    Raises
    ------
    InputError
        Not RTDOSE, not axial (ImageOrientationPatient must be 1,0,0,0,1,0), or malformed.
    """
    ds = _read(path, "RTDOSE")
    p = str(path)
    try:
        orientation = tuple(_floats(ds.ImageOrientationPatient))
        if not np.allclose(orientation, _AXIAL, atol=1e-4):
            raise InputError(
                f"{p}: only axial, non-rotated dose grids are supported "
                f"(ImageOrientationPatient 1,0,0,0,1,0; got {orientation})"
            )
        row_mm, col_mm = _floats(ds.PixelSpacing)
        ipp = _floats(ds.ImagePositionPatient)
        scaling = float(ds.get("DoseGridScaling", 1.0) or 1.0)
        pixels = np.asarray(ds.pixel_array, dtype=np.float64)
    except InputError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise InputError(f"{p}: RT Dose is missing or has a malformed required field ({exc})") \
            from exc
    if pixels.ndim == 2:
        pixels = pixels[None, :, :]
    frames, rows, cols = pixels.shape
    units = str(ds.get("DoseUnits", "GY")).upper()
    grid = DoseGrid.from_arrays(
        pixels * scaling,
        x_mm=ipp[0] + col_mm * np.arange(cols),
        y_mm=ipp[1] + row_mm * np.arange(rows),
        z_mm=_z_positions(ds, p, frames),
        dose_units=units,
    )
    return RtDose(
        path=p,
        grid=grid,
        dose_units=units,
        dose_type=str(ds.get("DoseType", "")),
        summation_type=str(ds.get("DoseSummationType", "")),
        frame_of_reference_uid=str(ds.get("FrameOfReferenceUID", "")),
        embedded_dvhs=_embedded_dvhs(ds, p),
    )


def _roi_contours(item: Any, name: str, path: str) -> tuple[list[tuple[float, np.ndarray]],
                                                             list[str]]:
    contours: list[tuple[float, np.ndarray]] = []
    skipped: list[str] = []
    for c in item.get("ContourSequence", []):
        kind = str(c.get("ContourGeometricType", "CLOSED_PLANAR")).upper()
        if kind != "CLOSED_PLANAR":
            skipped.append(kind)
            continue
        xyz = np.asarray(_floats(c.ContourData), dtype=np.float64).reshape(-1, 3)
        if np.ptp(xyz[:, 2]) > 0.01:
            raise InputError(
                f"{path}: structure {name!r} has a non-axial CLOSED_PLANAR contour (z varies by "
                f"{np.ptp(xyz[:, 2]):.3f} mm); only axial contours are supported"
            )
        contours.append((float(xyz[0, 2]), xyz[:, :2].copy()))
    return contours, skipped


def read_rt_structure_set(path: str | Path) -> RtStructureSet:
    """Read the ROIs of an RT Structure Set (closed planar contours only; points skipped)."""
    ds = _read(path, "RTSTRUCT")
    p = str(path)
    types = {
        int(o.ReferencedROINumber): str(o.get("RTROIInterpretedType", ""))
        for o in ds.get("RTROIObservationsSequence", [])
    }
    contour_items = {int(c.ReferencedROINumber): c for c in ds.get("ROIContourSequence", [])}
    structures = []
    for roi in ds.get("StructureSetROISequence", []):
        number = int(roi.ROINumber)
        name = str(roi.get("ROIName", f"ROI {number}"))
        contours, skipped = (
            _roi_contours(contour_items[number], name, p) if number in contour_items else ([], [])
        )
        structures.append(
            RtStructure(
                number=number,
                name=name,
                interpreted_type=types.get(number, ""),
                frame_of_reference_uid=str(roi.get("ReferencedFrameOfReferenceUID", "")),
                contours=tuple(contours),
                skipped_contour_types=tuple(sorted(set(skipped))),
            )
        )
    structures.sort(key=lambda s: s.number)
    return RtStructureSet(path=p, structures=tuple(structures))


def compute_structure_dvh(
    dose: RtDose,
    structure: RtStructure,
    *,
    bin_width_gy: float = 0.01,
    require_same_frame_of_reference: bool = True,
) -> VoxelDvhResult:
    """Compute one structure's DVH on the RT Dose grid with abscopal's voxel method.

    Raises
    ------
    InputError
        If the structure and the dose are in different frames of reference (they do not form
        a DVH pair; pass ``require_same_frame_of_reference=False`` to override).
    """
    if (
        require_same_frame_of_reference
        and structure.frame_of_reference_uid
        and dose.frame_of_reference_uid
        and structure.frame_of_reference_uid != dose.frame_of_reference_uid
    ):
        raise InputError(
            f"structure {structure.name!r} is in frame of reference "
            f"{structure.frame_of_reference_uid}, the dose in {dose.frame_of_reference_uid}: "
            "they do not form a DVH pair"
        )
    return compute_voxel_dvh(dose.grid, structure.contours, bin_width_gy=bin_width_gy,
                             name=structure.name)


def compute_structure_dvhs(
    dose: RtDose,
    structure_set: RtStructureSet,
    *,
    structures: Iterable[str] | None = None,
    bin_width_gy: float = 0.01,
    require_same_frame_of_reference: bool = True,
) -> dict[int, VoxelDvhResult]:
    """Compute DVHs for every structure with contours (or the named ones), keyed by ROI number."""
    chosen = (
        [structure_set.find(s) for s in structures]
        if structures is not None
        else [s for s in structure_set.structures if s.contours]
    )
    return {
        s.number: compute_structure_dvh(
            dose, s, bin_width_gy=bin_width_gy,
            require_same_frame_of_reference=require_same_frame_of_reference,
        )
        for s in chosen
    }


__all__ = [
    "EMBEDDED_DVH_SOURCE",
    "RtDose",
    "RtStructure",
    "RtStructureSet",
    "compute_structure_dvh",
    "compute_structure_dvhs",
    "read_rt_dose",
    "read_rt_structure_set",
]
