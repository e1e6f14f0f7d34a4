"""Spark SQL path: the compiled query run by a local SparkSession agrees with DuckDB and the
single-patient evaluator, criterion by criterion and per trial, on a seeded synthetic sample.

pyspark and Java are required: without them these tests FAIL (they are declared in the
``spark`` extra and installed by ``make test`` / ``scripts/sysdeps.sh``), they never skip.
One SparkSession serves the whole module (JVM start-up dominates the run time).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.eligibility import evaluate_protocol, parse_patient
from abscopal.errors import InputError, QueryTimeout
from abscopal.screening.engine import open_database, screen_database
from abscopal.screening.spark import open_spark, run_spark_query
from abscopal.screening.sql import compile_protocols
from abscopal.screening.synth import (
    SyntheticOmop,
    generate_synthetic_omop,
    patients_from_synthetic,
    write_parquet,
)

pytestmark = pytest.mark.slow

CODES = ("met", "not_met", "unknown", "manual")
TRIAL = ("eligible", "not_eligible", "to_confirm")
PATIENTS, SEED = 400, 20251122


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: run scripts/sysdeps.sh (default-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("pyspark is not installed: pip install -e '.[spark]' (part of '.[test]')")
    from abscopal.screening.spark import SMALL_DATA_SPARK_CONF, create_local_session

    spark = create_local_session(conf=SMALL_DATA_SPARK_CONF)
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def synth() -> SyntheticOmop:
    return generate_synthetic_omop(PATIENTS, seed=SEED)


@pytest.fixture(scope="module")
def cdm_dir(synth: SyntheticOmop, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet(synth, tmp_path_factory.mktemp("cdm"))


def _statuses(results: list[Any]) -> dict[tuple[str, int], list[str]]:
    out = {}
    for r in results:
        for row, pid in enumerate(r.person_id):
            out[(r.registry_id, int(pid))] = (
                [CODES[c] for c in r.status_codes[row]] + [TRIAL[int(r.trial_codes[row])]])
    return out


def test_spark_duckdb_and_evaluator_agree_on_all_seed_protocols(
        session: Any, synth: SyntheticOmop, cdm_dir: Path) -> None:
    protocols = [load_trial(i) for i in list_trial_ids()]
    assert len(protocols) == 5

    spark_db = open_spark(cdm_dir, session=session)
    assert spark_db.dialect == "spark" and spark_db.has_concept_ancestor
    try:
        from_spark = _statuses(screen_database(spark_db, protocols, as_of=synth.as_of,
                                               timeout_s=600))
    finally:
        spark_db.close()
    duck = open_database(f"parquet://{cdm_dir}")
    try:
        from_duckdb = _statuses(screen_database(duck, protocols, as_of=synth.as_of))
    finally:
        duck.close()

    ids = synth.tables["person"].column("person_id").to_numpy()
    patients = [parse_patient(d) for d in patients_from_synthetic(synth, ids)]
    from_evaluator = {}
    for p in protocols:
        for person in patients:
            result = evaluate_protocol(p, person, as_of=synth.as_of)
            from_evaluator[(p.identity.registry_id, int(person.patient_id))] = (
                [c.status.value for c in result.criteria] + [result.status.value])

    assert len(from_spark) == PATIENTS * 5
    assert from_spark.keys() == from_evaluator.keys()
    mismatches = [(key, got, from_evaluator[key]) for key, got in from_spark.items()
                  if got != from_evaluator[key]]
    assert mismatches == []
    assert from_spark == from_duckdb
    # the sample exercises every per-criterion status and both reachable trial outcomes
    # (every seed protocol keeps manual criteria, so no one is "eligible" without review)
    values = [v for row in from_spark.values() for v in row]
    for status in (*CODES, "not_eligible", "to_confirm"):
        assert status in values, status


def test_time_limit_cancels_the_spark_query(session: Any, synth: SyntheticOmop,
                                            cdm_dir: Path) -> None:
    db = open_spark(cdm_dir, session=session)
    try:
        query = compile_protocols([load_trial("NCT07277777")], as_of=synth.as_of,
                                  dialect="spark")
        with pytest.raises(QueryTimeout, match="exceeded"):
            run_spark_query(db.connection, query, timeout_s=0.05)
    finally:
        db.close()
    # the session is still usable after the cancellation
    assert session.sql("SELECT 1 AS one").collect()[0]["one"] == 1


def test_views_are_dropped_on_close_and_session_kept(session: Any, cdm_dir: Path) -> None:
    db = open_spark(cdm_dir, session=session)
    assert {"person", "measurement", "concept"} <= set(db.connection.tables)
    db.close()
    assert not {t.name for t in session.catalog.listTables()} & {"person", "measurement"}
    assert not session.sparkContext._jsc.sc().isStopped()


def test_bad_spark_location_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="existing directory of OMOP Parquet"):
        open_database(f"spark://{tmp_path / 'missing'}")
    with pytest.raises(InputError, match="needs a configured SparkSession"):
        open_spark("s3a://bucket/cdm")
    with pytest.raises(InputError, match="needs session="):
        open_spark(None)



def test_tables_already_in_the_session_catalog_are_used_and_kept(
        session: Any, synth: SyntheticOmop, cdm_dir: Path) -> None:
    for path in cdm_dir.glob("*.parquet"):
        session.read.parquet(str(path)).createOrReplaceTempView(path.stem)
    try:
        db = open_spark(None, session=session)
        assert db.has_concept_ancestor
        result = screen_database(db, [load_trial("NCT07277777")], as_of=synth.as_of)[0]
        assert len(result.person_id) == PATIENTS
        db.close()
        assert session.catalog.tableExists("person")  # the caller's views are not dropped
    finally:
        for path in cdm_dir.glob("*.parquet"):
            session.catalog.dropTempView(path.stem)


def test_cli_screens_spark_url_and_leaves_a_running_session_alone(
        session: Any, cdm_dir: Path, synth: SyntheticOmop, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from abscopal.cli.main import app

    out = tmp_path / "candidates.parquet"
    result = CliRunner().invoke(app, [
        "screen", "omop", "--db", f"spark://{cdm_dir}", "--protocol", "NCT07277777",
        "--as-of", synth.as_of.isoformat(), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (trial,) = doc["trials"]
    assert trial["registry_id"] == "NCT07277777" and trial["persons"] == PATIENTS
    assert sum(trial["trial_status"].values()) == PATIENTS
    assert pq.read_table(out).num_rows == PATIENTS
    # the CLI found this module's session running: it used it and did not stop it
    assert session.sql("SELECT 1 AS one").collect()[0]["one"] == 1
