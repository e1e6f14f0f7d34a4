"""Fault tests: the server process is SIGKILLed in the middle of a write storm (SQLite and
PostgreSQL). Every write the server acknowledged must be there afterwards, complete (all lesion
rows, its audit entry), nothing half-written may appear, and the audit trail must verify."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from abscopal.store.audit import verify_audit
from abscopal.store.models import Lab, LesionAssessment, LesionMeasurement
from pg_cluster import free_port
from service_support import Seeded, fast_settings, migrated, seed, start_server

LESIONS = [{"lesion_label": f"T{i}", "category": "target", "organ": "liver", "diameter_mm": 10.0 + i}
           for i in range(1, 4)]


def _writer(base: str, token: str, stop: threading.Event, acked: dict[str, list[int]], n: int) -> None:
    """Post writes until stopped; a connection error (the kill) is recorded under "broken"."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=10.0) as client:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 2:
                    r = client.post(f"{base}/lesion-assessments", headers=headers, json={
                        "assessed_on": "2026-03-01", "timepoint": f"w{n}-{i}", "modality": "CT",
                        "lesions": LESIONS})
                    kind = "lesion_assessments"
                else:
                    r = client.post(f"{base}/labs", headers=headers, json={
                        "collected_on": "2026-03-01", "test": f"w{n}-{i}", "value": float(i), "unit": "g/L"})
                    kind = "labs"
            except httpx.HTTPError:
                acked["broken"].append(n)  # the server died under this writer
                return
            if r.status_code == 201:
                acked[kind].append(r.json()["id"])


def _kill_mid_write(url: str, seeded: Seeded) -> dict[str, list[int]]:
    port = free_port()
    proc = start_server(url, port)
    base = f"http://127.0.0.1:{port}/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}"
    stop = threading.Event()
    acked: dict[str, list[int]] = {"lesion_assessments": [], "labs": [], "broken": []}
    threads = [threading.Thread(target=_writer, args=(base, seeded.tokens["investigator"], stop, acked, n))
               for n in range(8)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 20
        while sum(map(len, acked.values())) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-write: writers are still sending
        proc.wait(timeout=10)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
        if proc.poll() is None:
            proc.kill()
    return acked


def _check_after_crash(url: str, seeded: Seeded, acked: dict[str, list[int]]) -> dict[str, Any]:
    db = migrated(fast_settings(url))
    try:
        with db.reading() as session:
            la_ids = set(session.execute(select(LesionAssessment.id)).scalars())
            lab_ids = set(session.execute(select(Lab.id)).scalars())
            assert set(acked["lesion_assessments"]) <= la_ids, "an acknowledged assessment was lost"
            assert set(acked["labs"]) <= lab_ids, "an acknowledged lab was lost"
            counts = dict(session.execute(
                select(LesionMeasurement.assessment_id, func.count()).group_by(LesionMeasurement.assessment_id)).all())
            seeded_la = seeded.records["lesion_assessment"]
            partial = {a: c for a, c in counts.items() if a != seeded_la and c != 3}
            assert partial == {}, "an assessment was stored without all its lesion rows"
            assert all(counts.get(a) for a in la_ids if a != seeded_la)
            result = verify_audit(session)
            assert result.ok, result.problems  # every row has its audit entry, chain intact
            return {"stored": len(la_ids) + len(lab_ids)}
    finally:
        db.dispose()


def _restart_and_write(url: str, seeded: Seeded) -> None:
    port = free_port()
    proc = start_server(url, port)
    try:
        r = httpx.post(f"http://127.0.0.1:{port}/api/v1/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs",
                       headers={"Authorization": f"Bearer {seeded.tokens['investigator']}"},
                       json={"collected_on": "2026-03-02", "test": "after-restart", "value": 1.0, "unit": "g/L"})
        assert r.status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_sigkill_mid_write_sqlite(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    settings = fast_settings(url)
    db = migrated(settings)
    seeded = seed(db, settings)
    db.dispose()
    acked = _kill_mid_write(url, seeded)
    assert len(acked["labs"]) + len(acked["lesion_assessments"]) >= 40
    assert acked["broken"], "the kill did not interrupt any writer"
    _check_after_crash(url, seeded, acked)
    _restart_and_write(url, seeded)


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_mid_write_postgres(postgres_url: str) -> None:
    settings = fast_settings(postgres_url)
    db = migrated(settings)
    seeded = seed(db, settings)
    db.dispose()
    acked = _kill_mid_write(postgres_url, seeded)
    assert len(acked["labs"]) + len(acked["lesion_assessments"]) >= 40
    assert acked["broken"], "the kill did not interrupt any writer"
    _check_after_crash(postgres_url, seeded, acked)
    _restart_and_write(postgres_url, seeded)
