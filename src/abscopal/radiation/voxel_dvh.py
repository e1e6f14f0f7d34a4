"""abscopal's own DVH calculation: rasterise each contour plane onto the dose grid.

Method (stated in docs/guides/dose.md, checked against dicompyler-core and the TPS DVH):

1. Contour planes are grouped by z (0.01 mm tolerance). On each plane the dose is the grid
   linearly interpolated in z between the two bracketing dose frames (exact on a frame);
   planes outside the grid's z-range contribute nothing and are counted in
   ``planes_outside_grid``.
2. A dose-grid voxel belongs to the plane when its centre is inside the plane's contours by
   the even-odd rule, so holes and disjoint parts need no special handling. The test is a
   horizontal scan line through each row of voxel centres (edges crossing the line are
   half-open in y; a centre exactly on a crossing counts as outside).
3. Each selected voxel stands for a slab ``pixel area x plane thickness``; the thickness is
   the smallest spacing between consecutive contour planes (dicompyler-core's convention;
   the dose-grid frame spacing for a single-plane structure), or ``slab_thickness_mm``.
   No end-capping: the structure extends half a slab beyond its first and last plane.
4. Doses are binned (``floor(dose/bin_width)``) into a differential histogram of volumes,
   then accumulated into a cumulative DVH. Exact voxel mean/min/max are kept besides.

Only axial, non-rotated dose grids are handled (ImageOrientationPatient 1,0,0,0,1,0);
the DICOM reader refuses anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from abscopal.errors import InputError
from abscopal.radiation.dvh import CumulativeDVH

FloatArray = NDArray[np.float64]
VOXEL_DVH_METHOD = (
    "abscopal voxel DVH: even-odd voxel-centre rasterisation per contour plane, linear "
    "z-interpolation of dose, slab = smallest contour-plane spacing, no end-capping"
)
_Z_TOLERANCE_MM = 0.01


@dataclass(frozen=True, eq=False)
class DoseGrid:
    """A 3-D dose grid on an axial, non-rotated lattice.

    Attributes
    ----------
    dose : ndarray, shape (frames, rows, columns)
        Dose per voxel (Gy unless ``dose_units`` says RELATIVE).
    x_mm : ndarray, shape (columns,)
        x of the voxel-centre columns, strictly increasing.
    y_mm : ndarray, shape (rows,)
        y of the voxel-centre rows, strictly increasing.
    z_mm : ndarray, shape (frames,)
        z of the frames, strictly increasing.
    dose_units : str
        DICOM DoseUnits, ``"GY"`` or ``"RELATIVE"``.
    """

    dose: FloatArray
    x_mm: FloatArray
    y_mm: FloatArray
    z_mm: FloatArray
    dose_units: str = "GY"

    @classmethod
    def from_arrays(
        cls, dose: ArrayLike, *, x_mm: ArrayLike, y_mm: ArrayLike, z_mm: ArrayLike,
        dose_units: str = "GY",
    ) -> DoseGrid:
        """Check shapes and orderings, sort frames by z, and build the grid."""
        arr = np.asarray(dose, dtype=np.float64)
        xs = np.asarray(x_mm, dtype=np.float64).ravel()
        ys = np.asarray(y_mm, dtype=np.float64).ravel()
        zs = np.asarray(z_mm, dtype=np.float64).ravel()
        if arr.ndim != 3 or arr.shape != (zs.size, ys.size, xs.size):
            raise InputError(
                "'dose' must have shape (len(z_mm), len(y_mm), len(x_mm)) = "
                f"{(zs.size, ys.size, xs.size)} (got {arr.shape})"
            )
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InputError("'dose' must be finite and >= 0 everywhere")
        for name, axis in (("x_mm", xs), ("y_mm", ys)):
            if axis.size > 1 and np.any(np.diff(axis) <= 0):
                raise InputError(f"'{name}' must be strictly increasing")
        order = np.argsort(zs)
        zs, arr = zs[order], arr[order]
        if zs.size > 1 and np.any(np.diff(zs) <= 0):
            raise InputError("'z_mm' must not repeat a frame position")
        return cls(dose=arr, x_mm=xs, y_mm=ys, z_mm=zs, dose_units=dose_units)

    @property
    def pixel_area_mm2(self) -> float:
        """Area of one voxel face (mm2); the grid must be regular in x and y."""
        dx = float(self.x_mm[1] - self.x_mm[0]) if self.x_mm.size > 1 else 1.0
        dy = float(self.y_mm[1] - self.y_mm[0]) if self.y_mm.size > 1 else 1.0
        return dx * dy

    def plane_at(self, z_mm: float) -> FloatArray | None:
        """Dose on the plane z (linear between frames), or None outside the grid's z-range."""
        zs = self.z_mm
        if z_mm < zs[0] - _Z_TOLERANCE_MM or z_mm > zs[-1] + _Z_TOLERANCE_MM:
            return None
        k = int(np.searchsorted(zs, z_mm))
        if k < zs.size and abs(zs[k] - z_mm) <= _Z_TOLERANCE_MM:
            return np.asarray(self.dose[k], dtype=np.float64)
        if k > 0 and abs(zs[k - 1] - z_mm) <= _Z_TOLERANCE_MM:
            return np.asarray(self.dose[k - 1], dtype=np.float64)
        f = (z_mm - zs[k - 1]) / (zs[k] - zs[k - 1])
        return np.asarray((1.0 - f) * self.dose[k - 1] + f * self.dose[k], dtype=np.float64)


