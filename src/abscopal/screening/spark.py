"""Run the compiled screening query with Spark SQL over OMOP CDM tables stored as Parquet.

The session is local by default (``local[1]``, Spark UI off, driver bound to the loopback
interface, small shuffle partition count, modest driver memory), so nothing listens on the
network and nothing is written: the CDM tables are registered as *temporary views* over the
Parquet files, and the only statement ever sent is the compiled SELECT (checked by
:func:`abscopal.screening.sql.check_select_only`). Values are bound as named parameters
(``spark.sql(sql, args=...)``, Spark >= 3.4; sqlglot writes them as ``:p0``), never
interpolated. A timer cancels the query's job group when the time limit passes and the call
raises :class:`~abscopal.errors.QueryTimeout`.

To screen a data lake on a cluster, build the ``SparkSession`` yourself and pass it with
``session=`` (the caller then owns it: :meth:`SparkConnection.close` does not stop it).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from abscopal.errors import InputError, QueryTimeout, ScreeningError
from abscopal.screening.omop import CDM_TABLES

LOCAL_SPARK_CONF: Mapping[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.memory": "1g",
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.session.timeZone": "UTC",
    "spark.log.level": "ERROR",
}
"""Configuration of the local session ``open_spark`` creates (override with ``conf=``)."""

SMALL_DATA_SPARK_CONF: Mapping[str, str] = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.adaptive.enabled": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}
"""Overrides for small samples (tests, a few thousand patients): no Java code generation, no
adaptive re-planning, C1-only JIT. The screening plan is wide and such data small, so compiling
code costs more than it saves. Measured with ``benchmarks/screening_spark.py`` on the shared
2-core machine: 600 patients, cold query 17.8 s vs 28.9 s with Spark's defaults; but 20,000
patients, 49.5 s vs 37.9 s (warm 30.9 s vs 13.3 s) — so Spark's defaults stay the default."""

_group_ids = itertools.count()


@dataclass
class SparkConnection:
    """A SparkSession with the CDM tables registered as temporary views."""

    session: Any
    tables: set[str] = field(default_factory=set)
    owned: bool = True
    views_owned: bool = True

    def close(self) -> None:
        """Drop the views abscopal made; stop the session only if ``open_spark`` created it."""
        if self.views_owned:
            for table in sorted(self.tables):
                self.session.catalog.dropTempView(table)
        self.tables.clear()
        if self.owned:
            self.session.stop()


