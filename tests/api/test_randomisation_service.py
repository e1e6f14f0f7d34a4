"""The service allocates by each seed trial's own design (store.randomiser), through the API.

Built-in protocols (``abscopal.datasets.load_trial_text``) are registered by the admin; site users
enrol subjects; the stage gates are explicit admin actions; the concealed sequence is readable by
no site role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from abscopal.api.main import create_app
from abscopal.datasets import load_trial_text
from service_support import ROLES, Seeded, auth, fast_settings, migrated, seed


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Seeded]]:
    path: Path = tmp_path_factory.mktemp("rand") / "trial.db"
    settings = fast_settings(f"sqlite:///{path}")
    db = migrated(settings)
    seeded = seed(db, settings)
    with TestClient(create_app(settings, database=db)) as client:
        yield client, seeded
    db.dispose()


def _register(client: TestClient, s: Seeded, text: str) -> int:
    r = client.post("/api/v1/trials", headers=auth(s, "admin"), json={"protocol_yaml": text})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


_counter = iter(range(1, 10_000))


def _enrol(client: TestClient, s: Seeded, trial_id: int, facts: dict[str, Any] | None = None,
           stratum: dict[str, str] | None = None) -> Any:
    r = client.post(f"/api/v1/trials/{trial_id}/subjects", headers=auth(s, "investigator"),
                    json={"site_id": s.site_a, "screening_id": f"S-{next(_counter)}"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    return client.post(f"/api/v1/trials/{trial_id}/subjects/{sid}/enrolment",
                       headers=auth(s, "investigator"),
                       json={"enrolled_on": "2026-03-02", "facts": facts or {}, "stratum": stratum or {}})


def _gate(client: TestClient, s: Seeded, trial_id: int, role: str = "admin", **body: Any) -> Any:
    return client.post(f"/api/v1/trials/{trial_id}/stages/gate", headers=auth(s, role),
                       json={"reason": "DSMB meeting 2026-04-01", **body})


def test_nct06120127_randomises_1_to_1_in_permuted_blocks(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    tid = _register(client, s, load_trial_text("NCT06120127"))
    arms = []
    for _ in range(12):
        r = _enrol(client, s, tid)
        assert r.status_code == 201, r.text
        alloc = r.json()["allocation"]
        assert alloc["method"] == "permuted_blocks/1" and alloc["stage_id"] is None
        arms.append(alloc["arm_id"])
    assert set(arms) <= {"chemo_rt_io", "chemo"}
    # blocks of 2 or 4 under 1:1: the running imbalance never exceeds 2, and 12 = whole blocks
    # only if the last block closed; at most 2 either way
    c = Counter(arms)
    assert abs(c["chemo_rt_io"] - c["chemo"]) <= 2
    for k in range(1, len(arms) + 1):
        ck = Counter(arms[:k])
        assert abs(ck["chemo_rt_io"] - ck["chemo"]) <= 2


def test_strata_from_the_protocol_need_the_fact(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    text = load_trial_text("NCT06120127").replace("NCT06120127", "NCT99000001").replace(
        "    kind: randomised\n    ratio: 1\n", "    kind: randomised\n    ratio: 1\n    strata: [ecog]\n")
    tid = _register(client, s, text)
    r = _enrol(client, s, tid, facts={"age": 60})
    assert r.status_code == 422
    assert "facts.ecog" in r.json()["error"]["message"]
    by_stratum: dict[int, list[str]] = {0: [], 1: []}
    for i in range(8):
        ecog = i % 2
        r = _enrol(client, s, tid, facts={"ecog": ecog})
        assert r.status_code == 201, r.text
        by_stratum[ecog].append(r.json()["allocation"]["arm_id"])
    # the admin sees the stratum key; each stratum has its own list starting at position 1
    # and the sequence position is concealed from site roles
    r = client.get(f"/api/v1/trials/{tid}/audit?table=allocations", headers=auth(s, "admin"))
    keys = {e["after"]["stratum_key"] for e in r.json()["data"]}
    assert keys == {"ecog=0", "ecog=1"}
    for arms in by_stratum.values():
        assert abs(arms.count("chemo_rt_io") - arms.count("chemo")) <= 2


def test_nct05628038_cohort_from_facts(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    tid = _register(client, s, load_trial_text("NCT05628038"))
    r = _enrol(client, s, tid, facts={"prior_first_line_chemotherapy": False})
    assert r.status_code == 201, r.text
    assert r.json()["allocation"]["arm_id"] == "cohort_a"
    assert r.json()["allocation"]["method"] == "cohort_rule/1"
    r = _enrol(client, s, tid, facts={"prior_first_line_chemotherapy": True,
                                      "progressed_after_first_line_chemotherapy": True})
    assert r.json()["allocation"]["arm_id"] == "cohort_b"
    # missing fact: 422 naming it; nothing enrolled
    r = _enrol(client, s, tid, facts={"prior_first_line_chemotherapy": True})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith(
        "'facts.progressed_after_first_line_chemotherapy' is needed to assign a NCT05628038 cohort")
    r = _enrol(client, s, tid, facts={})
    assert r.status_code == 422 and "prior_first_line_chemotherapy" in r.json()["error"]["message"]
    # no cohort fits: prior chemotherapy without progression
    r = _enrol(client, s, tid, facts={"prior_first_line_chemotherapy": True,
                                      "progressed_after_first_line_chemotherapy": False})
    assert r.status_code == 422
    assert "match no NCT05628038 cohort" in r.json()["error"]["message"]


def test_nct06439888_run_in_then_gate_then_1_to_1(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    tid = _register(client, s, load_trial_text("NCT06439888"))
    stages = client.get(f"/api/v1/trials/{tid}/stages", headers=auth(s, "investigator")).json()
    assert stages["open_stage_id"] == "part1"
    assert [(x["stage_id"], x["method"]) for x in stages["stages"]] == [
        ("part1", "all"), ("part2", "randomised")]
    for _ in range(3):
        alloc = _enrol(client, s, tid).json()["allocation"]
        assert (alloc["arm_id"], alloc["stage_id"]) == ("run_in", "part1")
    # a site role cannot move the trial to part II
    assert _gate(client, s, tid, role="investigator", evaluable=3, decision=True).status_code == 403
    # the safety run-in states no size or DLT bound: a recorded decision is required
    r = _gate(client, s, tid, evaluable=3, dlts=0)
    assert r.status_code == 409 and "give 'decision'" in r.json()["error"]["message"]
    r = _gate(client, s, tid, evaluable=3, dlts=0, decision=True)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["open_stage_id"] == "part2"
    assert body["gates"][0]["status"] == "continue" and body["gates"][0]["opened_stage_id"] == "part2"
    arms = [_enrol(client, s, tid).json()["allocation"] for _ in range(8)]
    assert {a["stage_id"] for a in arms} == {"part2"}
    assert {a["arm_id"] for a in arms} <= {"sbrt_atra", "sbrt_alone"}
    assert abs(sum(a["arm_id"] == "sbrt_atra" for a in arms) - 4) <= 1
    # the gate is an audited event with its reason
    trail = client.get(f"/api/v1/trials/{tid}/audit?table=stage_gates", headers=auth(s, "admin")).json()
    assert [(e["action"], e["reason"]) for e in trail["data"]] == [("stage_gate", "DSMB meeting 2026-04-01")]
    # part II is the last stage: no further gate
    assert _gate(client, s, tid, evaluable=8, decision=True).status_code == 422


def test_nct06076135_stage_one_fills_then_gate_opens_stage_two(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    tid = _register(client, s, load_trial_text("NCT06076135"))
    for _ in range(16):
        alloc = _enrol(client, s, tid).json()["allocation"]
        assert (alloc["arm_id"], alloc["stage_id"]) == ("stage_1", "stage1")
    r = _enrol(client, s, tid)
    assert r.status_code == 409
    assert r.json()["error"]["message"] == (
        "stage 'stage1' is full (16 of 16 allocated); its gate must open the next stage")
    r = _gate(client, s, tid, evaluable=16, responses=5, decision=True)
    assert r.status_code == 201, r.text
    alloc = _enrol(client, s, tid).json()["allocation"]
    assert (alloc["arm_id"], alloc["stage_id"]) == ("stage_2", "stage2")


def test_a_stop_gate_closes_enrolment(env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    text = load_trial_text("NCT06076135").replace("NCT06076135", "NCT99000002")
    tid = _register(client, s, text)
    assert _enrol(client, s, tid).status_code == 201
    r = _gate(client, s, tid, evaluable=1, decision=False)
    assert r.status_code == 201 and r.json()["enrolment_stopped"] is True
    r = _enrol(client, s, tid)
    assert r.status_code == 409 and "stopped by stage gate" in r.json()["error"]["message"]


def test_nct07277777_randomised_and_blinded_reviewer_sees_no_stage_or_arm(
        env: tuple[TestClient, Seeded]) -> None:
    client, s = env
    tid = _register(client, s, load_trial_text("NCT07277777"))
    r = _enrol(client, s, tid)
    assert r.status_code == 201
    assert r.json()["allocation"]["arm_id"] in {"seed_ici", "ici_alone"}
    assert client.get(f"/api/v1/trials/{tid}/stages", headers=auth(s, "imaging_reviewer")).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_no_role_but_admin_sees_the_sequence_position(env: tuple[TestClient, Seeded], role: str) -> None:
    """Concealment: no endpoint serves the slot table; the position and stratum key of an
    allocation are shown to admins only, and site roles' responses never carry them."""
    client, s = env
    tid = _register(client, s, load_trial_text("NCT06120127").replace("NCT06120127", f"NCT9900010{ROLES.index(role)}"))
    r = _enrol(client, s, tid)
    sid = r.json()["allocation"]["subject_id"]
    got = client.get(f"/api/v1/trials/{tid}/subjects/{sid}/allocation", headers=auth(s, role))
    trail = client.get(f"/api/v1/trials/{tid}/audit", headers=auth(s, role))
    if role == "admin":
        assert got.json()["sequence_position"] == 1
        assert "sequence_position" in trail.text
    else:
        for resp in (r, got, trail):
            assert "sequence_position" not in resp.text and "stratum_key" not in resp.text
