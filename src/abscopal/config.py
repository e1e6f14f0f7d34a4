"""Service settings, read from the environment (prefix ``ABSCOPAL_``) with documented defaults.

Every setting is one row of :data:`SETTINGS` so help text, docs and a docs-completeness test share
one source (style guide §8).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


@dataclass(frozen=True)
class Setting:
    """One documented setting: environment name, default and help text."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///abscopal.db",
            "SQLAlchemy URL: sqlite:///path.db (embedded) or postgresql+psycopg://user@host/db"),
    Setting("sqlite_busy_timeout_ms", 10_000,
            "How long a SQLite writer waits for the write lock before failing"),
    Setting("sqlite_synchronous", "FULL",
            "SQLite PRAGMA synchronous (FULL survives power loss; NORMAL only process crashes)"),
    Setting("lockout_threshold", 5, "Consecutive failed logins that lock an account"),
    Setting("lockout_minutes", 15, "How long a locked account stays locked"),
    Setting("token_ttl_minutes", 12 * 60, "Lifetime of an API bearer token"),
    Setting("session_ttl_minutes", 8 * 60, "Lifetime of a web session (cookie)"),
    Setting("secure_cookies", True, "Mark the session cookie Secure (HTTPS only); off for local dev"),
    Setting("argon2_time_cost", 3, "argon2id iterations (RFC 9106 second recommended option)"),
    Setting("argon2_memory_kib", 65_536, "argon2id memory in KiB (64 MiB)"),
    Setting("db_pool_size", 20, "Connection pool size (PostgreSQL)"),
)


class Settings(BaseSettings):
    """Runtime configuration of the trial service (``ABSCOPAL_<NAME>`` environment variables)."""

    model_config = SettingsConfigDict(env_prefix="ABSCOPAL_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///abscopal.db"
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    sqlite_synchronous: str = Field(default="FULL", pattern="^(FULL|NORMAL|EXTRA)$")
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1)
    session_ttl_minutes: int = Field(default=8 * 60, ge=1)
    secure_cookies: bool = True
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=64)
    db_pool_size: int = Field(default=20, ge=1)


__all__ = ["SETTINGS", "Setting", "Settings"]
