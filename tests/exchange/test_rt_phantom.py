"""The synthetic RT Dose / RT Structure Set generator writes valid, exactly readable files."""

from __future__ import annotations

import math

import numpy as np
import pydicom
import pytest

from abscopal.errors import InputError
from abscopal.exchange.rt_phantom import (
    PhantomStructure,
    make_box_contours,
    make_rt_dose_dataset,
    make_sphere_contours,
    write_phantom,
)


def test_box_contours():
    (z, pts), = make_box_contours((0, 2), (1, 3), [5.0])
    assert z == 5.0 and pts.tolist() == [[0, 1], [2, 1], [2, 3], [0, 3]]


def test_sphere_contours_skip_planes_outside_and_have_right_radius():
    planes = make_sphere_contours((0, 0, 0), 5.0, [-6.0, -3.0, 0.0, 5.0], points=8)
    assert [z for z, _ in planes] == [-3.0, 0.0]  # |z| = 5 touches, contributes nothing
    radii = np.hypot(*planes[0][1].T)
    assert radii == pytest.approx(np.full(8, 4.0))  # sqrt(25 - 9)


def test_written_files_are_standard_dicom(tmp_path):
    dose = np.arange(24.0).reshape(2, 3, 4) / 10
    paths = write_phantom(tmp_path, dose, [PhantomStructure("A", make_box_contours((0, 1), (0, 1),
                                                                                     [0.0]))],
                          origin_mm=(0, 0, 0), spacing_mm=(2, 3, 4))
    rd = pydicom.dcmread(paths[0])  # no force=True: preamble and file meta present
    rs = pydicom.dcmread(paths[1])
    assert (rd.Modality, rs.Modality) == ("RTDOSE", "RTSTRUCT")
    assert rd.FrameOfReferenceUID == rs.StructureSetROISequence[0].ReferencedFrameOfReferenceUID
    assert [float(v) for v in rd.PixelSpacing] == [3.0, 2.0]  # row, column spacing
    assert rd.pixel_array.shape == (2, 3, 4)
    stored = rd.pixel_array * float(rd.DoseGridScaling)
    assert np.abs(stored - dose).max() <= 1e-4 / 2 + 1e-12
    assert not math.isnan(stored.sum())


def test_refuses_negative_dose():
    with pytest.raises(InputError, match="doses >= 0"):
        make_rt_dose_dataset(-np.ones((1, 1, 1)), origin_mm=(0, 0, 0), spacing_mm=(1, 1, 1),
                             frame_of_reference_uid="1.2.3")
