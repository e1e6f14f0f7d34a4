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
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

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


class Conn:
    """A minimal keep-alive HTTP/1.1 client over asyncio streams.

    httpx costs about a millisecond of CPU per request, which on a 2-core machine would be
    measured as server latency; this client does only what the benchmark needs.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines.append("Content-Type: application/json")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _client(port: int, base: str, headers: dict[str, str], lab_id: int, until: float,
                  reads: list[float], writes: list[float], acked: list[int], errors: list[str],
                  rng: random.Random, think_s: float) -> None:
    conn = Conn(port)
    if think_s:
        await asyncio.sleep(rng.random() * think_s)  # paced users arrive spread out, not as one burst
    try:
        while time.monotonic() < until:
            write = rng.random() < 0.2
            t0 = time.perf_counter()
            try:
                if write:
                    body = json.dumps({"collected_on": "2026-03-01", "test": "bench", "value": rng.random(),
                                       "unit": "g/L"}).encode()
                    status, payload = await conn.request("POST", f"{base}/labs", headers, body)
                elif rng.random() < 0.5:
                    status, payload = await conn.request("GET", f"{base}/labs?limit=20", headers)
                else:
                    status, payload = await conn.request("GET", f"{base}/labs/{lab_id}", headers)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = Conn(port)
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            if status >= 400:
                errors.append(str(status))
            elif write:
                writes.append(elapsed)
                acked.append(json.loads(payload)["id"])
            else:
                reads.append(elapsed)
            if think_s:
                await asyncio.sleep(think_s * (0.5 + rng.random()))
    finally:
        conn.close()


async def _baseline(port: int, until: float, lat: list[float], think_s: float, rng: random.Random) -> None:
    conn = Conn(port)
    if think_s:
        await asyncio.sleep(rng.random() * think_s)
    try:
        while time.monotonic() < until:
            t0 = time.perf_counter()
            status, _ = await conn.request("GET", "/api/v1/health", {})
            if status == 200:
                lat.append((time.perf_counter() - t0) * 1000)
            if think_s:
                await asyncio.sleep(think_s * (0.5 + rng.random()))
    finally:
        conn.close()


async def drive(port: int, trial_id: int, subject_id: int, lab_id: int, token: str, *, clients: int,
                seconds: float, think_s: float) -> dict[str, object]:
    base_lat: list[float] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(_baseline(port, until, base_lat, think_s, random.Random(-i)) for i in range(clients)))
    reads: list[float] = []
    writes: list[float] = []
    acked: list[int] = []
    errors: list[str] = []
    base = f"/api/v1/trials/{trial_id}/subjects/{subject_id}"
    headers = {"Authorization": f"Bearer {token}"}
    t0 = time.monotonic()
    until = t0 + seconds
    await asyncio.gather(*(_client(port, base, headers, lab_id, until, reads, writes, acked, errors,
                                   random.Random(i), think_s) for i in range(clients)))
    wall = time.monotonic() - t0
    return {"baseline_rps": len(base_lat) / seconds, "baseline_p50": pct(base_lat, 50),
            "baseline_p99": pct(base_lat, 99),
            "reads": reads, "writes": writes, "acked": acked, "errors": errors, "wall": wall}


def run_backend(name: str, url: str, *, clients: int, seconds: float, think_s: float,
                workers: int) -> dict[str, object]:
    settings = fast_settings(url)
    db = migrated(settings)
    s = seed(db, settings)
    with db.reading() as session:
        before = set(session.execute(select(Lab.id)).scalars())
    port = free_port()
    proc = start_server(url, port, workers=workers)
    load_before = os.getloadavg()
    try:
        out = asyncio.run(drive(port, s.trial_id, s.subject_a, s.records["lab"], s.tokens["investigator"],
                                clients=clients, seconds=seconds, think_s=think_s))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    load_after = os.getloadavg()
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
        "think_ms": think_s * 1000,
        "workers": workers,
        "loadavg_1min_before_after": f"{load_before[0]:.2f} / {load_after[0]:.2f} ({os.cpu_count()} cpus)",
        "baseline_health_rps": round(out["baseline_rps"], 1),  # type: ignore[arg-type]
        "baseline_health_p50_ms": round(out["baseline_p50"], 1),  # type: ignore[arg-type]
        "baseline_health_p99_ms": round(out["baseline_p99"], 1),  # type: ignore[arg-type]
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
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="Mean pause of each client between requests (0 = closed loop, saturating)")
    parser.add_argument("--workers", type=int, default=0,
                        help="Server worker processes (default: 1 for SQLite, 2 for PostgreSQL)")
    args = parser.parse_args()
    think_s = args.think_ms / 1000
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run_backend("sqlite", f"sqlite:///{tmp}/bench.db", clients=args.clients,
                                           seconds=args.seconds, think_s=think_s, workers=args.workers or 1))
        elif backend == "postgres":
            cluster = ThrowawayPostgres()
            cluster.start()
            try:
                results.append(run_backend("postgres", cluster.create_database(), clients=args.clients,
                                           seconds=args.seconds, think_s=think_s, workers=args.workers or 2))
            finally:
                cluster.stop()
        else:
            parser.error(f"unknown backend {backend!r} (sqlite, postgres)")
    ok = True
    for r in results:
        print(f"== {r['backend']}: {r['clients']} clients, {r['seconds']} s, think {r['think_ms']} ms, "
              f"{r['workers']} worker(s), 127.0.0.1")
        for key, value in r.items():
            if key not in ("backend", "clients", "seconds", "think_ms", "workers"):
                print(f"  {key:28s} {value}")
        target = "met" if r["read_p99_ms"] < 100 else "NOT met"  # type: ignore[operator]
        print(f"  read p99 < 100 ms target: {target}")
        if r["writes_missing_afterwards"]:
            ok = False
            print("  ERROR: acknowledged writes are missing")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
