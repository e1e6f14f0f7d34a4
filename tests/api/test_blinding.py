"""The blinded imaging reviewer can learn the arm through no endpoint, export, error message or
audit view: every route of the app is called (with empty and with valid bodies, with good and bad
ids) and every response — body and headers — is scanned for the arm ids and labels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from abscopal.api.blinding import shape_for_caller
from service_support import ARM_STRINGS, Seeded, auth
from tests.api.test_permissions_matrix import APP, ROUTES, _full_path, fill, permission_of_route


def _leaks(response: Any) -> list[str]:
    text = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return [s for s in ARM_STRINGS if s.lower() in text.lower()]


def _every_request(seeded: Seeded) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    for route in ROUTES:
        path = _full_path(route)
        if path.endswith("logout"):
            continue  # would revoke the token the scan runs with; they return no body anyway
        perm = permission_of_route(route)
        url = fill(path, seeded, perm[0] if perm else None)
        for method in sorted(route.methods):
            body: dict[str, Any] | None = {} if method in ("POST", "PATCH") else None
            out.append((method, url, {"json": body} if body is not None else {}))
            # the same route for a record that does not exist: the 404 message must not leak
            bad = re.sub(r"/\d+(?=/|$)", "/999999", url)
            out.append((method, bad, {"json": body} if body is not None else {}))
    base = f"/api/v1/trials/{seeded.trial_id}"
    out += [
        ("GET", f"{base}/export", {}),
        ("GET", f"{base}/audit?limit=500", {}),
        ("GET", f"{base}/audit?table=allocations", {}),
        ("GET", f"{base}/audit?table=protocol_versions", {}),
        ("GET", f"{base}/protocol-versions/{seeded.records['protocol_version']}", {}),
        ("GET", "/api/v1/openapi.json", {}),
        ("POST", f"{base}/subjects/{seeded.subject_a}/unblinding", {"json": {"reason": "curious"}}),
        ("POST", f"{base}/subjects/{seeded.subject_a}/enrolment", {"json": {"enrolled_on": "2026-01-01"}}),
        ("PATCH", f"{base}/subjects/{seeded.subject_a}/lesion-assessments/{seeded.records['lesion_assessment']}",
         {"json": {"version": 99, "reason": "stale on purpose", "timepoint": "week 8"}}),
        ("POST", f"{base}/subjects/{seeded.subject_a}/lesion-assessments",
         {"json": {"assessed_on": "2026-03-01", "timepoint": "week 8", "modality": "CT",
                   "lesions": [{"lesion_label": "T1", "category": "target", "organ": "liver",
                                "diameter_mm": 21.0}]}}),
    ]
    return out


@pytest.mark.parametrize("role", ["imaging_reviewer", "statistician"])
def test_blinded_caller_never_sees_the_arm(client: TestClient, seeded: Seeded, role: str) -> None:
    leaks = []
    for method, url, kwargs in _every_request(seeded):
        response = client.request(method, url, headers=auth(seeded, role), **kwargs)
        assert response.status_code < 500, (method, url, response.text)
        found = _leaks(response)
        if found:
            leaks.append((method, url, response.status_code, found))
    assert leaks == []


def test_the_scan_finds_the_arm_for_an_unblinded_investigator(client: TestClient, seeded: Seeded) -> None:
    """Positive control: the same scan does see arms where they are allowed."""
    leaked = [url for method, url, kw in _every_request(seeded) if method == "GET"
              and _leaks(client.get(url, headers=auth(seeded, "investigator")))]
    assert f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/allocation" in leaked
    assert f"/api/v1/trials/{seeded.trial_id}/export" in leaked


def test_reviewer_sees_lesion_data_but_no_arm_revealing_sections(client: TestClient, seeded: Seeded) -> None:
    export = client.get(f"/api/v1/trials/{seeded.trial_id}/export", headers=auth(seeded, "imaging_reviewer")).json()
    assert sorted(export) == ["lesion_assessment", "subjects", "trial"]
    assert export["lesion_assessment"][0]["lesions"][0]["lesion_label"] == "T1"
    assert "arms" not in export["trial"]


def test_reviewer_audit_view_lists_only_readable_tables(client: TestClient, seeded: Seeded) -> None:
    page = client.get(f"/api/v1/trials/{seeded.trial_id}/audit?limit=500",
                      headers=auth(seeded, "imaging_reviewer")).json()
    tables = {e["table_name"] for e in page["data"]}
    assert tables <= {"subjects", "lesion_assessments", "trials", "protocol_versions"}
    assert "lesion_assessments" in tables
    for e in page["data"]:
        if e["table_name"] == "protocol_versions":
            assert "yaml_text" not in e["after"]


def test_statistician_sees_allocation_once_the_trial_allows_it(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}"
    alloc = f"{url}/subjects/{seeded.subject_a}/allocation"
    assert client.get(alloc, headers=auth(seeded, "statistician")).status_code == 403
    trial = client.get(url, headers=auth(seeded, "admin")).json()
    r = client.patch(url, headers=auth(seeded, "admin"),
                     json={"statistician_unblinded": True, "version": trial["version"], "reason": "final analysis"})
    assert r.status_code == 200
    try:
        got = client.get(alloc, headers=auth(seeded, "statistician"))
        assert got.status_code == 200
        assert got.json()["arm_id"] in ARM_STRINGS
        # the reviewer stays blind whatever the trial setting
        assert client.get(alloc, headers=auth(seeded, "imaging_reviewer")).status_code == 403
    finally:
        trial = client.get(url, headers=auth(seeded, "admin")).json()
        client.patch(url, headers=auth(seeded, "admin"),
                     json={"statistician_unblinded": False, "version": trial["version"], "reason": "reset"})


def test_sequence_position_is_hidden_from_site_roles(client: TestClient, seeded: Seeded) -> None:
    alloc = f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/allocation"
    assert "sequence_position" not in client.get(alloc, headers=auth(seeded, "investigator")).json()
    assert "sequence_position" in client.get(alloc, headers=auth(seeded, "admin")).json()


class TestShapeForCaller:
    def test_drops_arm_keys_at_any_depth(self) -> None:
        payload = {"a": 1, "arm_id": "x", "nested": [{"arm_label": "y", "ok": 2}], "arms": []}
        assert shape_for_caller(payload, blinded=True) == {"a": 1, "nested": [{"ok": 2}]}

    def test_unblinded_admin_payload_is_unchanged(self) -> None:
        payload = {"arm_id": "x", "sequence_position": 3}
        assert shape_for_caller(payload, blinded=False, is_admin=True) == payload

    def test_concealment_keys_dropped_for_non_admins(self) -> None:
        assert shape_for_caller({"arm_id": "x", "sequence_position": 3}, blinded=False) == {"arm_id": "x"}


def test_openapi_app_is_the_one_tested() -> None:
    assert APP.title == "abscopal trial service"
