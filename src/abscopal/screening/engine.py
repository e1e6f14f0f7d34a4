"""Batch screening engine: read-only connections, time-limited queries, statuses, attrition.

Supported databases:

* DuckDB file: ``duckdb:///path/to/cdm.duckdb`` or a path ending ``.duckdb``/``.db``
  (opened ``read_only=True``);
* a directory of OMOP Parquet files: ``parquet:///dir`` or a directory path (an in-memory
  DuckDB with one view per table; the files are only read);
* PostgreSQL: ``postgresql://user@host:port/db[?options]`` (session forced read-only with
  ``default_transaction_read_only`` and limited by ``statement_timeout``), optionally with a
  schema: ``--schema cdm`` sets ``search_path``;
* Spark SQL: ``spark:///dir`` — a directory of OMOP Parquet files (one ``<table>.parquet``
  file or directory per table) read by a local SparkSession (``local[1]``, UI off, bound to
  loopback) as temporary views; see :mod:`abscopal.screening.spark`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from abscopal.errors import InputError, QueryTimeout, ScreeningError
from abscopal.screening.omop import CDM_TABLES
from abscopal.screening.sql import CompiledQuery, compile_protocols

STATUS_CATEGORIES = ("met", "not_met", "unknown", "manual")
VERDICT_CATEGORIES = ("pass", "fail", "to_confirm")
TRIAL_CATEGORIES = ("eligible", "not_eligible", "to_confirm")

DEFAULT_TIMEOUT_S = 300.0


@dataclass
class Database:
    """An open, read-only connection and what it supports."""

    kind: str
    dialect: str
    connection: Any
    has_concept_ancestor: bool = False
    description: str = ""

    def close(self) -> None:
        self.connection.close()


def _duckdb_tables(con: Any) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {str(r[0]).lower() for r in rows}


def open_database(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                  schema: str | None = None) -> Database:
    """Open ``url`` read-only (see module docstring for the accepted forms).

    Raises
    ------
    InputError
        Unrecognised URL or missing path.
    ScreeningError
        A required OMOP table is missing.
    """
    if timeout_s <= 0:
        raise InputError(f"'timeout_s' must be > 0 (got {timeout_s})")
    if url.startswith(("postgresql://", "postgres://")):
        return _open_postgres(url, timeout_s=timeout_s, schema=schema)
    if url.startswith("spark://"):
        from abscopal.screening.spark import open_spark

        db = open_spark(url[len("spark://"):])
        assert isinstance(db, Database)
        _check_tables(db, set(db.connection.tables))
        return db
    path_text = url
    for prefix in ("duckdb://", "parquet://"):
        if url.startswith(prefix):
            path_text = url[len(prefix):]
    path = Path(path_text)
    if not path.exists():
        raise InputError(f"'--db' must name an existing DuckDB file or Parquet directory "
                         f"(got {url!r})")
    import duckdb

    if path.is_dir():
        con = duckdb.connect()
        found = {p.stem.lower(): p for p in path.glob("*.parquet")}
        for table in (*CDM_TABLES, "concept_ancestor"):
            if table in found:
                # DDL cannot take parameters: the operator's own file path is quoted instead
                # (table names come from the fixed CDM list).
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet("
                            f"{_sql_string(str(found[table]))})")
        db = Database("parquet", "duckdb", con, "concept_ancestor" in found, str(path))
    else:
        con = duckdb.connect(str(path), read_only=True)
        tables = _duckdb_tables(con)
        db = Database("duckdb", "duckdb", con, "concept_ancestor" in tables, str(path))
    _check_tables(db, _duckdb_tables(db.connection))
    return db


def _sql_string(text: str) -> str:
    """Quote a local file path as an SQL string literal (DuckDB views cannot take parameters)."""
    if "\x00" in text:
        raise InputError(f"file path contains a NUL byte: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def _open_postgres(url: str, *, timeout_s: float, schema: str | None) -> Database:
    import psycopg

    options = "-c default_transaction_read_only=on"
    try:
        con = psycopg.connect(url, options=options, autocommit=True)
    except psycopg.OperationalError as exc:
        raise ScreeningError(f"cannot connect to PostgreSQL: {exc}") from exc
    if schema is not None:
        con.execute("SELECT set_config('search_path', %s, false)", [schema])
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ANY("
        "current_schemas(false))").fetchall()
    tables = {str(r[0]).lower() for r in rows}
    # the limit applies to screening queries, set after the catalogue look-up
    con.execute("SELECT set_config('statement_timeout', %s, false)",
                [str(max(1, int(timeout_s * 1000)))])
    db = Database("postgres", "postgres", con, "concept_ancestor" in tables, url.split("@")[-1])
    _check_tables(db, tables)
    return db


def _check_tables(db: Database, tables: set[str]) -> None:
    missing = [t for t in CDM_TABLES if t not in tables and t != "death"]
    if missing:
        db.close()
        raise ScreeningError(
            f"{db.description}: not an OMOP CDM database, missing table(s) {missing}")


def run_query(db: Database, query: CompiledQuery, *, timeout_s: float = DEFAULT_TIMEOUT_S
              ) -> pa.Table:
    """Run a compiled query with its parameters bound; stop it after ``timeout_s``.

    Raises
    ------
    QueryTimeout
        The query ran longer than ``timeout_s`` (DuckDB: interrupted by a timer thread;
        PostgreSQL: ``statement_timeout``; Spark: a timer cancels the job group).
    """
    if query.dialect != db.dialect:
        raise InputError(f"query compiled for {query.dialect!r}, database is {db.dialect!r}")
    if db.dialect == "spark":
        from abscopal.screening.spark import run_spark_query

        return run_spark_query(db.connection, query, timeout_s=timeout_s)
    if db.dialect == "duckdb":
        import duckdb

        done = threading.Event()

        def _watchdog() -> None:
            # interrupt() only stops a running query: keep trying until the query returns
            if not done.wait(timeout_s):
                while not done.is_set():
                    db.connection.interrupt()
                    done.wait(0.005)

        timer = threading.Thread(target=_watchdog, daemon=True)
        timer.start()
        try:
            table: pa.Table = db.connection.sql(query.sql, params=dict(query.params)).to_arrow_table()
        except duckdb.InterruptException as exc:
            raise QueryTimeout(f"{query.registry_id}: query exceeded {timeout_s:g} s") from exc
        except duckdb.Error as exc:
            raise ScreeningError(f"{query.registry_id}: query failed: {exc}") from exc
        finally:
            done.set()
            timer.join()
        return table
    import psycopg

    try:
        with db.connection.cursor() as cur:
            cur.execute(query.sql, dict(query.params))
            names = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
    except psycopg.errors.QueryCanceled as exc:
        raise QueryTimeout(f"{query.registry_id}: query exceeded {timeout_s:g} s") from exc
    except psycopg.Error as exc:
        raise ScreeningError(f"{query.registry_id}: query failed: {exc}") from exc
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    arrays = [pa.array([int(v) for v in columns[0]], pa.int64())] + [
        pa.array(list(col), pa.bool_()) for col in columns[1:]]
    return pa.table(dict(zip(names, arrays, strict=True)))


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Nullable booleans -> status codes 0 met, 1 not met, 2 unknown (vectorised)."""
    known = pc.is_valid(column).to_numpy(zero_copy_only=False)
    truth = pc.fill_null(column.cast(pa.bool_()), False).to_numpy(zero_copy_only=False)
    codes = np.full(len(known), 2, dtype=np.int8)
    codes[known & truth] = 0
    codes[known & ~truth] = 1
    return codes


