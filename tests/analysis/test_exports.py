"""The analysis package's public surface: sorted __all__, importable names, runnable examples."""

from __future__ import annotations

import doctest
import importlib

import pytest

import abscopal.analysis as analysis

MODULES = ["cox", "endpoints", "km", "logrank", "proportions"]


def test_all_is_sorted_and_importable() -> None:
    assert analysis.__all__ == sorted(analysis.__all__)
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"abscopal.analysis.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
