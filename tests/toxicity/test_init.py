"""The toxicity package's public names, and the runnable docstring examples."""

from __future__ import annotations

import doctest

import abscopal.toxicity as tox
from abscopal.toxicity import ctcae


def test_all_is_sorted_and_exported() -> None:
    assert list(tox.__all__) == sorted(tox.__all__, key=lambda s: (not s.isupper(), s))
    for name in tox.__all__:
        assert hasattr(tox, name), name


def test_docstring_examples_run() -> None:
    result = doctest.testmod(ctcae)
    assert result.attempted >= 3 and result.failed == 0
