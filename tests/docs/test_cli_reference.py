"""The checked-in CLI reference lists every command and option of the current code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_cli_reference",
                                                  ROOT / "tools" / "gen_cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    tool = _tool()
    current = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert current == tool.render(), "run: python tools/gen_cli_reference.py"


def test_cli_reference_names_every_group() -> None:
    text = _tool().render()
    for group in ("protocol", "response", "ctcae", "dose", "randomisation", "calendar"):
        assert f"`abscopal {group}`" in text
