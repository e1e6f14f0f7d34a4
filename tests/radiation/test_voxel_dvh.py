"""abscopal's voxel DVH on in-memory grids with analytically known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from abscopal.errors import InputError
from abscopal.radiation.dvh import compute_dose_at_volume_percent, compute_dvh_summary
from abscopal.radiation.voxel_dvh import DoseGrid, compute_inside_mask, compute_voxel_dvh


def _square(x0, x1, y0, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def _grid(dose, dx=1.0, dy=1.0, dz=1.0):
    f, r, c = dose.shape
    return DoseGrid.from_arrays(dose, x_mm=np.arange(c) * dx + dx / 2,
                                y_mm=np.arange(r) * dy + dy / 2, z_mm=np.arange(f) * dz)


class TestInsideMask:
    X = np.arange(6) + 0.5  # centres 0.5 .. 5.5
    Y = np.arange(6) + 0.5

    def test_square(self):
        m = compute_inside_mask([_square(1, 4, 2, 5)], x_mm=self.X, y_mm=self.Y)
        assert m.sum() == 9 and m[2:5, 1:4].all()

    def test_hole_by_even_odd(self):
        # 6x6 outer minus 2x2 inner: 36 - 4 = 32 centres
        m = compute_inside_mask([_square(0, 6, 0, 6), _square(2, 4, 2, 4)], x_mm=self.X,
                                y_mm=self.Y)
        assert m.sum() == 32 and not m[2:4, 2:4].any()

    def test_triangle(self):
        # Right triangle (0,0)-(6,0)-(0,6): centre (i+.5, j+.5) inside iff i + j + 1 < 6 -> 15
        tri = np.array([[0, 0], [6, 0], [0, 6]], dtype=float)
        assert compute_inside_mask([tri], x_mm=self.X, y_mm=self.Y).sum() == 15

    def test_vertex_order_does_not_matter(self):
        a = compute_inside_mask([_square(1, 4, 2, 5)], x_mm=self.X, y_mm=self.Y)
        b = compute_inside_mask([_square(1, 4, 2, 5)[::-1]], x_mm=self.X, y_mm=self.Y)
        assert (a == b).all()

    def test_degenerate_polygon_encloses_nothing(self):
        line = np.array([[0, 0], [5, 5]], dtype=float)
        assert not compute_inside_mask([line], x_mm=self.X, y_mm=self.Y).any()


class TestBox:
    def test_box_volume_and_uniform_dose(self):
        dose = np.full((6, 10, 10), 2.0)
        planes = [(z, _square(2, 8, 2, 8)) for z in (1.0, 2.0, 3.0, 4.0)]
        r = compute_voxel_dvh(_grid(dose), planes, name="box")
        # 6 x 6 centres x 4 planes x 1 mm3 = 0.144 cm3
        assert r.voxel_count == 144 and r.volume_cc == pytest.approx(0.144)
        assert (r.mean_gy, r.min_gy, r.max_gy) == (2.0, 2.0, 2.0)
        assert r.slab_thickness_mm == 1.0 and r.planes == 4 and not r.extends_outside_grid
        s = compute_dvh_summary(r.dvh, prescription_gy=2.0)
        assert s.volume_percent_of_prescription[100.0] == pytest.approx(100.0)

    def test_linear_z_interpolation_between_frames(self):
        # dose = z (Gy) on frames z = 0..5; contour planes half-way between frames.
        dose = np.broadcast_to(np.arange(6.0)[:, None, None], (6, 4, 4)).copy()
        planes = [(z, _square(0, 4, 0, 4)) for z in (0.5, 1.5, 2.5)]
        r = compute_voxel_dvh(_grid(dose), planes)
        assert r.mean_gy == pytest.approx(1.5) and r.min_gy == 0.5 and r.max_gy == 2.5

    def test_planes_outside_grid_are_flagged_and_not_counted(self):
        dose = np.ones((3, 4, 4))
        planes = [(z, _square(0, 4, 0, 4)) for z in (1.0, 2.0, 3.0, 4.0)]
        r = compute_voxel_dvh(_grid(dose), planes)
        assert r.planes_outside_grid == 2 and r.extends_outside_grid
        assert r.voxel_count == 32

    def test_in_plane_overhang_is_flagged(self):
        r = compute_voxel_dvh(_grid(np.ones((2, 4, 4))), [(0.0, _square(-3, 2, 0, 2))])
        assert r.extends_outside_grid and r.voxel_count == 4

    def test_single_plane_uses_frame_spacing(self):
        r = compute_voxel_dvh(_grid(np.ones((3, 4, 4)), dz=2.5), [(2.5, _square(0, 4, 0, 4))])
        assert r.slab_thickness_mm == 2.5 and r.volume_cc == pytest.approx(16 * 2.5 / 1000)

    def test_empty_structure(self):
        r = compute_voxel_dvh(_grid(np.ones((2, 4, 4))), [])
        assert r.volume_cc == 0.0 and r.dvh.is_empty


class TestSphere:
    def test_sphere_volume_within_discretisation_tolerance(self):
        # r = 10 mm sphere, 1 mm voxels and planes: analytic 4/3*pi*1000 mm3 = 4.18879 cm3
        n = 24
        dose = np.full((n, n, n), 5.0)
        grid = DoseGrid.from_arrays(dose, x_mm=np.arange(n) - 11.5, y_mm=np.arange(n) - 11.5,
                                    z_mm=np.arange(n) - 11.5)
        angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
        planes = []
        for z in np.arange(n) - 11.5:
            if abs(z) < 10:
                rr = math.sqrt(100 - z * z)
                planes.append((z, np.column_stack((rr * np.cos(angles), rr * np.sin(angles)))))
        r = compute_voxel_dvh(grid, planes)
        assert r.volume_cc == pytest.approx(4 / 3 * math.pi, rel=0.02)
        assert compute_dose_at_volume_percent(r.dvh, 90) == pytest.approx(5.0, abs=0.01)


class TestBadInput:
    def test_shape_mismatch(self):
        with pytest.raises(InputError, match=r"'dose' must have shape"):
            DoseGrid.from_arrays(np.ones((2, 3, 4)), x_mm=[0, 1, 2], y_mm=[0, 1, 2], z_mm=[0, 1])

    def test_negative_dose(self):
        with pytest.raises(InputError, match=">= 0"):
            DoseGrid.from_arrays(-np.ones((1, 1, 1)), x_mm=[0], y_mm=[0], z_mm=[0])

    def test_frames_are_sorted(self):
        g = DoseGrid.from_arrays(np.arange(2.0).reshape(2, 1, 1), x_mm=[0], y_mm=[0],
                                 z_mm=[5, -5])
        assert g.z_mm.tolist() == [-5, 5] and g.dose[:, 0, 0].tolist() == [1.0, 0.0]

    def test_bad_contour(self):
        with pytest.raises(InputError, match=r"'contours\[0\]' points must be an \(N, 2\)"):
            compute_voxel_dvh(_grid(np.ones((2, 2, 2))), [(0.0, np.zeros((3, 3)))])

    def test_bad_bin_width(self):
        with pytest.raises(InputError, match="'bin_width_gy' must be > 0"):
            compute_voxel_dvh(_grid(np.ones((2, 2, 2))), [], bin_width_gy=0)
