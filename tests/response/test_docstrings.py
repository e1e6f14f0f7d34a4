"""The Examples in the response modules' docstrings run and show their result."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["confirm", "recist11", "baseline", "evaluate"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    mod = importlib.import_module(f"abscopal.response.{name}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_guide_examples_run() -> None:
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "guides" / "response.md"
    result = doctest.testfile(str(guide), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
