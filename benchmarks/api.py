"""Load benchmark of the trial service: 50 concurrent clients on loopback, SQLite and PostgreSQL.

For each backend: migrate and seed a database, start ``abscopal serve`` on 127.0.0.1, then

1. baseline: the clients hammer ``GET /api/v1/health`` (no auth, no query) for the same time;
2. mixed load: each client loops over reads (a subject's labs page, one lab) and writes (a new lab,
   about one request in five) for a bounded time.

It prints requests/s and p50/p99 latency for reads and writes, the ratio of read throughput to the
baseline measured in the same run, and checks afterwards that every acknowledged write is stored.
Target (issue 7): p99 < 100 ms for reads at this load.

    python benchmarks/api.py [--seconds 10] [--clients 50] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from sqlalchemy import select  # noqa: E402

from abscopal.store.models import Lab  # noqa: E402
from pg_cluster import ThrowawayPostgres, free_port  # noqa: E402
from service_support import fast_settings, migrated, seed, start_server  # noqa: E402


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def _client(http: httpx.AsyncClient, base: str, headers: dict[str, str], lab_id: int, until: float,
                  reads: list[float], writes: list[float], acked: list[int], errors: list[str],
                  rng: random.Random) -> None:
    while time.monotonic() < until:
        write = rng.random() < 0.2
        t0 = time.perf_counter()
        try:
            if write:
                r = await http.post(f"{base}/labs", headers=headers, json={
                    "collected_on": "2026-03-01", "test": "bench", "value": rng.random(), "unit": "g/L"})
            elif rng.random() < 0.5:
                r = await http.get(f"{base}/labs?limit=20", headers=headers)
            else:
                r = await http.get(f"{base}/labs/{lab_id}", headers=headers)
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            continue
        elapsed = (time.perf_counter() - t0) * 1000
        if r.status_code >= 400:
            errors.append(str(r.status_code))
            continue
        if write:
            writes.append(elapsed)
            acked.append(r.json()["id"])
        else:
            reads.append(elapsed)


async def _baseline(http: httpx.AsyncClient, url: str, until: float, lat: list[float]) -> None:
    while time.monotonic() < until:
        t0 = time.perf_counter()
        r = await http.get(url)
        if r.status_code == 200:
            lat.append((time.perf_counter() - t0) * 1000)


async def drive(port: int, trial_id: int, subject_id: int, lab_id: int, token: str, *, clients: int,
                seconds: float) -> dict[str, object]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as http:
        base_lat: list[float] = []
        until = time.monotonic() + seconds
        await asyncio.gather(*(_baseline(http, f"http://127.0.0.1:{port}/api/v1/health", until, base_lat)
                               for _ in range(clients)))
        reads: list[float] = []
        writes: list[float] = []
        acked: list[int] = []
        errors: list[str] = []
        base = f"http://127.0.0.1:{port}/api/v1/trials/{trial_id}/subjects/{subject_id}"
        headers = {"Authorization": f"Bearer {token}"}
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(*(_client(http, base, headers, lab_id, until, reads, writes, acked, errors,
                                       random.Random(i)) for i in range(clients)))
        wall = time.monotonic() - t0
    return {"baseline_rps": len(base_lat) / seconds, "baseline_p50": pct(base_lat, 50),
            "reads": reads, "writes": writes, "acked": acked, "errors": errors, "wall": wall}


def run_backend(name: str, url: str, *, clients: int, seconds: float) -> dict[str, object]:
    settings = fast_settings(url)
    db = migrated(settings)
    s = seed(db, settings)
    with db.reading() as session:
        before = set(session.execute(select(Lab.id)).scalars())
    port = free_port()
    proc = start_server(url, port)
    try:
        out = asyncio.run(drive(port, s.trial_id, s.subject_a, s.records["lab"], s.tokens["investigator"],
                                clients=clients, seconds=seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with db.reading() as session:
        after = set(session.execute(select(Lab.id)).scalars())
    db.dispose()
    acked = set(out["acked"])  # type: ignore[arg-type]
    missing = acked - after
    reads: list[float] = out["reads"]  # type: ignore[assignment]
    writes: list[float] = out["writes"]  # type: ignore[assignment]
    wall: float = out["wall"]  # type: ignore[assignment]
    read_rps = len(reads) / wall
    result = {
        "backend": name,
        "clients": clients,
        "seconds": seconds,
        "baseline_health_rps": round(out["baseline_rps"], 1),  # type: ignore[arg-type]
        "read_rps": round(read_rps, 1),
        "read_p50_ms": round(pct(reads, 50), 1),
        "read_p99_ms": round(pct(reads, 99), 1),
        "write_rps": round(len(writes) / wall, 1),
        "write_p50_ms": round(pct(writes, 50), 1),
        "write_p99_ms": round(pct(writes, 99), 1),
        "read_rps_vs_baseline": round(read_rps / out["baseline_rps"], 3) if out["baseline_rps"] else None,  # type: ignore[operator]
        "errors": len(out["errors"]),  # type: ignore[arg-type]
        "writes_acknowledged": len(acked),
        "writes_missing_afterwards": len(missing),
        "new_rows_stored": len(after - before),
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run_backend("sqlite", f"sqlite:///{tmp}/bench.db", clients=args.clients,
                                           seconds=args.seconds))
        elif backend == "postgres":
            cluster = ThrowawayPostgres()
            cluster.start()
            try:
                results.append(run_backend("postgres", cluster.create_database(), clients=args.clients,
                                           seconds=args.seconds))
            finally:
                cluster.stop()
        else:
            parser.error(f"unknown backend {backend!r} (sqlite, postgres)")
    ok = True
    for r in results:
        print(f"== {r['backend']}: {r['clients']} clients, {r['seconds']} s on 127.0.0.1")
        for key, value in r.items():
            if key not in ("backend", "clients", "seconds"):
                print(f"  {key:28s} {value}")
        target = "met" if r["read_p99_ms"] < 100 else "NOT met"  # type: ignore[operator]
        print(f"  read p99 < 100 ms target: {target}")
        if r["writes_missing_afterwards"]:
            ok = False
            print("  ERROR: acknowledged writes are missing")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
