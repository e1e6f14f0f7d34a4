"""The Examples sections of the radiation modules run and show their real results."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = [
    "abscopal.radiation.lq",
    "abscopal.radiation.implant",
    "abscopal.radiation.lymphocyte",
    "abscopal.radiation.dvh",
    "abscopal.radiation.voxel_dvh",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_guide_examples_run():
    guide = Path(__file__).resolve().parents[2] / "docs" / "guides" / "dose.md"
    result = doctest.testfile(str(guide), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 6
    assert result.failed == 0
