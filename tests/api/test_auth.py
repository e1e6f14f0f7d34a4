"""Login, bearer tokens, cookie sessions with CSRF, lockout, logout, password change."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service_support import Seeded, auth


def login(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}).status_code


def test_login_returns_a_working_bearer_token(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/v1/auth/login", json={"username": "u_statistician", "password": seeded.passwords["statistician"]})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["username"] == "u_statistician" and me.json()["role"] == "statistician"


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    a = client.post("/api/v1/auth/login", json={"username": "u_admin", "password": "nope"})
    b = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_lockout_after_repeated_failures(client: TestClient, seeded: Seeded) -> None:
    for _ in range(seeded.settings.lockout_threshold):
        assert login(client, "u_coordinator", "bad") == 401
    assert login(client, "u_coordinator", seeded.passwords["coordinator"]) == 401


def test_session_cookie_needs_csrf_for_unsafe_requests(client: TestClient, seeded: Seeded) -> None:
    web = TestClient(client.app)
    r = web.post("/api/v1/auth/session", json={"username": "u_investigator", "password": seeded.passwords["investigator"]})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    csrf = r.json()["csrf_token"]
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs"
    assert web.get(url).status_code == 200  # safe method: cookie alone is enough
    body = {"collected_on": "2026-01-09", "test": "alt", "value": 40, "unit": "U/L"}
    no_token = web.post(url, json=body)
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["error"]["message"]
    assert web.post(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert web.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    out = web.post("/api/v1/auth/session/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    web.cookies.set("abscopal_session", cookie.split(";")[0].split("=", 1)[1])
    assert web.get(url).status_code == 401


def test_logout_revokes_the_bearer_token(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/v1/auth/login", json={"username": "u_monitor", "password": seeded.passwords["monitor"]})
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401


def test_admin_creates_user_with_a_one_time_password(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/v1/users", headers=auth(seeded, "admin"),
                    json={"username": "new_coord", "role": "coordinator", "site_ids": [seeded.site_a]})
    assert r.status_code == 201
    password = r.json()["password"]
    assert login(client, "new_coord", password) == 200
    assert client.get(f"/api/v1/users/{r.json()['user']['id']}", headers=auth(seeded, "admin")).json().get("password") is None


def test_password_change_needs_the_current_one_and_revokes_tokens(client: TestClient, seeded: Seeded) -> None:
    created = client.post("/api/v1/users", headers=auth(seeded, "admin"),
                          json={"username": "pw_user", "role": "statistician"}).json()
    token = client.post("/api/v1/auth/login", json={"username": "pw_user", "password": created["password"]}).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    bad = client.post("/api/v1/auth/password", headers=h,
                      json={"current_password": "wrong", "new_password": "a-long-new-passphrase"})
    assert bad.status_code == 401
    ok = client.post("/api/v1/auth/password", headers=h,
                     json={"current_password": created["password"], "new_password": "a-long-new-passphrase"})
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
    assert login(client, "pw_user", "a-long-new-passphrase") == 200


def test_admin_cannot_demote_themselves(client: TestClient, seeded: Seeded) -> None:
    me = client.get("/api/v1/auth/me", headers=auth(seeded, "admin")).json()
    r = client.patch(f"/api/v1/users/{me['id']}", headers=auth(seeded, "admin"),
                     json={"role": "monitor", "version": me["version"], "reason": "oops"})
    assert r.status_code == 422
