"""RECIST 1.1 and CTCAE v5.0 derived on write through the API (abscopal.store.derivations)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service_support import Seeded, auth


def base(seeded: Seeded) -> str:
    return f"/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}"


def _lab(client: TestClient, seeded: Seeded, **values: object) -> dict:
    body = {"collected_on": "2026-01-12", "unit": "10^9/L", **values}
    r = client.post(f"{base(seeded)}/labs", headers=auth(seeded, "investigator"), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_lymphocytes_are_graded_with_the_rule_that_fired(client: TestClient, seeded: Seeded) -> None:
    # CTCAE v5.0 "Lymphocyte count decreased" G2: <0.8 - 0.5 x 10e9/L.
    lab = _lab(client, seeded, test="LYM", value=0.7, lower_limit=1.0, upper_limit=4.0)
    ctcae = lab["derived"]["ctcae"]
    assert ctcae["rule_version"] == "ctcae_v5/1"
    assert ctcae["value"]["term"] == "Lymphocyte count decreased"
    assert ctcae["value"]["grade"] == 2
    assert "0.8" in ctcae["value"]["rule"]


def test_missing_lln_is_not_gradable_never_zero(client: TestClient, seeded: Seeded) -> None:
    # 0.95 x 10e9/L is G1 only if it is below the LLN, which is missing here.
    lab = _lab(client, seeded, test="LYM", value=0.95)
    value = lab["derived"]["ctcae"]["value"]
    assert value["grade"] is None
    assert "LLN" in value["not_gradable_reason"]


def test_a_test_without_ctcae_criteria_gets_no_grade(client: TestClient, seeded: Seeded) -> None:
    lab = _lab(client, seeded, test="ferritin", value=120, unit="ug/L")
    assert "ctcae" not in (lab["derived"] or {})


def _scan(client: TestClient, seeded: Seeded, day: str, t1_mm: float) -> dict:
    r = client.post(f"{base(seeded)}/lesion-assessments", headers=auth(seeded, "imaging_reviewer"),
                    json={"assessed_on": day, "timepoint": day, "modality": "CT",
                          "lesions": [{"lesion_label": "T1", "category": "target",
                                       "organ": "liver", "diameter_mm": t1_mm}]})
    assert r.status_code == 201, r.text
    return r.json()["derived"]["response"]["value"]["recist_1_1"]


def test_recist_timepoints_follow_the_subjects_history(client: TestClient, seeded: Seeded) -> None:
    baseline = _scan(client, seeded, "2026-01-05", 46.0)
    assert baseline["is_baseline"] is True and baseline["timepoint_response"] is None
    # 46.0 -> 32.2 mm is exactly -30 %: PR (RECIST 1.1 §4.3.1), in exact arithmetic.
    week8 = _scan(client, seeded, "2026-03-02", 32.2)
    assert week8["timepoint_response"] == "PR"
    assert week8["first_response_date"] == "2026-03-02"
    # 32.2 (nadir) -> 40.0 mm: +24 % and +7.8 mm: PD.
    week16 = _scan(client, seeded, "2026-04-27", 40.0)
    assert week16["timepoint_response"] == "PD"
    assert week16["progression_date"] == "2026-04-27"
