"""Shared fixtures for the analysis tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "analysis"


@pytest.fixture(scope="session")
def lung() -> pd.DataFrame:
    """survival::lung exported from R 4.2.2 / survival 3.5.3 (see the CSV header)."""
    df = pd.read_csv(GOLDEN / "lung.csv", comment="#")
    df["event"] = df["status"] - 1  # R codes 1 = censored, 2 = dead
    return df
