"""One JSON error shape for every error status (the dedicated shape test)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service_support import Seeded, auth

SHAPE_KEYS = {"status", "code", "message", "field", "details"}


def assert_error_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    err = body["error"]
    assert set(err) == SHAPE_KEYS
    assert err["status"] == status
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert err["field"] is None or isinstance(err["field"], str)
    assert isinstance(err["details"], list)
    for d in err["details"]:
        assert set(d) == {"field", "message"}
    return err  # type: ignore[no-any-return]


def test_401_without_credentials(client: TestClient, seeded: Seeded) -> None:
    r = client.get(f"/api/v1/trials/{seeded.trial_id}")
    assert_error_shape(r, 401, "unauthorized")


def test_401_with_a_malformed_authorization_header(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/api/v1/sites", headers={"Authorization": "Basic abc"})
    err = assert_error_shape(r, 401, "unauthorized")
    assert "Bearer" in err["message"]


def test_401_with_an_unknown_token(client: TestClient) -> None:
    assert_error_shape(client.get("/api/v1/sites", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")


def test_403_for_a_role_without_the_permission(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/v1/sites", headers=auth(seeded, "monitor"), json={"code": "C", "name": "C"})
    err = assert_error_shape(r, 403, "forbidden")
    assert err["message"] == "role 'monitor' may not create site records"


def test_404_for_a_missing_record(client: TestClient, seeded: Seeded) -> None:
    r = client.get(f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/999999",
                   headers=auth(seeded, "admin"))
    err = assert_error_shape(r, 404, "not_found")
    assert err["message"] == "lab 999999 not found for this subject"


def test_404_for_an_unknown_route(client: TestClient) -> None:
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_405_for_a_wrong_method(client: TestClient) -> None:
    assert_error_shape(client.delete("/api/v1/health"), 405, "method_not_allowed")


def test_409_for_a_stale_version(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/{seeded.records['lab']}"
    r = client.patch(url, headers=auth(seeded, "investigator"),
                     json={"value": 1.0, "version": 9999, "reason": "x"})
    err = assert_error_shape(r, 409, "conflict")
    assert "someone saved first" in err["message"]


def test_409_for_a_duplicate(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/deaths"
    r = client.post(url, headers=auth(seeded, "investigator"), json={"death_date": "2026-02-01", "cause": "x"})
    assert_error_shape(r, 409, "conflict")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"collected_on": "2026-01-01", "test": "alt", "unit": "U/L"}, "value"),  # missing
        ({"collected_on": "2026-01-01", "test": "alt", "unit": "U/L", "value": "abc"}, "value"),
        ({"collected_on": "yesterday", "test": "alt", "unit": "U/L", "value": 1}, "collected_on"),
        ({"collected_on": "2026-01-01", "test": "alt", "unit": "U/L", "value": 1, "derived": {}}, "derived"),
    ],
)
def test_422_body_validation_is_reshaped(client: TestClient, seeded: Seeded, body: dict[str, Any], field: str) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs"
    err = assert_error_shape(client.post(url, headers=auth(seeded, "investigator"), json=body), 422,
                             "validation_error")
    assert err["field"] == field
    assert err["details"][0]["field"] == field


def test_422_for_a_bad_query_parameter(client: TestClient, seeded: Seeded) -> None:
    err = assert_error_shape(client.get("/api/v1/sites?limit=0", headers=auth(seeded, "admin")), 422,
                             "validation_error")
    assert err["field"] == "query.limit"


def test_422_for_a_bad_path_parameter(client: TestClient, seeded: Seeded) -> None:
    err = assert_error_shape(client.get("/api/v1/sites/abc", headers=auth(seeded, "admin")), 422,
                             "validation_error")
    assert err["field"] == "path.site_id"


def test_422_for_an_invalid_protocol_lists_every_finding(client: TestClient, seeded: Seeded) -> None:
    r = client.post("/api/v1/trials", headers=auth(seeded, "admin"),
                    json={"protocol_yaml": "identity: {registry_id: X}\n"})
    err = assert_error_shape(r, 422, "validation_error")
    assert err["message"] == f"protocol_yaml: invalid protocol ({len(err['details'])} problem(s))"
    fields = [d["field"] for d in err["details"]]
    assert "identity.registry_id" in fields and "design" in fields


def test_422_for_a_domain_input_error_names_the_field(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/rt-deliveries"
    r = client.post(url, headers=auth(seeded, "investigator"), json={
        "intervention_id": "pd1", "target": "liver", "fraction_number": 2, "delivered_on": "2026-01-06",
        "dose_gy": 8})
    err = assert_error_shape(r, 422, "validation_error")
    assert err["field"] == "intervention_id"
    assert err["message"] == ("'intervention_id' must name a radiation intervention of the protocol "
                              "['seeds'] (got 'pd1')")


def test_startup_warms_the_route_table_with_one_unserved_path(seeded) -> None:  # type: ignore[no-untyped-def]
    """The lifespan sends one in-process request that no route serves (404), so FastAPI's lazy
    route tables are built before the first caller (api.main.warm_up)."""
    from fastapi.testclient import TestClient

    from abscopal.api.main import create_app

    app = create_app(seeded.settings, database=seeded.db)
    with TestClient(app):
        assert app.state.warmup_status == 404
