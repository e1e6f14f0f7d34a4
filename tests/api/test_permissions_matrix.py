"""Every endpoint × every role, generated from the app's route table.

A new endpoint cannot escape: each route must declare a permission with ``require`` (or be listed
as public / self-service), and each declared permission is checked against the role matrix for all
six roles. Requests carry an empty JSON body, which never mutates anything: allowed calls get 200
or 422 (they passed the permission check), denied calls get 403.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from abscopal.api.deps import PUBLIC_PATHS, SELF_PATHS
from abscopal.api.main import api_routes, create_app
from abscopal.config import Settings
from abscopal.store.permissions import RESOURCES, can
from service_support import ROLES, Seeded, auth

APP = create_app(Settings(database_url="sqlite://"))


def _routes() -> list[APIRoute]:
    return [r for _, r in api_routes(APP)]


def _full_path(route: APIRoute) -> str:
    return next(p for p, r in api_routes(APP) if r is route)


def permission_of_route(route: APIRoute) -> tuple[str, str] | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        if call is not None and hasattr(call, "resource"):
            return call.resource, call.action  # type: ignore[union-attr]
        stack.extend(dep.dependencies)
    return None


ROUTES = _routes()
CASES = [(_full_path(r), m) for r in ROUTES for m in sorted(r.methods)]
GUARDED = [(_full_path(r), m, permission_of_route(r)) for r in ROUTES for m in sorted(r.methods)
           if _full_path(r) not in PUBLIC_PATHS | SELF_PATHS]


def fill(path: str, seeded: Seeded, resource: str | None) -> str:
    values: dict[str, Any] = {
        "trial_id": seeded.trial_id,
        "subject_id": seeded.subject_a,
        "site_id": seeded.site_a,
        "user_id": seeded.user_ids["investigator_b"],
        "version_id": seeded.records["protocol_version"],
        "record_id": seeded.records.get(resource or "", 1),
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def test_route_table_is_not_empty() -> None:
    assert len(CASES) > 60


def test_route_table_covers_every_operation_in_the_openapi_spec() -> None:
    """The spec is built from the app's real routes: anything served appears in CASES."""
    spec = APP.openapi()
    served = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    assert served == set(CASES)


@pytest.mark.parametrize(("path", "method"), CASES, ids=[f"{m} {p}" for p, m in CASES])
def test_every_route_declares_a_permission_or_is_public(path: str, method: str) -> None:
    route = next(r for r in ROUTES if _full_path(r) == path and method in r.methods)
    declared = permission_of_route(route)
    if path in PUBLIC_PATHS | SELF_PATHS:
        assert declared is None
    else:
        assert declared is not None, f"{method} {path} has no require(resource, action)"
        assert declared[0] in RESOURCES


def test_public_and_self_lists_name_real_routes() -> None:
    paths = {_full_path(r) for r in ROUTES}
    assert PUBLIC_PATHS | SELF_PATHS <= paths


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "method", "perm"), GUARDED, ids=[f"{m} {p}" for p, m, _ in GUARDED])
def test_role_matrix(client: TestClient, seeded: Seeded, path: str, method: str,
                     perm: tuple[str, str], role: str) -> None:
    resource, action = perm
    url = fill(path, seeded, resource)
    kwargs: dict[str, Any] = {"headers": auth(seeded, role)}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {}
    response = client.request(method, url, **kwargs)
    blinded = role == "imaging_reviewer" or role == "statistician"  # test trial: statistician blinded
    if can(role, resource, action, blinded=blinded):
        assert response.status_code in (200, 201, 422), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("path", "method", "perm"), GUARDED, ids=[f"{m} {p}" for p, m, _ in GUARDED])
def test_unauthenticated_gets_401(client: TestClient, seeded: Seeded, path: str, method: str,
                                  perm: tuple[str, str]) -> None:
    response = client.request(method, fill(path, seeded, perm[0]),
                              json={} if method in ("POST", "PATCH") else None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


SUBJECT_GETS = [(p, perm) for p, m, perm in GUARDED if m == "GET" and "{subject_id}" in p]


@pytest.mark.parametrize(("path", "perm"), SUBJECT_GETS, ids=[p for p, _ in SUBJECT_GETS])
def test_other_sites_subject_is_404_not_403(client: TestClient, seeded: Seeded, path: str,
                                            perm: tuple[str, str]) -> None:
    """Site B's investigator asks for site A's subject: 404, so existence is not leaked."""
    response = client.get(fill(path, seeded, perm[0]), headers=auth(seeded, "investigator_b"))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"subject {seeded.subject_a} not found in this trial"


def test_site_user_lists_only_own_sites_subjects(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/v1/trials/{seeded.trial_id}/subjects"
    own = client.get(url, headers=auth(seeded, "investigator")).json()
    assert [s["screening_id"] for s in own["data"]] == ["A-001"]
    everyone = client.get(url, headers=auth(seeded, "statistician")).json()
    assert sorted(s["screening_id"] for s in everyone["data"]) == ["A-001", "B-001"]


def test_site_user_cannot_register_at_another_site(client: TestClient, seeded: Seeded) -> None:
    r = client.post(f"/api/v1/trials/{seeded.trial_id}/subjects", headers=auth(seeded, "investigator"),
                    json={"site_id": seeded.site_b, "screening_id": "X-1"})
    assert r.status_code == 403
