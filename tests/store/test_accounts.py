"""Accounts: argon2 passwords, lockout, hashed tokens, sessions with CSRF, first-run admin."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from abscopal.errors import AuthenticationError, InputError, StoreError
from abscopal.store import accounts
from abscopal.store.audit import SYSTEM
from abscopal.store.models import AuthToken, User, utcnow
from service_support import Seeded, fast_settings, migrated


def test_login_with_the_right_password(seeded: Seeded) -> None:
    user = accounts.authenticate(seeded.db, seeded.settings, username="u_monitor",
                                 password=seeded.passwords["monitor"])
    assert user.role == "monitor"


def test_password_is_stored_as_argon2id(seeded: Seeded) -> None:
    with seeded.db.reading() as session:
        stored = session.execute(select(User.password_hash).where(User.username == "u_admin")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert seeded.passwords["admin"] not in stored


@pytest.mark.parametrize(("username", "password"), [("u_monitor", "wrong"), ("nobody", "x")])
def test_failures_share_one_message(seeded: Seeded, username: str, password: str) -> None:
    with pytest.raises(AuthenticationError, match="^invalid credentials, or the account is locked$"):
        accounts.authenticate(seeded.db, seeded.settings, username=username, password=password)


def test_lockout_after_threshold_then_even_the_right_password_fails(seeded: Seeded) -> None:
    settings = dataclasses.replace(seeded.settings) if False else seeded.settings
    for _ in range(settings.lockout_threshold):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(seeded.db, settings, username="u_monitor", password="bad")
    with pytest.raises(AuthenticationError):
        accounts.authenticate(seeded.db, settings, username="u_monitor", password=seeded.passwords["monitor"])
    with seeded.db.reading() as session:
        locked = session.execute(select(User.locked_until).where(User.username == "u_monitor")).scalar_one()
    assert locked is not None and locked > utcnow()


def test_success_before_threshold_resets_the_counter(seeded: Seeded) -> None:
    for _ in range(seeded.settings.lockout_threshold - 1):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(seeded.db, seeded.settings, username="u_monitor", password="bad")
    accounts.authenticate(seeded.db, seeded.settings, username="u_monitor", password=seeded.passwords["monitor"])
    with seeded.db.reading() as session:
        failed = session.execute(select(User.failed_logins).where(User.username == "u_monitor")).scalar_one()
    assert failed == 0


def test_tokens_are_stored_hashed_and_resolve(seeded: Seeded) -> None:
    raw = seeded.tokens["monitor"]
    with seeded.db.reading() as session:
        hashes = list(session.execute(select(AuthToken.token_hash)).scalars())
        assert raw not in hashes and accounts.token_digest(raw) in hashes
        user, _ = accounts.resolve_token(session, raw, kind="bearer")
        assert user.username == "u_monitor"
        with pytest.raises(AuthenticationError):
            accounts.resolve_token(session, raw, kind="session")


def test_revoked_and_expired_tokens_fail(seeded: Seeded) -> None:
    with seeded.db.writing() as session:
        accounts.revoke_token(session, seeded.tokens["monitor"])
        issued = accounts.issue_token(session, seeded.settings, user_id=seeded.user_ids["admin"], kind="bearer")
        row = session.execute(select(AuthToken).where(
            AuthToken.token_hash == accounts.token_digest(issued.token))).scalar_one()
        row.expires_at = utcnow()
    with seeded.db.reading() as session:
        for raw in (seeded.tokens["monitor"], issued.token):
            with pytest.raises(AuthenticationError):
                accounts.resolve_token(session, raw, kind="bearer")


def test_session_carries_a_csrf_token(seeded: Seeded) -> None:
    with seeded.db.writing() as session:
        issued = accounts.issue_token(session, seeded.settings, user_id=seeded.user_ids["admin"], kind="session")
    assert issued.csrf_token
    with seeded.db.reading() as session:
        _, row = accounts.resolve_token(session, issued.token, kind="session")
        assert accounts.check_csrf(row, issued.csrf_token)
        assert not accounts.check_csrf(row, "forged")
        assert not accounts.check_csrf(row, None)


def test_site_roles_need_a_site(seeded: Seeded) -> None:
    with pytest.raises(InputError, match="'site_ids' must list at least one site for role 'coordinator'"), \
            seeded.db.writing() as session:
        accounts.create_user(session, seeded.settings, actor=SYSTEM, username="c2", role="coordinator")


def test_first_run_creates_admin_with_random_password_once(tmp_path: Path) -> None:
    settings = fast_settings(f"sqlite:///{tmp_path / 'fresh.db'}")
    db = migrated(settings)
    name, password = accounts.initialise(db, settings)
    assert name == "admin" and len(password) >= 20
    assert accounts.authenticate(db, settings, username="admin", password=password).role == "admin"
    with pytest.raises(StoreError, match="already initialised"):
        accounts.initialise(db, settings)
    other = fast_settings(f"sqlite:///{tmp_path / 'other.db'}")
    db2 = migrated(other)
    assert accounts.initialise(db2, other)[1] != password
    db.dispose()
    db2.dispose()