def create_local_session(*, conf: Mapping[str, str] | None = None,
                         master: str = "local[1]") -> Any:
    """A local SparkSession with :data:`LOCAL_SPARK_CONF` (plus ``conf`` overrides).

    Raises
    ------
    ScreeningError
        pyspark is not installed or the JVM does not start (Java 17+ is needed).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ScreeningError("Spark screening needs pyspark: pip install 'abscopal[spark]'"
                             ) from exc
    if master.startswith("local"):
        # the JVM inherits the environment: keep every socket it opens on loopback
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName("abscopal-screening")
    for key, value in {**LOCAL_SPARK_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start (no java, bad JAVA_HOME)
        raise ScreeningError(f"cannot start a local Spark session (Java 17+ installed?): "
                             f"{exc}") from exc


def _active_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def _table_sources(location: str) -> dict[str, str]:
    """Where each table's Parquet lives: ``<table>.parquet`` file or ``<table>/`` directory.

    A local directory is listed; for a remote URI (``s3a://``, ``hdfs://``, ``abfss://`` ...,
    read by a session the caller configured) every table is tried as ``<uri>/<table>``.
    """
    tables = (*CDM_TABLES, "concept_ancestor")
    if "://" in location:
        return {t: f"{location.rstrip('/')}/{t}" for t in tables}
    root = Path(location)
    found: dict[str, str] = {}
    for table in tables:
        for candidate in (root / f"{table}.parquet", root / table):
            if candidate.exists():
                found[table] = str(candidate)
                break
    return found


def open_spark(location: str | Path | None, *, session: Any = None,
               conf: Mapping[str, str] | None = None) -> Any:
    """Register the OMOP Parquet tables at ``location`` as views; return a ``Database``.

    Parameters
    ----------
    location : str, Path or None
        Directory with ``<table>.parquet`` files or ``<table>/`` Parquet directories; with
        ``session``, also any URI its file system reads (``s3a://bucket/cdm``). ``None``
        (with ``session``): use the tables or views the session's catalog already has under
        the CDM names (e.g. a metastore database set with ``USE``); they are not dropped.
    session : pyspark.sql.SparkSession, optional
        An existing session (e.g. on a cluster); default: a new local one.
    conf : mapping, optional
        Overrides of :data:`LOCAL_SPARK_CONF` for a new local session.

    Raises
    ------
    InputError
        ``location`` is not an existing local directory (or a URI given without a session).
    ScreeningError
        pyspark or Java is missing, or a Parquet table cannot be read.
    """
    from abscopal.screening.engine import Database

    if location is None:
        if session is None:
            raise InputError("open_spark(None) needs session=: the tables come from its catalog")
        present = {t for t in (*CDM_TABLES, "concept_ancestor")
                   if session.catalog.tableExists(t)}
        connection = SparkConnection(session, present, owned=False, views_owned=False)
        return Database("spark", "spark", connection, "concept_ancestor" in present,
                        "spark catalog")
    text = str(location)
    remote = "://" in text
    if remote and session is None:
        raise InputError(f"a remote OMOP location needs a configured SparkSession "
                         f"(open_spark(..., session=...)); got {text!r}")
    if not remote and not Path(text).is_dir():
        raise InputError(f"'--db spark:///DIR' must name an existing directory of OMOP "
                         f"Parquet files (got {text!r})")
    # getOrCreate() would hand back a session already running in this process: use it,
    # but leave it running on close (its owner stops it)
    owned = session is None and _active_session() is None
    spark = session if session is not None else create_local_session(conf=conf)
    connection = SparkConnection(spark, owned=owned)
    try:
        for table, source in _table_sources(text).items():
            try:
                frame = spark.read.parquet(source)
            except Exception:
                if not remote:
                    raise
                continue  # that table is absent from the lake; checked by the caller
            frame.createOrReplaceTempView(table)
            connection.tables.add(table)
    except Exception as exc:
        connection.close()
        raise ScreeningError(f"{text}: cannot read OMOP Parquet tables: {exc}") from exc
    return Database("spark", "spark", connection, "concept_ancestor" in connection.tables, text)


def run_spark_query(connection: SparkConnection, query: Any, *, timeout_s: float) -> pa.Table:
    """Run a compiled Spark SQL query with bound parameters under a time limit.

    Raises
    ------
    QueryTimeout
        The limit passed: the watchdog cancelled the query's job group.
    ScreeningError
        Spark rejected or failed the query.
    """
    from abscopal.screening.sql import check_select_only

    check_select_only(query.sql, dialect="spark")
    spark = connection.session
    context = spark.sparkContext
    group = f"abscopal-screening-{next(_group_ids)}"
    done, fired = threading.Event(), threading.Event()

    def _watchdog() -> None:
        if done.wait(timeout_s):
            return
        fired.set()
        # planning runs before any job exists: keep cancelling until the call returns
        while not done.is_set():
            context.cancelJobGroup(group)
            done.wait(0.05)

    context.setJobGroup(group, f"screening {query.registry_id}", interruptOnCancel=True)
    timer = threading.Thread(target=_watchdog, daemon=True)
    timer.start()
    try:
        frame = spark.sql(query.sql, args=dict(query.params))
        table: pa.Table = frame.toArrow()
    except Exception as exc:
        if fired.is_set():
            raise QueryTimeout(f"{query.registry_id}: query exceeded {timeout_s:g} s") from exc
        raise ScreeningError(f"{query.registry_id}: Spark query failed: {exc}") from exc
    finally:
        done.set()
        timer.join()
        context.setLocalProperty("spark.jobGroup.id", None)
    return table.set_column(0, "person_id", table.column(0).cast(pa.int64()))
