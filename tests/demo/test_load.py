"""The demo loader writes the five seed trials through the REST API: every simulated record is
in the service (counts per trial and kind), the arms are the service's allocations, every row
has its audit entry, the chain verifies, and a second load adds nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from abscopal.api.main import create_app
from abscopal.datasets import list_trial_ids
from abscopal.demo.load import TrialLoad, load_demo
from abscopal.protocol import RadiationTechnique
from abscopal.store import accounts
from abscopal.store.accounts import initialise
from abscopal.store.audit import verify_audit
from abscopal.store.models import AuditEntry
from abscopal.store.staged import StagedAllocator
from abscopal.trialdata import TrialData
from service_support import fast_settings, migrated


@pytest.fixture(scope="module")
def loaded() -> Iterator[tuple[Any, list[TrialLoad], TestClient, dict[str, str]]]:
    tmp = tempfile.mkdtemp(prefix="abscopal-demo-")
    settings = fast_settings(f"sqlite:///{tmp}/demo.db")
    db = migrated(settings)
    username, password = initialise(db, settings)
    app = create_app(settings, database=db, allocator=StagedAllocator())
    results = load_demo(app, max_screened=4, workers=2)
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login",
                            json={"username": username, "password": password}).json()["access_token"]
        yield app, results, client, {"Authorization": f"Bearer {token}"}
    db.dispose()


def _export(client: TestClient, headers: dict[str, str], trial_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/trials/{trial_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _expected_rt(data: TrialData) -> int:
    """One delivery per fraction and in-field target (intestinal RT: one, 'intestine')."""
    from abscopal.datasets import load_trial_text
    from abscopal.protocol import parse_protocol_text

    protocol = parse_protocol_text(load_trial_text(data.trial_id))
    techniques = {i.id: getattr(i, "technique", None) for i in protocol.interventions}
    total = 0
    for fx in data.rt_fractions.to_dict("records"):
        lesions = data.lesions[(data.lesions["subject_id"] == fx["subject_id"])
                               & (data.lesions["in_field"] == True)]  # noqa: E712
        tech = techniques[fx["intervention_id"]]
        if tech is RadiationTechnique.INTESTINAL_LOW_DOSE_RT:
            total += 1
        elif tech is RadiationTechnique.I125_SEED_IMPLANT:
            total += 1
        else:
            total += max(len(lesions), 1)
    return total


def test_all_five_trials_are_loaded(loaded: Any) -> None:
    _app, results, _client, _headers = loaded
    assert [r.registry_id for r in results] == list_trial_ids()
    assert all(not r.skipped and r.data is not None for r in results)
    assert all(r.counts["subjects"] == 4 for r in results)


def test_counts_per_trial_match_the_simulated_data(loaded: Any) -> None:
    _app, results, client, headers = loaded
    for r in results:
        data = r.data
        assert data is not None
        out = _export(client, headers, r.trial_id)
        subjects = data.subjects
        enrolled = subjects[subjects["screening_outcome"] == "eligible"]
        lesion_days = data.lesion_measurements[["subject_id", "assessment_date"]].drop_duplicates()
        expected = {
            "subjects": len(subjects),
            "screening_result": len(subjects),
            "enrolment": len(enrolled),
            "allocation": len(enrolled),
            "rt_delivery": _expected_rt(data),
            "drug_administration": len(data.drug_admins),
            "lesion_assessment": len(lesion_days),
            "lab": len(data.labs),
            "adverse_event": len(data.adverse_events),
            "off_study": int(subjects["off_study_date"].notna().sum()),
            "death": int(subjects["death_date"].notna().sum()),
        }
        got = {k: len(out.get(k, [])) for k in expected}
        assert got == expected, r.registry_id
        assert expected["lab"] > 0 and expected["lesion_assessment"] > 0
        measurements = sum(len(a["lesions"]) for a in out["lesion_assessment"])
        assert measurements == len(data.lesion_measurements)


def test_arms_are_the_services_allocations(loaded: Any) -> None:
    _app, results, client, headers = loaded
    for r in results:
        assert r.data is not None
        out = _export(client, headers, r.trial_id)
        screening_to_arm = {}
        by_id = {s["id"]: s["screening_id"] for s in out["subjects"]}
        for a in out["allocation"]:
            screening_to_arm[by_id[a["subject_id"]]] = a["arm_id"]
        enrolled = r.data.subjects[r.data.subjects["screening_outcome"] == "eligible"]
        simulated = {f"SCR-{s}": arm for s, arm in zip(enrolled["subject_id"], enrolled["arm_id"],
                                                       strict=True)}
        assert screening_to_arm == simulated, r.registry_id
        if r.registry_id == "NCT06076135":  # the first 16 go to stage I (its stated size)
            assert {a["stage_id"] for a in out["allocation"]} == {"stage1"}
            assert {a["arm_id"] for a in out["allocation"]} == {"stage_1"}


def test_every_write_is_audited_and_the_chain_verifies(loaded: Any) -> None:
    app, results, client, headers = loaded
    state = app.state.abscopal
    tables = {"lab": "labs", "adverse_event": "adverse_events", "death": "deaths",
              "lesion_assessment": "lesion_assessments", "rt_delivery": "rt_deliveries",
              "drug_administration": "drug_administrations", "off_study": "off_study",
              "screening_result": "screening_results", "subjects": "subjects"}
    with state.db.reading() as session:
        audited = {(e.table_name, e.record_id, e.username) for e in session.execute(
            select(AuditEntry).where(AuditEntry.action == "create")).scalars()}
        result = verify_audit(session)
    creators = {(t, rid) for t, rid, _u in audited}
    for r in results:
        out = _export(client, headers, r.trial_id)
        for resource, table in tables.items():
            for row in out.get(resource, []):
                assert (table, row["id"]) in creators, (r.registry_id, table, row["id"])
    # Site users wrote the subject data (the admin only set up trials, sites and accounts).
    writers = {u for t, _rid, u in audited if t in ("labs", "adverse_events")}
    assert writers and all(u.startswith(("coordinator-", "investigator-")) for u in writers)
    assert result.ok, result.problems
    assert result.entries_checked > 1000


def test_a_second_load_skips_everything(loaded: Any) -> None:
    app, results, client, headers = loaded
    before = {r.trial_id: len(_export(client, headers, r.trial_id)["lab"]) for r in results}
    again = load_demo(app, max_screened=4, workers=2)
    assert [r.skipped for r in again] == [True] * 5
    assert {r.trial_id: len(_export(client, headers, r.trial_id)["lab"]) for r in again} == before
    trials = client.get("/api/v1/trials", headers=headers).json()
    assert trials["count"] == 5


def test_demo_accounts_are_site_scoped(loaded: Any) -> None:
    app, results, client, headers = loaded
    users = {u["username"]: u for u in client.get("/api/v1/users", headers=headers).json()["data"]}
    assert {"coordinator-s1", "coordinator-s2", "investigator-s1", "investigator-s2"} <= set(users)
    # A coordinator of S1 sees only S1's subjects.
    state = app.state.abscopal
    with state.db.writing() as session:
        token = accounts.issue_token(session, state.settings, user_id=users["coordinator-s1"]["id"],
                                     kind="bearer").token
    own = {"Authorization": f"Bearer {token}"}
    trial_id = results[0].trial_id
    seen = client.get(f"/api/v1/trials/{trial_id}/subjects", headers=own).json()["data"]
    assert {s["site_id"] for s in seen} <= set(users["coordinator-s1"]["site_ids"])
    data = results[0].data
    assert data is not None
    assert len(seen) == int((data.subjects["site_id"] == "S1").sum())
    assert isinstance(data.subjects, pd.DataFrame)


def test_derivations_ran_on_every_write(loaded: Any) -> None:
    # The service's own derivations (store.derive, store.derivations) ran on the demo writes,
    # exactly as for real data: RECIST per lesion assessment, CTCAE per lab, cumulative RT dose.
    _app, results, client, headers = loaded
    for r in results:
        out = _export(client, headers, r.trial_id)
        for resource, hook in (("lesion_assessment", "response"), ("lab", "ctcae"),
                               ("rt_delivery", "cumulative_dose")):
            for row in out.get(resource, []):
                derived = row["derived"] or {}
                assert hook in derived and "error" not in derived[hook], (r.registry_id, resource, row)


def test_cli_default_size_is_the_loaders() -> None:
    from abscopal.cli import demo as demo_cli
    from abscopal.demo import load

    assert demo_cli.DEFAULT_MAX_SCREENED == load.DEFAULT_MAX_SCREENED
