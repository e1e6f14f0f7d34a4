"""The Examples in the design modules' docstrings run and show their results."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "abscopal.design.simon",
    "abscopal.design.single_stage",
    "abscopal.design.fisher",
    "abscopal.design.survival",
    "abscopal.design.simulate",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
