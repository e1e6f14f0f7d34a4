"""Data capture through the API: validation, corrections with reasons, soft deletes, optimistic
locking, derivations on write (read-only), lesion rows, amendments and captured versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from abscopal.api.main import create_app
from abscopal.store.derive import DerivationContext, DerivationRegistry
from service_support import TEST_PROTOCOL, Seeded, auth


@pytest.fixture(scope="module")
def calls() -> list[str]:
    return []


@pytest.fixture(scope="module")
def hooked(seeded: Seeded, calls: list[str]) -> Iterator[TestClient]:
    """An app whose registry has a labs hook (stands in for CTCAE grading from abscopal.toxicity)."""
    registry = DerivationRegistry()

    def below_lln(ctx: DerivationContext) -> dict[str, Any]:
        calls.append(ctx.record_type)
        rec = ctx.record
        low = rec["lower_limit"]
        return {"below_lln": low is not None and rec["value"] < low,
                "previous_results": len(ctx.subject_records),
                "protocol": ctx.protocol.identity.registry_id}

    registry.register("labs", below_lln, rule_version="test-1")
    with TestClient(create_app(seeded.settings, database=seeded.db, derivations=registry)) as c:
        yield c


def base(seeded: Seeded) -> str:
    return f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}"


LAB = {"collected_on": "2026-01-12", "test": "neutrophils", "value": 1.1, "unit": "10^9/L",
       "lower_limit": 2.0, "upper_limit": 7.5}


def test_derivation_hook_runs_on_create_and_update(hooked: TestClient, seeded: Seeded, calls: list[str]) -> None:
    h = auth(seeded, "coordinator")
    created = hooked.post(f"{base(seeded)}/labs", headers=h, json=LAB).json()
    d = created["derived"]["below_lln"]
    assert d["value"] == {"below_lln": True, "previous_results": 1, "protocol": "NCT09999901"}
    assert d["rule_version"] == "test-1" and d["hook"] == "below_lln"
    updated = hooked.patch(f"{base(seeded)}/labs/{created['id']}", headers=h,
                           json={"value": 3.0, "version": created["version"], "reason": "re-assayed"}).json()
    assert updated["derived"]["below_lln"]["value"]["below_lln"] is False
    assert calls == ["labs", "labs"]


def test_derived_fields_are_read_only(hooked: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "coordinator")
    r = hooked.post(f"{base(seeded)}/labs", headers=h, json={**LAB, "derived": {"below_lln": False}})
    assert r.status_code == 422
    lab = hooked.get(f"{base(seeded)}/labs/{seeded.records['lab']}", headers=h).json()
    r = hooked.patch(f"{base(seeded)}/labs/{lab['id']}", headers=h,
                     json={"derived": {}, "version": lab["version"], "reason": "x"})
    assert r.status_code == 422


def test_change_needs_a_reason(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    lab = client.post(f"{base(seeded)}/labs", headers=h, json=LAB).json()
    for reason in ("", "   "):
        r = client.patch(f"{base(seeded)}/labs/{lab['id']}", headers=h,
                         json={"value": 2.0, "version": lab["version"], "reason": reason})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "reason"


def test_update_is_audited_with_before_after_and_reason(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    lab = client.post(f"{base(seeded)}/labs", headers=h, json=LAB).json()
    client.patch(f"{base(seeded)}/labs/{lab['id']}", headers=h,
                 json={"value": 1.4, "version": lab["version"], "reason": "transcription error"})
    trail = client.get(f"/api/v1/trials/{seeded.trial_id}/audit?table=labs&record_id={lab['id']}",
                       headers=auth(seeded, "monitor")).json()["data"]
    assert [e["action"] for e in trail] == ["create", "update"]
    assert trail[0]["reason"] is None and trail[0]["before"] is None
    assert trail[1]["reason"] == "transcription error"
    assert (trail[1]["before"]["value"], trail[1]["after"]["value"]) == (1.1, 1.4)
    assert trail[1]["username"] == "u_investigator"


def test_stale_update_loses_and_overwrites_nothing(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    lab = client.post(f"{base(seeded)}/labs", headers=h, json=LAB).json()
    first = client.patch(f"{base(seeded)}/labs/{lab['id']}", headers=h,
                         json={"value": 5.0, "version": lab["version"], "reason": "first"})
    second = client.patch(f"{base(seeded)}/labs/{lab['id']}", headers=h,
                          json={"value": 6.0, "version": lab["version"], "reason": "second"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert client.get(f"{base(seeded)}/labs/{lab['id']}", headers=h).json()["value"] == 5.0


def test_soft_delete_hides_but_keeps(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    ae = client.post(f"{base(seeded)}/adverse-events", headers=h, json={
        "term": "Rash", "onset_date": "2026-01-10", "grade": 1}).json()
    r = client.delete(f"{base(seeded)}/adverse-events/{ae['id']}", headers=h,
                      params={"version": ae["version"], "reason": "entered for wrong subject"})
    assert r.status_code == 200 and r.json()["deleted_at"] is not None
    listed = client.get(f"{base(seeded)}/adverse-events", headers=h).json()
    assert ae["id"] not in [x["id"] for x in listed["data"]]
    everything = client.get(f"{base(seeded)}/adverse-events?include_deleted=true", headers=h).json()
    assert ae["id"] in [x["id"] for x in everything["data"]]
    again = client.patch(f"{base(seeded)}/adverse-events/{ae['id']}", headers=h,
                         json={"grade": 2, "version": r.json()["version"], "reason": "x"})
    assert again.status_code == 404


def test_validation_rejects_impossible_values(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    bad = [
        ("adverse-events", {"term": "x", "onset_date": "2026-01-10", "grade": 6}),
        ("adverse-events", {"term": "x", "onset_date": "2026-01-10", "resolved_date": "2026-01-01", "grade": 1}),
        ("labs", {**LAB, "lower_limit": 9.0}),
        ("rt-deliveries", {"intervention_id": "seeds", "target": "t", "fraction_number": 1,
                           "delivered_on": "2026-01-06", "dose_gy": -1}),
        ("lesion-assessments", {"assessed_on": "2026-01-06", "timepoint": "b", "modality": "CT",
                                "lesions": [{"lesion_label": "T1", "category": "target", "organ": "lung"},
                                            {"lesion_label": "T1", "category": "target", "organ": "lung"}]}),
    ]
    for path, body in bad:
        r = client.post(f"{base(seeded)}/{path}", headers=h, json=body)
        assert r.status_code == 422, (path, r.text)


def test_lesion_rows_are_updated_in_place_and_removed_rows_kept(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "imaging_reviewer")
    la = client.post(f"{base(seeded)}/lesion-assessments", headers=h, json={
        "assessed_on": "2026-03-02", "timepoint": "week 8", "modality": "CT",
        "lesions": [{"lesion_label": "T1", "category": "target", "organ": "liver", "diameter_mm": 25.0},
                    {"lesion_label": "T2", "category": "target", "organ": "lung", "diameter_mm": 12.0}]}).json()
    upd = client.patch(f"{base(seeded)}/lesion-assessments/{la['id']}", headers=h, json={
        "version": la["version"], "reason": "T2 was a duplicate of T1",
        "lesions": [{"lesion_label": "T1", "category": "target", "organ": "liver", "diameter_mm": 24.0}]}).json()
    rows = {x["lesion_label"]: x for x in upd["lesions"]}
    assert rows["T1"]["diameter_mm"] == 24.0 and rows["T1"]["deleted_at"] is None
    assert rows["T2"]["deleted_at"] is not None


def test_rt_delivery_gets_cumulative_dose(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    r = client.post(f"{base(seeded)}/rt-deliveries", headers=h, json={
        "intervention_id": "seeds", "target": "liver", "fraction_number": 2, "delivered_on": "2026-01-06",
        "dose_gy": 8})
    assert r.json()["derived"]["cumulative_dose"]["value"] == {"cumulative_dose_gy": 16.0, "fractions_counted": 2}


def test_amendment_creates_a_version_and_old_data_keep_theirs(client: TestClient, seeded: Seeded) -> None:
    admin = auth(seeded, "admin")
    amended = Path(TEST_PROTOCOL).read_text().replace('protocol_version: "1.0"', 'protocol_version: "2.0"')
    r = client.post(f"/api/v1/trials/{seeded.trial_id}/protocol-versions", headers=admin,
                    json={"protocol_yaml": amended, "reason": "amendment 1: longer follow-up"})
    assert r.status_code == 201, r.text
    new_version = r.json()["id"]
    trial = client.get(f"/api/v1/trials/{seeded.trial_id}", headers=admin).json()
    assert (trial["current_version_id"], trial["current_protocol_version"]) == (new_version, "2.0")
    old = client.get(f"{base(seeded)}/labs/{seeded.records['lab']}", headers=admin).json()
    assert old["protocol_version_id"] == seeded.records["protocol_version"]
    new = client.post(f"{base(seeded)}/labs", headers=admin, json=LAB).json()
    assert new["protocol_version_id"] == new_version
    dup = client.post(f"/api/v1/trials/{seeded.trial_id}/protocol-versions", headers=admin,
                      json={"protocol_yaml": amended, "reason": "again"})
    assert dup.status_code == 422


def test_enrolment_allocates_once(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    subj = client.post(f"/api/v1/trials/{seeded.trial_id}/subjects", headers=h,
                       json={"site_id": seeded.site_a, "screening_id": "A-777"}).json()
    url = f"/api/v1/trials/{seeded.trial_id}/subjects/{subj['id']}/enrolment"
    r = client.post(url, headers=h, json={"enrolled_on": "2026-02-01"})
    assert r.status_code == 201
    assert r.json()["allocation"]["arm_id"] in ("armqzcombo", "armqzcontrol")
    assert client.post(url, headers=h, json={"enrolled_on": "2026-02-01"}).status_code == 409
    assert client.get(f"/api/v1/trials/{seeded.trial_id}/subjects/{subj['id']}", headers=h).json()["status"] == "enrolled"


def test_unblinding_is_audited_and_restricted(client: TestClient, seeded: Seeded) -> None:
    url = f"{base(seeded)}/unblinding"
    assert client.post(url, headers=auth(seeded, "coordinator"), json={"reason": "x"}).status_code == 403
    r = client.post(url, headers=auth(seeded, "investigator"), json={"reason": "grade 4 toxicity"})
    assert r.status_code == 201
    assert r.json()["arm_id"] in ("armqzcombo", "armqzcontrol")
    trail = client.get(f"/api/v1/trials/{seeded.trial_id}/audit?table=unblindings",
                       headers=auth(seeded, "admin")).json()["data"]
    assert trail[-1]["action"] == "unblind" and trail[-1]["reason"] == "grade 4 toxicity"


def test_pagination_envelope(client: TestClient, seeded: Seeded) -> None:
    h = auth(seeded, "investigator")
    for i in range(3):
        client.post(f"{base(seeded)}/calendar-entries", headers=h, json={
            "kind": "imaging", "label": f"CT {i}", "due_date": f"2026-04-0{i + 1}"})
    page = client.get(f"{base(seeded)}/calendar-entries?limit=2&offset=1", headers=h).json()
    assert set(page) == {"data", "count"}
    assert page["count"] == 4 and len(page["data"]) == 2