@dataclass(frozen=True)
class VoxelDvhResult:
    """A structure's DVH from the voxel calculation, with exact voxel statistics.

    ``mean_gy``/``min_gy``/``max_gy`` come from the voxel doses themselves (no binning);
    the DVH metrics come from ``dvh`` (binned, interpolated).
    """

    dvh: CumulativeDVH
    volume_cc: float
    mean_gy: float
    min_gy: float
    max_gy: float
    voxel_count: int
    slab_thickness_mm: float
    planes: int
    planes_outside_grid: int
    extends_outside_grid: bool
    bin_width_gy: float
    method: str = VOXEL_DVH_METHOD


def compute_inside_mask(
    polygons: Sequence[FloatArray], *, x_mm: FloatArray, y_mm: FloatArray
) -> NDArray[np.bool_]:
    """Voxel centres (rows = y, columns = x) inside ``polygons`` by the even-odd rule.

    Each polygon is an (N, 2) array of (x, y) vertices, implicitly closed. Parity over all
    polygons of the plane, so an inner contour is a hole.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    >>> compute_inside_mask([square], x_mm=np.array([-0.5, 0.5, 1.5, 2.5]),
    ...                     y_mm=np.array([0.5, 1.5])).astype(int).tolist()
    [[0, 1, 1, 0], [0, 1, 1, 0]]
    """
    rows, cols = y_mm.size, x_mm.size
    toggles = np.zeros((rows, cols + 1), dtype=np.int64)
    for poly in polygons:
        p = np.asarray(poly, dtype=np.float64)
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 3:
            continue  # fewer than 3 vertices encloses nothing
        x0, y0 = p[:, 0], p[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        # Edge e crosses row r when exactly one end lies above the scan line (half-open).
        above0 = y0[:, None] > y_mm[None, :]
        above1 = y1[:, None] > y_mm[None, :]
        e_idx, r_idx = np.nonzero(above0 != above1)
        if e_idx.size == 0:
            continue
        t = (y_mm[r_idx] - y0[e_idx]) / (y1[e_idx] - y0[e_idx])
        x_cross = x0[e_idx] + t * (x1[e_idx] - x0[e_idx])
        # A crossing toggles every centre strictly to its left.
        n_left = np.searchsorted(x_mm, x_cross, side="left")
        np.add.at(toggles, (r_idx, np.zeros_like(r_idx)), 1)
        np.add.at(toggles, (r_idx, n_left), -1)
    counts = np.cumsum(toggles[:, :cols], axis=1)
    inside: NDArray[np.bool_] = (counts % 2) == 1
    return inside


def _group_planes(
    contours: Sequence[tuple[float, ArrayLike]],
) -> list[tuple[float, list[FloatArray]]]:
    planes: list[tuple[float, list[FloatArray]]] = []
    for i, item in enumerate(contours):
        try:
            z, pts = item
            z = float(z)
        except (TypeError, ValueError) as exc:
            raise InputError(f"'contours[{i}]' must be a (z_mm, points) pair (got {item!r})") from exc
        arr = np.asarray(pts, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(
                f"'contours[{i}]' points must be an (N, 2) array of x, y in mm (got shape "
                f"{arr.shape})"
            )
        for zz, polys in planes:
            if abs(zz - z) <= _Z_TOLERANCE_MM:
                polys.append(arr)
                break
        else:
            planes.append((z, [arr]))
    planes.sort(key=lambda p: p[0])
    return planes


def compute_voxel_dvh(
    grid: DoseGrid,
    contours: Sequence[tuple[float, ArrayLike]],
    *,
    bin_width_gy: float = 0.01,
    slab_thickness_mm: float | None = None,
    name: str = "",
) -> VoxelDvhResult:
    """Compute a structure's cumulative DVH by rasterising its contours onto the dose grid.

    Parameters
    ----------
    grid : DoseGrid
        The dose.
    contours : sequence of (z_mm, points)
        Closed planar contours; ``points`` is (N, 2) x, y in mm. Several contours on one z
        combine by the even-odd rule.
    bin_width_gy : float, default 0.01
        Histogram bin width (Gy); 0.01 matches Eclipse's and dicompyler-core's bins.
    slab_thickness_mm : float, optional
        Override the slab thickness (default: smallest spacing between contour planes).
    name : str
        Structure name carried into the DVH.

    Returns
    -------
    VoxelDvhResult
        An empty structure (no contours, or no voxel centre inside) gives a DVH of volume 0.

    Rules
    -----
    See the module docstring (steps 1-4).
    """
    if not isinstance(grid, DoseGrid):
        raise InputError(f"'grid' must be a DoseGrid (got {type(grid).__name__})")
    if not bin_width_gy > 0:
        raise InputError(f"'bin_width_gy' must be > 0 (got {bin_width_gy!r})")
    planes = _group_planes(contours)
    zs = [z for z, _ in planes]
    if slab_thickness_mm is not None:
        if not slab_thickness_mm > 0:
            raise InputError(f"'slab_thickness_mm' must be > 0 (got {slab_thickness_mm!r})")
        thickness = float(slab_thickness_mm)
    elif len(zs) > 1:
        thickness = float(np.min(np.diff(zs)))
    elif grid.z_mm.size > 1:
        thickness = float(np.min(np.diff(grid.z_mm)))
    else:
        thickness = 0.0
    voxel_cc = grid.pixel_area_mm2 * thickness / 1000.0
    half_dx = float(grid.x_mm[1] - grid.x_mm[0]) / 2.0 if grid.x_mm.size > 1 else 0.5
    half_dy = float(grid.y_mm[1] - grid.y_mm[0]) / 2.0 if grid.y_mm.size > 1 else 0.5
    xmin, xmax = grid.x_mm[0] - half_dx, grid.x_mm[-1] + half_dx
    ymin, ymax = grid.y_mm[0] - half_dy, grid.y_mm[-1] + half_dy
    doses: list[FloatArray] = []
    outside_planes = 0
    extends_outside = False
    for z, polys in planes:
        plane = grid.plane_at(z)
        if plane is None:
            outside_planes += 1
            extends_outside = True
            continue
        for p in polys:
            if p[:, 0].min() < xmin or p[:, 0].max() > xmax or p[:, 1].min() < ymin \
                    or p[:, 1].max() > ymax:
                extends_outside = True
        mask = compute_inside_mask(polys, x_mm=grid.x_mm, y_mm=grid.y_mm)
        doses.append(plane[mask])
    values = np.concatenate(doses) if doses else np.zeros(0)
    n = int(values.size)
    if n == 0 or voxel_cc <= 0:
        empty = CumulativeDVH.from_points([0.0, bin_width_gy], [0.0, 0.0], name=name,
                                          source=VOXEL_DVH_METHOD, dose_units=grid.dose_units)
        return VoxelDvhResult(empty, 0.0, 0.0, 0.0, 0.0, 0, thickness, len(planes),
                              outside_planes, extends_outside, float(bin_width_gy))
    # The tiny guard keeps doses that are exact multiples of the bin width in their own bin.
    idx = np.floor(values / bin_width_gy * (1.0 + 1e-12)).astype(np.int64)
    counts = np.bincount(idx) * voxel_cc
    edges = np.arange(counts.size + 1) * float(bin_width_gy)
    dvh = CumulativeDVH.from_differential(edges, counts, name=name, source=VOXEL_DVH_METHOD,
                                          dose_units=grid.dose_units)
    return VoxelDvhResult(
        dvh=dvh,
        volume_cc=n * voxel_cc,
        mean_gy=float(values.mean()),
        min_gy=float(values.min()),
        max_gy=float(values.max()),
        voxel_count=n,
        slab_thickness_mm=thickness,
        planes=len(planes),
        planes_outside_grid=outside_planes,
        extends_outside_grid=extends_outside,
        bin_width_gy=float(bin_width_gy),
    )


__all__ = ["VOXEL_DVH_METHOD", "DoseGrid", "VoxelDvhResult", "compute_inside_mask",
           "compute_voxel_dvh"]
