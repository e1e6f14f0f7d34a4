"""Sessions and CSRF on the web forms (abscopal.web.access, views.auth)."""

from __future__ import annotations

from sqlalchemy import func, select

from abscopal.store.models import Lab
from abscopal.web.views.auth import safe_next
from tests.web.conftest import csrf_of, login


def _lab_count(seeded) -> int:  # type: ignore[no-untyped-def]
    with seeded.db.reading() as session:
        return int(session.execute(select(func.count()).select_from(Lab)).scalar_one())


def _new_client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    return TestClient(app)


def test_pages_need_a_session(app) -> None:  # type: ignore[no-untyped-def]
    with _new_client(app) as c:
        r = c.get("/trials/1", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/trials/1"


def test_wrong_password_keeps_the_username_and_says_why(app) -> None:  # type: ignore[no-untyped-def]
    with _new_client(app) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "u_investigator", "password": "nope", "csrf_token": token})
        assert r.status_code == 401
        assert 'value="u_investigator"' in r.text
        assert "Login failed: invalid credentials" in r.text


def test_login_form_without_its_csrf_token_is_refused(app, seeded) -> None:  # type: ignore[no-untyped-def]
    with _new_client(app) as c:
        c.get("/login")
        r = c.post("/login", data={"username": "u_investigator",
                                   "password": seeded.passwords["investigator"], "csrf_token": "forged"},
                   follow_redirects=False)
        assert r.status_code == 400
        assert "abscopal_session" not in r.cookies


def test_a_form_post_without_csrf_saves_nothing(app, seeded) -> None:  # type: ignore[no-untyped-def]
    with _new_client(app) as c:
        login(c, "u_investigator", seeded.passwords["investigator"])
        before = _lab_count(seeded)
        url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/new"
        data = {"collected_on": "2026-02-01", "test": "Lymphocyte count decreased", "value": "0.4",
                "unit": "10^9/L"}
        assert c.post(url, data=data).status_code == 403
        assert c.post(url, data={**data, "csrf_token": "not-the-token"}).status_code == 403
        assert _lab_count(seeded) == before
        token = csrf_of(c.get(url).text)
        assert c.post(url, data={**data, "csrf_token": token}, follow_redirects=False).status_code == 303
        assert _lab_count(seeded) == before + 1


def test_logout_ends_the_session(app, seeded) -> None:  # type: ignore[no-untyped-def]
    with _new_client(app) as c:
        login(c, "u_coordinator", seeded.passwords["coordinator"])
        page = c.get("/trials")
        assert page.status_code == 200
        cookie = c.cookies.get("abscopal_session")
        r = c.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert r.status_code == 303
        c.cookies.set("abscopal_session", cookie)  # replaying the old cookie does not work
        assert c.get("/trials", follow_redirects=False).status_code == 303


def test_only_same_site_paths_are_followed_after_login() -> None:
    assert safe_next("/trials/3") == "/trials/3"
    assert safe_next("//evil.example/x") == "/trials"
    assert safe_next("https://evil.example") == "/trials"
    assert safe_next("/\\evil") == "/trials"
    assert safe_next(None) == "/trials"


def test_pages_switch_off_htmx_eval_and_script_tags(app) -> None:  # type: ignore[no-untyped-def]
    # The vendored htmx can evaluate attribute text (hx-vars "js:", hx-on); abscopal never
    # evaluates text, so every page turns that off before htmx loads.
    with _new_client(app) as c:
        html = c.get("/login").text
    config = html.index('name="htmx-config"')
    assert '"allowEval": false' in html and '"allowScriptTags": false' in html
    assert config < html.index("/static/htmx.min.js")
