"""Shared helpers for the service tests: fast settings, a migrated database, a seeded trial.

Not a test module; imported by tests/api and tests/store conftests and by benchmarks/api.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from abscopal.config import Settings
from abscopal.store import accounts, repo
from abscopal.store.audit import SYSTEM
from abscopal.store.db import Database, open_database
from abscopal.store.migrate import upgrade_database
from abscopal.store.models import (
    AdverseEvent,
    CalendarEntry,
    Death,
    DrugAdministration,
    Lab,
    LesionAssessment,
    OffStudy,
    RtDelivery,
    ScreeningResult,
    Site,
    Subject,
)

TEST_PROTOCOL = Path(__file__).resolve().parent / "data" / "service" / "randomised_blinded.yaml"
ARM_STRINGS = ("armqzcombo", "armqzcontrol", "Zircon combination arm", "Zircon control arm")
"""Every string that would reveal an arm of the test trial."""

ROLES = ("admin", "investigator", "coordinator", "imaging_reviewer", "statistician", "monitor")

# argon2 at its cheapest: tests exercise the logic, not the cost.
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "secure_cookies": False}


def auth(seeded: Seeded, role: str) -> dict[str, str]:
    """Authorization header of the seeded user with ``role``."""
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def fast_settings(url: str, **overrides: object) -> Settings:
    return Settings(database_url=url, **{**FAST, **overrides})  # type: ignore[arg-type]


def migrated(settings: Settings) -> Database:
    db = open_database(settings)
    upgrade_database(db.engine)
    return db


@dataclass
class Seeded:
    """A trial with two sites, one user per role (site users at site A), subjects at A and B,
    subject A enrolled and holding one record of every type."""

    db: Database
    settings: Settings
    trial_id: int = 0
    site_a: int = 0
    site_b: int = 0
    subject_a: int = 0
    subject_b: int = 0
    user_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)


def seed(db: Database, settings: Settings) -> Seeded:
    s = Seeded(db=db, settings=settings)
    today = dt.date(2026, 1, 5)
    with db.writing() as session:
        a = repo.create_record(session, Site, actor=SYSTEM, values={"code": "A", "name": "Site A"})
        b = repo.create_record(session, Site, actor=SYSTEM, values={"code": "B", "name": "Site B"})
        s.site_a, s.site_b = a.id, b.id
        for role in ROLES:
            sites = [a.id] if role in ("investigator", "coordinator", "monitor") else []
            user, pw = accounts.create_user(session, settings, actor=SYSTEM, username=f"u_{role}",
                                            role=role, site_ids=sites)
            s.user_ids[role] = user.id
            s.passwords[role] = pw
        other, pw = accounts.create_user(session, settings, actor=SYSTEM, username="u_investigator_b",
                                         role="investigator", site_ids=[b.id])
        s.user_ids["investigator_b"] = other.id
        trial = repo.create_trial(session, actor=SYSTEM, protocol_yaml=TEST_PROTOCOL.read_text())
        s.trial_id = trial.id
        pv = trial.current_version_id
        subj_a = repo.create_record(session, Subject, actor=SYSTEM, values={
            "trial_id": trial.id, "site_id": a.id, "screening_id": "A-001", "consent_date": today,
            "protocol_version_id": pv})
        subj_b = repo.create_record(session, Subject, actor=SYSTEM, values={
            "trial_id": trial.id, "site_id": b.id, "screening_id": "B-001", "consent_date": today,
            "protocol_version_id": pv})
        s.subject_a, s.subject_b = subj_a.id, subj_b.id
        repo.enrol_subject(session, actor=SYSTEM, subject=subj_a, enrolled_on=today, stratum={}, facts={})
        common = {"subject_id": subj_a.id, "protocol_version_id": pv}
        values = {
            "screening_result": (ScreeningResult, {"screened_on": today, "eligible": True,
                                                   "criteria": [{"id": "adult", "result": "met"}]}),
            "calendar_entry": (CalendarEntry, {"kind": "drug", "item_id": "pd1", "label": "PD-1 c1",
                                               "due_date": today}),
            "rt_delivery": (RtDelivery, {"intervention_id": "seeds", "target": "liver", "fraction_number": 1,
                                         "delivered_on": today, "dose_gy": 8.0, "dose_metrics": {}}),
            "drug_administration": (DrugAdministration, {"intervention_id": "pd1", "agent": "sintilimab",
                                                         "administered_on": today, "dose_amount": 200.0,
                                                         "dose_unit": "mg"}),
            "lesion_assessment": (LesionAssessment, {"assessed_on": today, "timepoint": "baseline",
                                                     "modality": "CT", "criteria": "recist_1_1",
                                                     "lesions": [{"lesion_label": "T1", "category": "target",
                                                                  "organ": "liver", "is_nodal": False,
                                                                  "diameter_mm": 30.0, "status": None}]}),
            "lab": (Lab, {"collected_on": today, "test": "neutrophils", "value": 1.2, "unit": "10^9/L",
                          "lower_limit": 2.0, "upper_limit": 7.5}),
            "adverse_event": (AdverseEvent, {"term": "Fatigue", "onset_date": today, "grade": 2,
                                             "serious": False, "attribution": "possible"}),
            "off_study": (OffStudy, {"off_date": today, "reason_text": "completed"}),
            "death": (Death, {"death_date": today, "cause": "disease progression"}),
        }
        for resource, (model, vals) in values.items():
            row = repo.create_record(session, model, actor=SYSTEM, values={**common, **vals})
            s.records[resource] = row.id
        unb = repo.unblind_subject(session, actor=SYSTEM, subject=subj_a, reason="seed: emergency")
        s.records["unblinding"] = unb.id
        s.records["protocol_version"] = pv or 0
    with db.writing() as session:
        for role in (*ROLES, "investigator_b"):
            s.tokens[role] = accounts.issue_token(session, settings, user_id=s.user_ids[role], kind="bearer").token
    return s


__all__ = ["ARM_STRINGS", "FAST", "ROLES", "TEST_PROTOCOL", "Seeded", "fast_settings", "migrated", "seed",
           "auth", "server_env", "start_server"]


# --- a real server process (fault tests, benchmark) -------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update({"ABSCOPAL_ARGON2_TIME_COST": "1", "ABSCOPAL_ARGON2_MEMORY_KIB": "64",
                "ABSCOPAL_SECURE_COOKIES": "false"})
    return env


def start_server(url: str, port: int, *, timeout_s: float = 60.0, workers: int = 1) -> subprocess.Popen[bytes]:
    """``abscopal serve`` in a child process on 127.0.0.1:port; returns once /health answers."""
    import tempfile

    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-m", "abscopal.cli.main", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--db", url, "--no-upgrade", "--workers", str(workers)],
            env=server_env(), stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1.0).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.1)
        proc.kill()
        proc.wait()
    raise RuntimeError("server did not become healthy in time")
