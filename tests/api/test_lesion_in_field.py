"""Lesion ``in_field`` (irradiated lesion): stored, audited, derived on, and hidden from blinded roles."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service_support import Seeded, auth


def _subject(client: TestClient, s: Seeded, screening_id: str) -> str:
    r = client.post(f"/api/v1/trials/{s.trial_id}/subjects", headers=auth(s, "investigator"),
                    json={"site_id": s.site_a, "screening_id": screening_id})
    assert r.status_code == 201, r.text
    return f"/api/v1/trials/{s.trial_id}/subjects/{r.json()['id']}"


def _scan(client: TestClient, s: Seeded, base: str, day: str, t1: float, t2: float,
          role: str = "investigator", in_field: tuple[Any, Any] = (True, False)) -> Any:
    lesions = [{"lesion_label": "T1", "category": "target", "organ": "lung", "diameter_mm": t1},
               {"lesion_label": "T2", "category": "target", "organ": "liver", "diameter_mm": t2}]
    for les, flag in zip(lesions, in_field, strict=True):
        if flag != "omit":
            les["in_field"] = flag
    r = client.post(f"{base}/lesion-assessments", headers=auth(s, role),
                    json={"assessed_on": day, "timepoint": day, "modality": "CT", "lesions": lesions})
    assert r.status_code == 201, r.text
    return r.json()


def test_in_field_is_stored_and_drives_the_abscopal_derivation(client: TestClient, seeded: Seeded) -> None:
    base = _subject(client, seeded, "A-IF-1")
    first = _scan(client, seeded, base, "2026-01-05", 30.0, 40.0)
    assert [les["in_field"] for les in first["lesions"]] == [True, False]
    # out-of-field T2: 40 -> 26 mm is -35 % (>= 30 % decrease: abscopal, default definition)
    second = _scan(client, seeded, base, "2026-03-02", 20.0, 26.0)
    ab = second["derived"]["response"]["value"]["abscopal"]
    assert ab["abscopal_response"] is True
    assert (ab["in_field_targets"], ab["out_of_field_targets"]) == (["T1"], ["T2"])
    # RECIST 1.1 on the sum is unaffected: 70 -> 46 mm is -34 %: PR
    assert second["derived"]["response"]["value"]["recist_1_1"]["timepoint_response"] == "PR"


def test_abscopal_needs_every_targets_flag(client: TestClient, seeded: Seeded) -> None:
    base = _subject(client, seeded, "A-IF-2")
    out = _scan(client, seeded, base, "2026-01-05", 30.0, 40.0, in_field=(True, None))
    ab = out["derived"]["response"]["value"]["abscopal"]
    assert ab["abscopal_response"] is None
    assert ab["reasons"] == ["in_field not recorded for target lesion(s) ['T2']"]
    none = _scan(client, seeded, _subject(client, seeded, "A-IF-3"), "2026-01-05", 30.0, 40.0,
                 in_field=(None, None))
    assert "abscopal" not in none["derived"]["response"]["value"]


def test_blinded_reviewer_never_sees_in_field_and_cannot_erase_it(client: TestClient, seeded: Seeded) -> None:
    base = _subject(client, seeded, "A-IF-4")
    created = _scan(client, seeded, base, "2026-01-05", 30.0, 40.0)
    rid = created["id"]
    url = f"{base}/lesion-assessments/{rid}"
    seen = client.get(url, headers=auth(seeded, "imaging_reviewer"))
    assert seen.status_code == 200
    assert '"in_field"' not in seen.text and '"abscopal"' not in seen.text
    trail = client.get(f"/api/v1/trials/{seeded.trial_id}/audit?table=lesion_assessments&record_id={rid}",
                       headers=auth(seeded, "imaging_reviewer"))
    assert trail.status_code == 200 and trail.json()["count"] >= 1
    assert '"in_field"' not in trail.text
    # the reviewer re-measures T2 without sending in_field: the stored flags are kept
    body = {"version": seen.json()["version"], "reason": "re-read",
            "lesions": [{"lesion_label": "T1", "category": "target", "organ": "lung", "diameter_mm": 31.0},
                        {"lesion_label": "T2", "category": "target", "organ": "liver", "diameter_mm": 41.0}]}
    r = client.patch(url, headers=auth(seeded, "imaging_reviewer"), json=body)
    assert r.status_code == 200, r.text
    after = client.get(url, headers=auth(seeded, "investigator")).json()
    assert [(les["diameter_mm"], les["in_field"]) for les in after["lesions"]] == [(31.0, True), (41.0, False)]
    # an investigator's edit may change it explicitly
    body = {"version": after["version"], "reason": "T2 was in the SBRT field",
            "lesions": [{"lesion_label": "T1", "category": "target", "organ": "lung", "diameter_mm": 31.0},
                        {"lesion_label": "T2", "category": "target", "organ": "liver", "diameter_mm": 41.0,
                         "in_field": True}]}
    r = client.patch(url, headers=auth(seeded, "investigator"), json=body)
    assert [les["in_field"] for les in r.json()["lesions"]] == [True, True]


def test_blinded_reviewer_cannot_set_in_field(client: TestClient, seeded: Seeded) -> None:
    base = _subject(client, seeded, "A-IF-5")
    r = client.post(f"{base}/lesion-assessments", headers=auth(seeded, "imaging_reviewer"),
                    json={"assessed_on": "2026-01-05", "timepoint": "baseline", "modality": "CT",
                          "lesions": [{"lesion_label": "T1", "category": "target", "organ": "lung",
                                       "diameter_mm": 30.0, "in_field": True}]})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "'lesions[0].in_field' cannot be set by a blinded role (leave it out)"
