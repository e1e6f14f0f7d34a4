"""``abscopal.radiation`` re-exports a sorted ``__all__`` of names that exist (style guide §4)."""

from __future__ import annotations

import abscopal.radiation as radiation
from abscopal.radiation import dvh, implant, lq, lymphocyte, voxel_dvh


def _isort_key(name: str) -> tuple[int, str]:
    # isort/ruff RUF022 order: CONSTANTS, then Classes, then functions
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_resolves():
    assert radiation.__all__ == sorted(radiation.__all__, key=_isort_key)
    assert all(hasattr(radiation, name) for name in radiation.__all__)


def test_every_public_module_name_is_re_exported_or_module_level_only():
    module_only = {"LQ_HIGH_DOSE_PER_FRACTION_GY", "LQ_LOW_DOSE_PER_FRACTION_GY", "LQ_SOURCE",
                   "IMPLANT_SOURCE", "VOXEL_DVH_METHOD", "compute_inside_mask"}
    for module in (dvh, implant, lq, lymphocyte, voxel_dvh):
        assert module.__all__ == sorted(module.__all__, key=_isort_key)
        missing = set(module.__all__) - set(radiation.__all__) - module_only
        assert missing == set(), module.__name__
