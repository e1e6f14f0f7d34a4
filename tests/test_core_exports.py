"""Core subpackages list their public names in a sorted ``__all__`` that resolves, and the
examples in their docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = [
    "abscopal.protocol",
    "abscopal.randomisation",
    "abscopal.calendar",
    "abscopal.design",
    "abscopal.analysis",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # isort-style (ruff RUF022): CONSTANTS, then Classes, then functions, each alphabetical.
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper()
                                                      else 2, n))
    assert [n for n in exported if not hasattr(module, n)] == []


def _modules() -> list[str]:
    out = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        out += [f"{name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    return sorted(out)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
