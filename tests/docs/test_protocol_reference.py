"""The checked-in protocol schema reference is current and generated deterministically."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "tools" / "gen_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_reference_is_current() -> None:
    page = ROOT / "docs" / "reference" / "protocol-schema.md"
    assert page.read_text(encoding="utf-8") == _generator().render(), (
        "docs/reference/protocol-schema.md is stale: run `make docs`"
    )


def test_rendering_is_deterministic() -> None:
    gen = _generator()
    assert gen.render() == gen.render()


def test_reference_documents_every_model_with_units_in_names() -> None:
    text = _generator().render()
    for heading in ("## Protocol", "## Fractionation", "## DrugIntervention", "## Masking"):
        assert heading in text
    assert "| `dose_per_fraction_gy` |" in text
    assert "| `window_before_days` |" in text