@dataclass
class TrialScreening:
    """Per-person statuses for one protocol, with its attrition table."""

    registry_id: str
    person_id: np.ndarray
    criteria: tuple[tuple[str, str, bool], ...]  # (id, kind, automated)
    status_codes: np.ndarray  # persons x criteria, int8 index into STATUS_CATEGORIES
    trial_codes: np.ndarray  # persons, int8 index into TRIAL_CATEGORIES
    seconds: float = 0.0
    sql: str = ""
    attrition: pd.DataFrame = field(default_factory=pd.DataFrame)

    def statuses(self) -> pd.DataFrame:
        """Wide frame: person_id, registry_id, trial status, one status column per criterion."""
        data: dict[str, Any] = {
            "person_id": self.person_id,
            "registry_id": pd.Categorical([self.registry_id] * len(self.person_id)),
            "trial_status": pd.Categorical.from_codes(self.trial_codes, TRIAL_CATEGORIES),
        }
        for j, (cid, _, _) in enumerate(self.criteria):
            data[cid] = pd.Categorical.from_codes(self.status_codes[:, j], STATUS_CATEGORIES)
        return pd.DataFrame(data)


def classify_batch(criteria: Sequence[tuple[str, str, bool]], status_codes: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(verdict codes persons x criteria, trial codes), same rules as the evaluator."""
    verdict = np.full(status_codes.shape, 2, dtype=np.int8)
    for j, (_, kind, _) in enumerate(criteria):
        s = status_codes[:, j]
        passes = s == (0 if kind == "inclusion" else 1)
        fails = s == (1 if kind == "inclusion" else 0)
        verdict[passes, j] = 0
        verdict[fails, j] = 1
    any_fail = (verdict == 1).any(axis=1)
    no_criteria = len(criteria) == 0  # not yet transcribed: never "eligible"
    any_confirm = (verdict == 2).any(axis=1) | no_criteria
    trial = np.where(any_fail, 1, np.where(any_confirm, 2, 0)).astype(np.int8)
    return verdict, trial


def compute_attrition(criteria: Sequence[tuple[str, str, bool]], status_codes: np.ndarray,
                      verdict: np.ndarray) -> pd.DataFrame:
    """Attrition in protocol order: who each criterion excludes among those still in."""
    remaining = np.ones(status_codes.shape[0], dtype=bool)
    rows = []
    for j, (cid, kind, automated) in enumerate(criteria):
        s = status_codes[:, j]
        fails = verdict[:, j] == 1
        excluded_here = int((remaining & fails).sum())
        remaining &= ~fails
        rows.append({
            "criterion": cid, "kind": kind, "automated": automated,
            "met": int((s == 0).sum()), "not_met": int((s == 1).sum()),
            "unknown": int((s == 2).sum()), "manual": int((s == 3).sum()),
            "fail": int(fails.sum()), "excluded_in_order": excluded_here,
            "remaining": int(remaining.sum()),
        })
    return pd.DataFrame(rows)


def screen_protocol(db: Database, protocol: Any, *, as_of: date,
                    timeout_s: float = DEFAULT_TIMEOUT_S) -> TrialScreening:
    """Compile and run one protocol; return per-person statuses and attrition."""
    return screen_database(db, [protocol], as_of=as_of, timeout_s=timeout_s)[0]


def screen_database(db: Database, protocols: Sequence[Any], *, as_of: date,
                    timeout_s: float = DEFAULT_TIMEOUT_S,
                    on_done: Callable[[TrialScreening], None] | None = None
                    ) -> list[TrialScreening]:
    """Screen all ``protocols`` with ONE query (inputs shared by the trials are read once).

    ``on_done`` is called once per trial as its statuses are classified (e.g. a progress bar).
    """
    import time

    query = compile_protocols(protocols, as_of=as_of, dialect=db.dialect,
                              use_concept_ancestor=db.has_concept_ancestor)
    started = time.perf_counter()
    frame = run_query(db, query, timeout_s=timeout_s)
    seconds = time.perf_counter() - started
    person_id = frame.column("person_id").to_numpy()
    column = {key: f"c{j}" for j, key in enumerate(query.columns)}
    out = []
    for protocol in protocols:
        registry_id = protocol.identity.registry_id
        criteria = tuple((c.id, str(c.kind.value), c.rule is not None)
                         for c in protocol.eligibility)
        codes = np.full((frame.num_rows, len(criteria)), 3, dtype=np.int8)
        for j, (cid, _, automated) in enumerate(criteria):
            if automated:
                codes[:, j] = _codes(frame.column(column[(registry_id, cid)]))
        verdict, trial = classify_batch(criteria, codes)
        result = TrialScreening(registry_id, person_id, criteria, codes, trial, seconds,
                                query.sql, compute_attrition(criteria, codes, verdict))
        out.append(result)
        if on_done is not None:
            on_done(result)
    return out


def write_candidates(results: Sequence[TrialScreening], path: str | Path) -> Path:
    """One row per (person, trial): trial status and each criterion's status, as Parquet."""
    frames = [r.statuses() for r in results]
    combined = pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()
    for col in combined.columns:
        if col not in ("person_id",):
            combined[col] = combined[col].astype("string")
    out = Path(path)
    combined.to_parquet(out, index=False)
    return out
