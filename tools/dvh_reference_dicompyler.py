"""Regenerate tests/golden/radiation/dicompyler_example_dvh.json (reference DVH numbers).

Run OUTSIDE the project venv: dicompyler-core 0.5.6 (latest release) imports
``pydicom.dicomio.read_file``, which pydicom 3 removed, so it needs ``pydicom<3``::

    python -m venv /tmp/dvenv
    /tmp/dvenv/bin/pip install "pydicom==2.4.4" dicompyler-core==0.5.6 matplotlib
    pip download dicompyler-core==0.5.6 --no-binary :all: --no-deps -d /tmp/c
    tar xzf /tmp/c/dicompyler-core-0.5.6.tar.gz -C /tmp/c
    /tmp/dvenv/bin/python tools/dvh_reference_dicompyler.py \
        /tmp/c/dicompyler-core-0.5.6/tests/testdata/example_data > \
        tests/golden/radiation/dicompyler_example_dvh.json

For every ROI of the example plan it records dicompyler-core's *calculated* DVH
(``dvhcalc.get_dvh`` with default options, and again with
``calculate_full_volume=False`` so that contour area outside the dose grid is not counted) and the DVH the planning system embedded in
the RT Dose (``DVH.from_dicom_dvh``), each summarised by volume, mean, min, max, D90,
D2cc, V100 and V150 of the 14 Gy prescription. Only dicompyler-core computes these
numbers; abscopal's own code is not imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pydicom
from dicompylercore import dicomparser, dvh, dvhcalc

RX_GY = 14.0


def _summary(d: dvh.DVH) -> dict[str, float]:
    d.rx_dose = RX_GY
    out = {
        "volume_cc": float(d.volume),
        "mean_gy": float(d.mean),
        "min_gy": float(d.min),
        "max_gy": float(d.max),
    }
    if d.volume > 0:
        out["d90_gy"] = float(d.D90.value)
        out["d2cc_gy"] = float(d.statistic("D2cc").value)
        out["v100_cc"] = float(d.V100.value)
        out["v150_cc"] = float(d.V150.value)
    return out


def main(folder: str) -> None:
    base = Path(folder)
    rtss_path, rtdose_path = str(base / "rtss.dcm"), str(base / "rtdose.dcm")
    rtss = dicomparser.DicomParser(rtss_path)
    rtdose_ds = pydicom.dcmread(rtdose_path)
    embedded_rois = {
        int(item.DVHReferencedROISequence[0].ReferencedROINumber)
        for item in rtdose_ds.DVHSequence
    }
    result: dict[str, object] = {
        "provenance": (
            "dicompyler-core 0.5.6 (PyPI sdist, tests/testdata/example_data) with pydicom "
            f"{pydicom.__version__}; produced by tools/dvh_reference_dicompyler.py"
        ),
        "rx_gy": RX_GY,
        "structures": {},
    }
    structures: dict[str, object] = {}
    for roi, s in sorted(rtss.GetStructures().items()):
        entry: dict[str, object] = {"name": s["name"]}
        calc = dvhcalc.get_dvh(rtss_path, rtdose_path, roi)
        entry["calculated"] = _summary(calc)
        in_grid = dvhcalc.get_dvh(rtss_path, rtdose_path, roi, calculate_full_volume=False)
        entry["calculated_in_grid"] = _summary(in_grid)
        if roi in embedded_rois:
            entry["embedded"] = _summary(dvh.DVH.from_dicom_dvh(rtdose_ds, roi))
        structures[str(roi)] = entry
    result["structures"] = structures
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
