"""Benchmark: server render time of the trial dashboard and a subject page with 500 subjects.

Run: python benchmarks/web.py [--quick]. Seeds a temporary SQLite trial (the service's test
protocol: two randomised arms) through the store: N enrolled subjects at two sites, each with a
baseline and two follow-up lesion assessments, two labs, an AE, an RT fraction and a drug
administration. Requests go through the ASGI app in-process (no network), so the time measured
is the server's: routing, session check, queries, core derivations and template rendering.

Reported: cold (first request after start: the response-derivation cache is empty) and warm
(median of repeats), and, as the baseline measured in the same run, the REST API's JSON read of
one subject (same authentication and permission check, no page). Target: < 300 ms.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from abscopal.store import repo  # noqa: E402
from abscopal.store.audit import SYSTEM  # noqa: E402
from abscopal.store.models import (  # noqa: E402
    AdverseEvent,
    DrugAdministration,
    Lab,
    LesionAssessment,
    RtDelivery,
    Subject,
)
from abscopal.web import create_web_app  # noqa: E402
from service_support import fast_settings, migrated, seed  # noqa: E402


def populate(n: int) -> tuple[object, int, int, object]:
    tmp = tempfile.mkdtemp(prefix="abscopal-webbench-")
    settings = fast_settings(f"sqlite:///{tmp}/bench.db", sqlite_synchronous="NORMAL")
    db = migrated(settings)
    seeded = seed(db, settings)
    start = dt.date(2025, 1, 6)
    last = 0
    with db.writing() as session:
        from abscopal.store.models import Trial

        trial = session.get(Trial, seeded.trial_id)
        pv = trial.current_version_id  # type: ignore[union-attr]
        for i in range(n):
            site = seeded.site_a if i % 2 == 0 else seeded.site_b
            day0 = start + dt.timedelta(days=i % 200)
            s = repo.create_record(session, Subject, actor=SYSTEM, values={
                "trial_id": seeded.trial_id, "site_id": site, "screening_id": f"B-{i:04d}",
                "consent_date": day0, "protocol_version_id": pv})
            repo.enrol_subject(session, actor=SYSTEM, subject=s, enrolled_on=day0, stratum={}, facts={})
            common = {"subject_id": s.id, "protocol_version_id": pv}
            for k, (weeks, t1, t2) in enumerate(((0, 40.0, 22.0), (8, 26.0 + i % 7, 15.0), (16, 24.0 + i % 19, 16.0))):
                repo.create_record(session, LesionAssessment, actor=SYSTEM, values={
                    **common, "assessed_on": day0 + dt.timedelta(weeks=weeks), "timepoint": f"tp{k}",
                    "modality": "CT", "criteria": "recist_1_1",
                    "lesions": [{"lesion_label": "T1", "category": "target", "organ": "liver", "diameter_mm": t1},
                                {"lesion_label": "T2", "category": "target", "organ": "lung", "diameter_mm": t2},
                                {"lesion_label": "NT1", "category": "non_target", "organ": "bone",
                                 "status": "present"}]})
            for w, value in ((0, 1.6), (6, 0.4 + (i % 10) / 10)):
                repo.create_record(session, Lab, actor=SYSTEM, values={
                    **common, "collected_on": day0 + dt.timedelta(weeks=w), "test": "Lymphocyte count decreased",
                    "value": value, "unit": "10^9/L", "lower_limit": 1.0, "upper_limit": 4.0})
            repo.create_record(session, AdverseEvent, actor=SYSTEM, values={
                **common, "term": "Fatigue", "onset_date": day0 + dt.timedelta(days=10), "grade": 1 + i % 3})
            repo.create_record(session, RtDelivery, actor=SYSTEM, values={
                **common, "intervention_id": "seeds", "target": "liver", "fraction_number": 1,
                "delivered_on": day0 + dt.timedelta(days=1), "dose_gy": 8.0, "dose_metrics": {"D90": 120.0}})
            repo.create_record(session, DrugAdministration, actor=SYSTEM, values={
                **common, "intervention_id": "pd1", "agent": "sintilimab", "administered_on": day0 + dt.timedelta(days=2),
                "dose_amount": 200.0, "dose_unit": "mg", "cycle": 1})
            last = s.id
    return seeded, seeded.trial_id, last, db


def timed(client: TestClient, url: str, repeat: int) -> tuple[float, float]:
    t = time.perf_counter()
    r = client.get(url)
    cold = time.perf_counter() - t
    assert r.status_code == 200, (url, r.status_code)
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - t)
    return cold * 1000, statistics.median(warm) * 1000


def main() -> None:
    quick = "--quick" in sys.argv
    n = 100 if quick else 500
    repeat = 5 if quick else 15
    t0 = time.perf_counter()
    seeded, trial_id, subject_id, db = populate(n)
    print(f"seeded {n} subjects (+ the 2 of the service seed) in {time.perf_counter() - t0:.1f} s")
    app = create_web_app(seeded.settings, database=db)  # type: ignore[attr-defined]
    with TestClient(app) as c:
        page = c.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        c.post("/login", data={"username": "u_admin", "password": seeded.passwords["admin"],  # type: ignore[attr-defined]
                               "csrf_token": token})
        base_cold, base = timed(c, f"/api/v1/trials/{trial_id}/subjects/{subject_id}", repeat)
        rows = [("dashboard", f"/trials/{trial_id}"),
                ("subject page", f"/trials/{trial_id}/subjects/{subject_id}"),
                ("KM plot (SVG)", f"/trials/{trial_id}/plots/km.svg?endpoint=pfs")]
        print(f"baseline: REST API JSON read of one subject: {base:.1f} ms (median of {repeat})")
        print(f"{'page':<16}{'cold ms':>10}{'warm ms':>10}{'x baseline':>12}  target < 300 ms")
        for name, url in rows:
            cold, warm = timed(c, url, repeat)
            flag = "ok" if warm < 300 else "SLOW"
            print(f"{name:<16}{cold:>10.1f}{warm:>10.1f}{warm / base:>12.1f}  {flag}")
    db.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
