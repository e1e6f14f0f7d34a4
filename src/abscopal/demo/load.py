"""Load the five seed trials and their simulated subjects through the trial service's REST API.

Everything is written the way a real client would write it: HTTP requests to the FastAPI app
(in-process, ``fastapi.testclient.TestClient``) with real bearer tokens, so validation, site
scoping, derivations, allocation and the audit trail run exactly as for real data.

Rules
-----
1. Accounts: the admin (a token issued for the existing admin account) creates the trials from
   their protocol YAML, the demo sites and, per site, a coordinator and an investigator (their
   random passwords come back from the API once and are used at once to log in).
2. Who writes what: the site's coordinator registers subjects, saves screening snapshots, enrols,
   and records RT, drugs, imaging and labs; the site's investigator records adverse events,
   off-study and deaths.
3. Allocation is the service's own: at the moment of enrolment the simulator asks the service
   (``POST .../enrolment``) and simulates everything downstream for the arm the service chose
   (``simulate_trial(..., allocate=hook)``). Cohort facts (NCT05628038) and the simulator's
   stage (``facts.stage``, NCT06076135 / NCT06439888) go with the request; the demo serves with
   :class:`abscopal.store.staged.StagedAllocator` so staged protocols allocate within the stage.
4. Size: at most ``max_screened`` candidates per trial (default 10, about 8 enrolled at a 20 %
   screen-failure rate) and labs every 6 weeks (plus the protocol's RT-anchored lab visits)
   instead of the simulator's 3 weeks, so all five trials (~20,000 API requests) load in under
   a minute on 2 cores: the API has no bulk endpoints and every record is one request.
5. Mapping of simulated tables to records: one RT delivery per fraction and in-field target
   lesion (``target`` = the lesion label; intestinal low-dose RT: ``"intestine"``); implants are
   one delivery with ``dose_gy`` = D90 and the D90/V100/V150 metrics; one lesion assessment per
   imaging date (``baseline``, then ``week N``) holding every lesion measured that day; labs with
   their reference limits; AE attribution ``ici`` → probable, ``rt`` → possible, ``other`` →
   unlikely; off study at first progression; deaths.
6. A drug whose dose the protocol does not state gets a placeholder dose (:data:`PLACEHOLDER_DOSES`)
   and a note saying so.
7. Idempotent: a trial whose registry id is already in the service is skipped (reported with
   ``skipped=True``); existing demo sites and users are reused (users get a fresh password,
   audited, because the first one was shown only once).
8. Subjects are simulated (and enrolled) in accrual order; after that their records are written
   by ``workers`` client threads, one subject per thread at a time, kind by kind within a
   subject (the same requests, in parallel: SQLite serialises the writes).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from fastapi import FastAPI
from sqlalchemy import select

from abscopal.datasets import list_trial_ids, load_trial_text
from abscopal.demo.simulate import SimulationSettings, simulate_trial
from abscopal.errors import StoreError
from abscopal.protocol import DrugIntervention, Protocol, RadiationTechnique, parse_protocol_text
from abscopal.store import accounts
from abscopal.store.models import User
from abscopal.trialdata import TrialData

with warnings.catch_warnings():
    # Starlette's notice about its httpx dependency is for Starlette's maintainers, not users.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API = "/api/v1"
DEMO_SEED = 20261122
DEFAULT_MAX_SCREENED = 10
DEMO_LAB_EVERY_DAYS = 42
DEFAULT_WORKERS = 4

DEMO_SITES: tuple[tuple[str, str], ...] = (
    ("S1", "Riverside Cancer Centre"),
    ("S2", "Hillside University Hospital"),
)
"""(code, name) of the demo sites; the simulator's site ids are these codes."""

PLACEHOLDER_DOSES: tuple[tuple[str, float, str], ...] = (
    # (keyword in agent or drug class, amount, unit) — first match wins.
    ("toripalimab", 240.0, "mg"),
    ("pd-1", 200.0, "mg"),
    ("checkpoint", 200.0, "mg"),
    ("chemotherapy", 5.0, "AUC"),
)
"""Doses for drugs whose protocol states none (registry records often do not)."""

ATTRIBUTION = {"ici": "probable", "rt": "possible", "other": "unlikely"}


class DemoLoadError(StoreError):
    """The service refused a demo write (a bug in the loader or the service)."""


@dataclass(frozen=True)
class TrialLoad:
    """What the loader did for one trial."""

    registry_id: str
    trial_id: int
    skipped: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    data: TrialData | None = None
    seconds: float = 0.0


