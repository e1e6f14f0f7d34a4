"""Fixtures: dicompyler-core's example plan, fetched once from PyPI and cached outside the repo.

The files (10 MB RT Dose, 2 MB RT Structure Set) are third-party test data, so they are not
committed. They ship only in the dicompyler-core 0.5.6 *sdist* (tests/testdata/example_data);
the test session downloads it with pip into ``$ABSCOPAL_TEST_CACHE`` (default:
``<tmp>/abscopal-test-cache``), checks the sha256 sums published in dicom_rt.md, and reuses
the cache afterwards (offline). Without network and without a cache the dependent tests are
skipped with that reason.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

SDIST = "dicompyler-core-0.5.6.tar.gz"
SDIST_SHA256 = "0e3c05920a8fa3f1c0ff05a5c21dab3ff3f735e00012b69b38926b219d07faee"
MEMBERS = {
    # file: sha256 (../shared/domain/dicom_rt.md §2.2)
    "rtdose.dcm": "a78d4d7723e280b1baf8153a43583fda384a681428eca306b53ada37ef7d3123",
    "rtss.dcm": "8fe3e3a20d1acf911f5c284dc40288d46f97acd43e4a63753cd6e3e1dac398cb",
}
PREFIX = "dicompyler-core-0.5.6/tests/testdata/example_data/"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cache_dir() -> Path:
    base = os.environ.get("ABSCOPAL_TEST_CACHE") or str(
        Path(tempfile.gettempdir()) / "abscopal-test-cache"
    )
    return Path(base) / "dicompyler-core-0.5.6"


def _fetch(cache: Path) -> str | None:
    """Populate ``cache``; return None on success or the reason it could not be done."""
    if all((cache / f).is_file() and _sha256(cache / f) == h for f, h in MEMBERS.items()):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / SDIST
    # Download and extract into private temporary names, then rename atomically, so that
    # parallel workers (pytest-xdist) never see a half-written file.
    if not tarball.is_file():
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "dicompyler-core==0.5.6",
                   "--no-binary", ":all:", "--no-deps", "--quiet", "-d", tmp]
            try:
                subprocess.run(cmd, check=True, capture_output=True, timeout=180)
            except (subprocess.SubprocessError, OSError) as exc:
                return f"could not download {SDIST} from PyPI ({exc.__class__.__name__})"
            os.replace(Path(tmp) / SDIST, tarball)
    if _sha256(tarball) != SDIST_SHA256:
        return f"{tarball} has an unexpected sha256"
    with tarfile.open(tarball) as tar:
        for name in MEMBERS:
            src = tar.extractfile(PREFIX + name)
            if src is None:
                return f"{name} missing from {SDIST}"
            part = cache / f"{name}.{os.getpid()}.part"
            part.write_bytes(src.read())
            os.replace(part, cache / name)
    bad = [f for f, h in MEMBERS.items() if _sha256(cache / f) != h]
    return f"sha256 mismatch for {bad}" if bad else None


@pytest.fixture(scope="session")
def dicompyler_example() -> Path:
    """Folder holding dicompyler-core's example rtdose.dcm and rtss.dcm (verified)."""
    cache = _cache_dir()
    reason = _fetch(cache)
    if reason is not None:
        # CI has PyPI: there the comparison must run, so a missing download fails the suite.
        if os.environ.get("CI"):
            pytest.fail(f"dicompyler-core example data unavailable: {reason}")
        pytest.skip(f"dicompyler-core example data unavailable: {reason}")
    return cache
