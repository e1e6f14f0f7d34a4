"""Fixtures for the web tests: a seeded SQLite database (the service's test trial plus the five
seed trials) and logged-in TestClients per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from abscopal.store import accounts, repo
from abscopal.store.audit import SYSTEM
from abscopal.store.models import User
from abscopal.web import create_web_app
from service_support import Seeded, fast_settings, migrated, seed

TRIALS_DIR = Path(__file__).resolve().parents[2] / "src" / "abscopal" / "datasets" / "trials"


def seed_web(seeded: Seeded) -> dict[str, int]:
    """Add the five seed trials to a service-seeded database; registry id -> trial id."""
    out = {}
    with seeded.db.writing() as session:
        other = session.get(User, seeded.user_ids["investigator_b"])
        seeded.passwords["investigator_b"] = "site-b-password-123"
        accounts.set_password(session, seeded.settings, actor=SYSTEM, user=other,
                              password=seeded.passwords["investigator_b"], reason="web test seed")
        for path in sorted(TRIALS_DIR.glob("*.yaml")):
            trial = repo.create_trial(session, actor=SYSTEM, protocol_yaml=path.read_text())
            out[trial.registry_id] = trial.id
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, dict[str, int]]]:
    path: Path = tmp_path_factory.mktemp("web") / "trial.db"
    settings = fast_settings(f"sqlite:///{path}")
    db = migrated(settings)
    seeded = seed(db, settings)
    trials = seed_web(seeded)
    yield seeded, trials
    db.dispose()


@pytest.fixture(scope="module")
def seeded(world: tuple[Seeded, dict[str, int]]) -> Seeded:
    return world[0]


@pytest.fixture(scope="module")
def app(seeded: Seeded):  # type: ignore[no-untyped-def]
    return create_web_app(seeded.settings, database=seeded.db)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: TestClient, username: str, password: str) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(page.text), "next": "/trials"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


@pytest.fixture(scope="module")
def client_for(app, seeded: Seeded) -> Iterator[Callable[[str], TestClient]]:  # type: ignore[no-untyped-def]
    clients: dict[str, TestClient] = {}

    def make(role: str) -> TestClient:
        if role not in clients:
            c = TestClient(app)
            c.__enter__()
            username = f"u_{role}"
            login(c, username, seeded.passwords[role])
            clients[role] = c
        return clients[role]

    yield make
    for c in clients.values():
        c.__exit__(None, None, None)