class _Api:
    """A bearer-authenticated JSON client; any non-2xx answer raises :class:`DemoLoadError`."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, API + path, json=body, headers=self.headers)
        if response.status_code >= 300:
            raise DemoLoadError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def get(self, path: str) -> Any:
        return self.call("GET", path)


def _login(client: TestClient, username: str, password: str) -> str:
    response = client.post(f"{API}/auth/login", json={"username": username, "password": password})
    if response.status_code != 200:
        raise DemoLoadError(f"login as {username} -> {response.status_code}: {response.text[:300]}")
    return str(response.json()["access_token"])


def _admin_token(app: FastAPI) -> str:
    """A bearer token for the first active admin, issued by the store (the CLI owns the database)."""
    state = app.state.abscopal
    with state.db.writing() as session:
        admin = session.execute(select(User).where(User.role == "admin", User.is_active.is_(True))
                                .order_by(User.id)).scalars().first()
        if admin is None:
            raise DemoLoadError("no active admin account: run `abscopal db init` first")
        return accounts.issue_token(session, state.settings, user_id=admin.id, kind="bearer").token


def _all(api: _Api, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        page = api.get(f"{path}{'&' if '?' in path else '?'}limit=500&offset={len(out)}")
        out += page["data"]
        if len(out) >= page["count"] or not page["data"]:
            return out


def _ensure_sites(admin: _Api) -> dict[str, int]:
    existing = {s["code"]: s["id"] for s in _all(admin, "/sites")}
    for code, name in DEMO_SITES:
        if code not in existing:
            existing[code] = admin.post("/sites", {"code": code, "name": name})["id"]
    return {code: existing[code] for code, _ in DEMO_SITES}


def _ensure_user(client: TestClient, admin: _Api, users: dict[str, dict[str, Any]], *,
                 username: str, role: str, site_id: int, full_name: str) -> _Api:
    if username in users:
        password = admin.post(f"/users/{users[username]['id']}/password-reset",
                              {"reason": "demo loader: new session for the demo account"})["password"]
    else:
        created = admin.post("/users", {"username": username, "role": role, "site_ids": [site_id],
                                        "full_name": full_name})
        password = created["password"]
    return _Api(client, _login(client, username, password))


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _rows(frame: pd.DataFrame, subject_id: str) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    part = frame[frame["subject_id"] == subject_id]
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in part.to_dict("records")]


def _dose(iv: DrugIntervention) -> tuple[float, str, str | None]:
    if iv.dose is not None:
        return float(iv.dose.amount), iv.dose.unit.value, None
    text = f"{iv.agent or ''} {iv.drug_class or ''}".lower()
    for keyword, amount, unit in PLACEHOLDER_DOSES:
        if keyword in text:
            return amount, unit, "dose not stated in the protocol; demo placeholder"
    return 1.0, "mg", "dose not stated in the protocol; demo placeholder"


class _TrialLoader:
    def __init__(self, protocol: Protocol, trial_id: int, sites: Mapping[str, int],
                 coordinators: Mapping[str, _Api], investigators: Mapping[str, _Api]) -> None:
        self.p = protocol
        self.trial_id = trial_id
        self.sites = sites
        self.coord = coordinators
        self.inv = investigators
        self.db_ids: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def _count(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def _subject_path(self, sim_id: str) -> str:
        return f"/trials/{self.trial_id}/subjects/{self.db_ids[sim_id]}"

    def register(self, row: Mapping[str, Any], *, eligible: bool, fail_reason: str | None) -> None:
        api = self.coord[str(row["site_id"])]
        created = api.post(f"/trials/{self.trial_id}/subjects", {
            "site_id": self.sites[str(row["site_id"])], "screening_id": f"SCR-{row['subject_id']}",
            "consent_date": _iso(row["consent_date"])})
        self.db_ids[str(row["subject_id"])] = created["id"]
        self._count("subjects")
        criteria = []
        for c in self.p.eligibility:
            failed = not eligible and c.id == fail_reason
            criteria.append({"id": c.id, "result": "not_met" if failed else "met",
                             "reason": "simulated screen failure" if failed else None})
        if not eligible and not any(c["result"] == "not_met" for c in criteria):
            criteria.append({"id": "unspecified", "result": "not_met",
                             "reason": "simulated screen failure (the record lists no criteria)"})
        api.post(self._subject_path(str(row["subject_id"])) + "/screening-results", {
            "screened_on": _iso(row["consent_date"]), "eligible": eligible, "criteria": criteria,
            "engine": "demo-simulator"})
        self._count("screening_results")

    def allocate(self, row: Mapping[str, Any], facts: dict[str, Any]) -> tuple[str, str | None]:
        """The simulator's allocation hook: register, screen and enrol through the API."""
        self.register(row, eligible=True, fail_reason=None)
        out = self.coord[str(row["site_id"])].post(
            self._subject_path(str(row["subject_id"])) + "/enrolment",
            {"enrolled_on": _iso(row["enrolment_date"]), "facts": facts})
        self._count("enrolments")
        allocation = out["allocation"]
        return str(allocation["arm_id"]), allocation.get("stage_id")

    def write(self, data: TrialData, *, workers: int = 1) -> None:
        rows = data.subjects.to_dict("records")
        for row in rows:
            if row["screening_outcome"] != "eligible":
                self.register(row, eligible=False, fail_reason=row["screen_fail_reason"])
        enrolled = [r for r in rows if r["screening_outcome"] == "eligible"]
        if workers <= 1:
            for row in enrolled:
                self.write_subject(data, row)
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda r: self.write_subject(data, r), enrolled))

    def write_subject(self, data: TrialData, row: Mapping[str, Any]) -> None:
        sid = str(row["subject_id"])
        site = str(row["site_id"])
        coord, inv, base = self.coord[site], self.inv[site], self._subject_path(sid)
        lesions = {str(r["lesion_id"]): r for r in _rows(data.lesions, sid)}
        in_field = [lid for lid, r in lesions.items() if r["in_field"] is True]
        metrics = {(str(r["intervention_id"]), str(r["metric"])): float(r["value"])
                   for r in _rows(data.dose_metrics, sid)}
        ivs = {i.id: i for i in self.p.interventions}
        for fx in _rows(data.rt_fractions, sid):
            iv = ivs[str(fx["intervention_id"])]
            technique = getattr(iv, "technique", None)
            own = {m: v for (i, m), v in metrics.items() if i == iv.id}
            if technique is RadiationTechnique.I125_SEED_IMPLANT:
                targets, dose = (in_field[:1] or ["implant"]), own.get("D90", 1.0)
            else:
                dose = float(fx["dose_gy"])
                targets = (["intestine"] if technique is RadiationTechnique.INTESTINAL_LOW_DOSE_RT
                           else in_field or ["unspecified"])
            for target in targets:
                coord.post(base + "/rt-deliveries", {
                    "intervention_id": iv.id, "target": target,
                    "fraction_number": int(fx["fraction_number"]),
                    "delivered_on": _iso(fx["fraction_date"]), "dose_gy": dose,
                    "dose_metrics": own})
                self._count("rt_deliveries")
        for admin_row in _rows(data.drug_admins, sid):
            iv = ivs[str(admin_row["intervention_id"])]
            assert isinstance(iv, DrugIntervention)
            amount, unit, note = _dose(iv)
            coord.post(base + "/drug-administrations", {
                "intervention_id": iv.id, "agent": str(admin_row["agent"]),
                "administered_on": _iso(admin_row["admin_date"]), "dose_amount": amount,
                "dose_unit": unit, "cycle": int(admin_row["cycle"]), "notes": note})
            self._count("drug_administrations")
        by_date: dict[str, list[dict[str, Any]]] = {}
        for m in _rows(data.lesion_measurements, sid):
            by_date.setdefault(str(_iso(m["assessment_date"])), []).append(m)
        first = min(by_date) if by_date else None
        for day in sorted(by_date):
            weeks = (dt.date.fromisoformat(day) - dt.date.fromisoformat(str(first))).days // 7
            coord.post(base + "/lesion-assessments", {
                "assessed_on": day, "timepoint": "baseline" if day == first else f"week {weeks}",
                "modality": "CT", "criteria": "recist_1_1",
                "lesions": [{"lesion_label": str(m["lesion_id"]),
                             "category": str(lesions[str(m["lesion_id"])]["role"]),
                             "organ": str(lesions[str(m["lesion_id"])]["organ"]),
                             "is_nodal": bool(lesions[str(m["lesion_id"])]["is_nodal"]),
                             "diameter_mm": m["diameter_mm"], "status": m["status"]}
                            for m in by_date[day]]})
            self._count("lesion_assessments")
        for lab in _rows(data.labs, sid):
            coord.post(base + "/labs", {
                "collected_on": _iso(lab["lab_date"]), "test": str(lab["test"]),
                "value": float(lab["value"]), "unit": str(lab["unit"]),
                "lower_limit": lab["lln"], "upper_limit": lab["uln"]})
            self._count("labs")
        for ae in _rows(data.adverse_events, sid):
            inv.post(base + "/adverse-events", {
                "term": str(ae["term"]), "onset_date": _iso(ae["onset_date"]),
                "resolved_date": _iso(ae["resolution_date"]), "grade": int(ae["grade"]),
                "serious": bool(ae["serious"]), "attribution": ATTRIBUTION[str(ae["attribution"])],
                "outcome": "resolved" if ae["resolution_date"] is not None else "ongoing"})
            self._count("adverse_events")
        if row["off_study_date"] is not None:
            inv.post(base + "/off-study", {"off_date": _iso(row["off_study_date"]),
                                           "reason_text": str(row["off_study_reason"])})
            self._count("off_study")
        if row["death_date"] is not None:
            inv.post(base + "/deaths", {"death_date": _iso(row["death_date"]),
                                        "cause": str(row["death_cause"])})
            self._count("deaths")


