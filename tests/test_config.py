"""Settings: one table feeds the model and the docs (every setting is documented)."""

from __future__ import annotations

from pathlib import Path

from abscopal.config import SETTINGS, Settings

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guides" / "service.md"


def test_settings_table_matches_the_model() -> None:
    fields = Settings.model_fields
    assert [s.name for s in SETTINGS] == list(fields)
    for s in SETTINGS:
        assert fields[s.name].default == s.default, s.name


def test_every_setting_is_documented_in_the_service_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert missing == []


def test_settings_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ABSCOPAL_LOCKOUT_THRESHOLD", "3")
    monkeypatch.setenv("ABSCOPAL_DATABASE_URL", "sqlite:///x.db")
    s = Settings()
    assert (s.lockout_threshold, s.database_url) == (3, "sqlite:///x.db")
