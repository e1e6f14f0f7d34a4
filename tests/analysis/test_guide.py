"""The examples in docs/guides/analysis.md run and print what the guide says."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guides" / "analysis.md"


def test_analysis_guide_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the guide reads tests/golden/analysis/lung.csv
    # Markdown fences would read as expected output; blank them so each example ends there.
    text = "\n".join("" if line.startswith("```") else line
                     for line in GUIDE.read_text(encoding="utf-8").splitlines())
    test = doctest.DocTestParser().get_doctest(text, {}, "analysis.md", str(GUIDE), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 10
    assert result.failed == 0
