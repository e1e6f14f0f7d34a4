"""Tiny synthetic RT Dose + RT Structure Set files with analytically known DVHs (tests, demos).

Example: a box whose in-plane edges fall between voxel centres, in a dose that rises by
exactly one bin width per column, has a cumulative DVH that is exactly the uniform-dose
line of radiobiology_spec.md §2 once interpolated linearly (see tests/exchange).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from abscopal.errors import InputError

RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"
RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"


@dataclass(frozen=True)
class PhantomStructure:
    """A structure to write: name, closed planar contours ((z_mm, (N, 2) xy)), ROI type."""

    name: str
    contours: Sequence[tuple[float, np.ndarray]]
    interpreted_type: str = "ORGAN"


def make_box_contours(
    x_mm: tuple[float, float], y_mm: tuple[float, float], z_mm: Sequence[float]
) -> list[tuple[float, np.ndarray]]:
    """Rectangle contours ``x_mm[0]..x_mm[1]`` x ``y_mm[0]..y_mm[1]`` on each plane of z_mm."""
    (x0, x1), (y0, y1) = x_mm, y_mm
    square = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    return [(float(z), square.copy()) for z in z_mm]


def make_sphere_contours(
    centre_mm: tuple[float, float, float],
    radius_mm: float,
    z_mm: Sequence[float],
    *,
    points: int = 180,
) -> list[tuple[float, np.ndarray]]:
    """Circular cross-sections of a sphere on each plane of ``z_mm`` that cuts it."""
    cx, cy, cz = centre_mm
    angles = np.linspace(0.0, 2.0 * np.pi, points, endpoint=False)
    out = []
    for z in z_mm:
        r2 = radius_mm**2 - (float(z) - cz) ** 2
        if r2 <= 0:
            continue
        r = float(np.sqrt(r2))
        out.append((float(z), np.column_stack((cx + r * np.cos(angles), cy + r * np.sin(angles)))))
    return out


def _file_meta(sop_class: str, sop_instance: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(sop_instance)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return meta


def make_rt_dose_dataset(
    dose_gy: np.ndarray,
    *,
    origin_mm: tuple[float, float, float],
    spacing_mm: tuple[float, float, float],
    frame_of_reference_uid: str,
    dose_grid_scaling: float = 1e-4,
    embedded_dvhs: Mapping[int, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Dataset:
    """An RT Dose dataset for ``dose_gy`` (frames, rows, columns) on an axial grid.

    ``spacing_mm`` is (column dx, row dy, frame dz); ``origin_mm`` the centre of the first
    voxel. ``embedded_dvhs`` maps ROI number to cumulative (bin widths Gy, volumes cm3).
    """
    arr = np.asarray(dose_gy, dtype=np.float64)
    if arr.ndim != 3 or np.any(arr < 0):
        raise InputError(f"'dose_gy' must be a 3-D array of doses >= 0 (got shape {arr.shape})")
    raw = np.rint(arr / dose_grid_scaling)
    if raw.max() >= 2**32:
        raise InputError("'dose_gy' is too large for 32-bit storage at this dose_grid_scaling")
    frames, rows, cols = arr.shape
    ds = Dataset()
    ds.SOPClassUID = RT_DOSE_STORAGE
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta = _file_meta(RT_DOSE_STORAGE, ds.SOPInstanceUID)
    ds.Modality = "RTDOSE"
    ds.PatientName = "Phantom^Synthetic"
    ds.PatientID = "PHANTOM"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.FrameOfReferenceUID = frame_of_reference_uid
    ds.ImagePositionPatient = [float(v) for v in origin_mm]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [float(spacing_mm[1]), float(spacing_mm[0])]  # row, column spacing
    ds.SliceThickness = float(spacing_mm[2])
    ds.GridFrameOffsetVector = [float(k * spacing_mm[2]) for k in range(frames)]
    ds.NumberOfFrames = frames
    ds.FrameIncrementPointer = 0x3004000C
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 32
    ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelRepresentation = 0
    ds.DoseUnits = "GY"
    ds.DoseType = "PHYSICAL"
    ds.DoseSummationType = "PLAN"
    ds.DoseGridScaling = dose_grid_scaling
    ds.PixelData = raw.astype("<u4").tobytes()
    if embedded_dvhs:
        items = []
        for roi, (widths, volumes) in embedded_dvhs.items():
            item = Dataset()
            ref = Dataset()
            ref.ReferencedROINumber = int(roi)
            ref.DVHROIContributionType = "INCLUDED"
            item.DVHReferencedROISequence = DicomSequence([ref])
            item.DVHType = "CUMULATIVE"
            item.DoseUnits = "GY"
            item.DoseType = "PHYSICAL"
            item.DVHDoseScaling = 1.0
            item.DVHVolumeUnits = "CM3"
            item.DVHNumberOfBins = len(widths)
            item.DVHData = [float(v) for pair in zip(widths, volumes, strict=True) for v in pair]
            items.append(item)
        ds.DVHSequence = DicomSequence(items)
    return ds


def make_rt_struct_dataset(
    structures: Sequence[PhantomStructure], *, frame_of_reference_uid: str
) -> Dataset:
    """An RT Structure Set dataset with the given structures (ROI numbers 1, 2, ...)."""
    ds = Dataset()
    ds.SOPClassUID = RT_STRUCTURE_SET_STORAGE
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta = _file_meta(RT_STRUCTURE_SET_STORAGE, ds.SOPInstanceUID)
    ds.Modality = "RTSTRUCT"
    ds.PatientName = "Phantom^Synthetic"
    ds.PatientID = "PHANTOM"
    ds.StructureSetLabel = "PHANTOM"
    rois, roi_contours, observations = [], [], []
    for number, s in enumerate(structures, start=1):
        roi = Dataset()
        roi.ROINumber = number
        roi.ROIName = s.name
        roi.ReferencedFrameOfReferenceUID = frame_of_reference_uid
        rois.append(roi)
        rc = Dataset()
        rc.ReferencedROINumber = number
        items = []
        for z, pts in s.contours:
            c = Dataset()
            c.ContourGeometricType = "CLOSED_PLANAR"
            p = np.asarray(pts, dtype=np.float64)
            c.NumberOfContourPoints = len(p)
            c.ContourData = [float(v) for x, y in p for v in (x, y, z)]
            items.append(c)
        if items:
            rc.ContourSequence = DicomSequence(items)
        roi_contours.append(rc)
        obs = Dataset()
        obs.ObservationNumber = number
        obs.ReferencedROINumber = number
        obs.RTROIInterpretedType = s.interpreted_type
        observations.append(obs)
    ds.StructureSetROISequence = DicomSequence(rois)
    ds.ROIContourSequence = DicomSequence(roi_contours)
    ds.RTROIObservationsSequence = DicomSequence(observations)
    return ds


def _save(ds: Dataset, path: Path) -> None:
    if int(pydicom.__version__.split(".")[0]) >= 3:
        pydicom.dcmwrite(path, ds, enforce_file_format=True)
    else:  # pragma: no cover - pydicom 2.4
        ds.is_little_endian, ds.is_implicit_VR = True, False
        pydicom.dcmwrite(path, ds, write_like_original=False)


def write_phantom(
    directory: str | Path,
    dose_gy: np.ndarray,
    structures: Sequence[PhantomStructure],
    *,
    origin_mm: tuple[float, float, float],
    spacing_mm: tuple[float, float, float],
    dose_grid_scaling: float = 1e-4,
    embedded_dvhs: Mapping[int, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> tuple[Path, Path]:
    """Write ``rtdose.dcm`` and ``rtstruct.dcm`` (same frame of reference) into ``directory``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    frame = generate_uid()
    dose = make_rt_dose_dataset(dose_gy, origin_mm=origin_mm, spacing_mm=spacing_mm,
                                frame_of_reference_uid=frame, dose_grid_scaling=dose_grid_scaling,
                                embedded_dvhs=embedded_dvhs)
    rtss = make_rt_struct_dataset(structures, frame_of_reference_uid=frame)
    dose_path, rtss_path = out / "rtdose.dcm", out / "rtstruct.dcm"
    _save(dose, dose_path)
    _save(rtss, rtss_path)
    return dose_path, rtss_path


__all__ = [
    "PhantomStructure",
    "make_box_contours",
    "make_rt_dose_dataset",
    "make_rt_struct_dataset",
    "make_sphere_contours",
    "write_phantom",
]