@contextmanager
def _clients(app: FastAPI) -> Iterator[tuple[TestClient, _Api]]:
    with TestClient(app, base_url="http://demo.local", raise_server_exceptions=True) as client:
        admin = _Api(client, _admin_token(app))
        try:
            yield client, admin
        finally:
            client.post(f"{API}/auth/logout", headers=admin.headers)


def load_demo(app: FastAPI, *, seed: int = DEMO_SEED, max_screened: int = DEFAULT_MAX_SCREENED,
              trial_ids: tuple[str, ...] | None = None,
              workers: int = DEFAULT_WORKERS) -> list[TrialLoad]:
    """Create the built-in trials and write their simulated subjects through the API.

    Parameters
    ----------
    app : FastAPI
        The service app (``abscopal.api.create_app`` or the web app), on a migrated database
        with an admin account. Serve it with ``StagedAllocator`` for the staged seed trials.
    seed : int
        Simulator seed (each trial uses ``seed`` and its own protocol).
    max_screened : int
        Candidates screened per trial (module Rule 4).
    trial_ids : tuple of str, optional
        Registry ids to load (default: every built-in trial).
    workers : int
        Client threads writing different subjects' records at once (module Rule 8).

    Returns
    -------
    list of TrialLoad
        One per trial, with the counts written and the simulated data (None when skipped).
    """
    wanted = trial_ids or tuple(list_trial_ids())
    results: list[TrialLoad] = []
    with _clients(app) as (client, admin):
        existing = {t["registry_id"]: t["id"] for t in _all(admin, "/trials")}
        todo = [t for t in wanted if t not in existing]
        results += [TrialLoad(t, existing[t], skipped=True) for t in wanted if t in existing]
        if not todo:
            return results
        sites = _ensure_sites(admin)
        users = {u["username"]: u for u in _all(admin, "/users")}
        coordinators, investigators = {}, {}
        for code, site_id in sites.items():
            low = code.lower()
            coordinators[code] = _ensure_user(client, admin, users, username=f"coordinator-{low}",
                                              role="coordinator", site_id=site_id,
                                              full_name=f"Demo coordinator ({code})")
            investigators[code] = _ensure_user(client, admin, users, username=f"investigator-{low}",
                                               role="investigator", site_id=site_id,
                                               full_name=f"Demo investigator ({code})")
        for registry_id in todo:
            started = time.perf_counter()
            text = load_trial_text(registry_id)
            trial = admin.post("/trials", {"protocol_yaml": text})
            protocol = parse_protocol_text(text, source=registry_id)
            loader = _TrialLoader(protocol, trial["id"], sites, coordinators, investigators)
            data = simulate_trial(protocol, SimulationSettings(seed=seed, n_screened=max_screened,
                                                     lab_every_days=DEMO_LAB_EVERY_DAYS),
                                  allocate=loader.allocate)
            loader.write(data, workers=workers)
            results.append(TrialLoad(registry_id, trial["id"], skipped=False,
                                     counts=dict(loader.counts), data=data,
                                     seconds=time.perf_counter() - started))
        for api in (*coordinators.values(), *investigators.values()):
            client.post(f"{API}/auth/logout", headers=api.headers)
    order = {t: i for i, t in enumerate(wanted)}
    return sorted(results, key=lambda r: order[r.registry_id])


__all__ = ["DEMO_SEED", "DEMO_SITES", "DemoLoadError", "PLACEHOLDER_DOSES", "TrialLoad",
           "load_demo"]
