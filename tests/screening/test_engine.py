"""Batch screening on the real OMOP CDM sample (OHDSI Eunomia GiBleed), DuckDB and PostgreSQL.

Expected values are computed independently here with pandas from the Parquet files (ages from
birth dates, coverage from observation periods, drug exposures via the sample's own
concept_ancestor), never with the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.errors import InputError, QueryTimeout, ScreeningError
from abscopal.screening.engine import (
    open_database,
    run_query,
    screen_protocol,
    write_candidates,
)
from abscopal.screening.omop_io import load_tables_into_postgres, read_parquet_dir
from abscopal.screening.sql import compile_protocol
from tests.utils.protocols import exclusion, inclusion, make_protocol

GIBLEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "omop-gibleed"
AS_OF = date(2018, 12, 31)

PLUMBING = make_protocol([
    inclusion("inc01", {"kind": "age", "min": 18, "max": 75}),
    inclusion("inc02", {"kind": "age", "op": ">=", "value": 65}),
    exclusion("exc01", {"kind": "event", "concept_set": "anti_infectives_probiotics",
                        "within": "1 year"}),
    exclusion("exc02", {"kind": "event", "concept_set": "radiotherapy", "within": "6 months"}),
    inclusion("inc03", {"kind": "fact", "field": "sex", "value": "F"}),
], registry_id="NCT00000003")


def _read(name: str) -> pd.DataFrame:
    return pd.read_parquet(GIBLEED / f"{name}.parquet")


@pytest.fixture(scope="module")
def gibleed_duckdb():  # type: ignore[no-untyped-def]
    db = open_database(str(GIBLEED))
    yield db
    db.close()


def _status(result, cid: str) -> pd.Series:  # type: ignore[no-untyped-def]
    j = [c[0] for c in result.criteria].index(cid)
    names = np.array(["met", "not_met", "unknown", "manual"])
    return pd.Series(names[result.status_codes[:, j]], index=result.person_id.astype(int))


def _expected_age(persons: pd.DataFrame) -> pd.Series:
    b = pd.to_datetime(persons["birth_datetime"])
    before = (b.dt.month > AS_OF.month) | ((b.dt.month == AS_OF.month) & (b.dt.day > AS_OF.day))
    return pd.Series((AS_OF.year - b.dt.year - before.astype(int)).to_numpy(),
                     index=persons["person_id"].astype(int))


def _covered(start: date) -> pd.Series:
    op = _read("observation_period")
    ok = (pd.to_datetime(op.observation_period_start_date) <= pd.Timestamp(start)) & (
        pd.to_datetime(op.observation_period_end_date) >= pd.Timestamp(AS_OF))
    return pd.Series(True, index=op.loc[ok, "person_id"].astype(int).unique())


class TestGiBleedDuckDB:
    def test_ages_match_birth_dates(self, gibleed_duckdb) -> None:  # type: ignore[no-untyped-def]
        result = screen_protocol(gibleed_duckdb, PLUMBING, as_of=AS_OF)
        age = _expected_age(_read("person"))
        assert len(result.person_id) == 2694
        want = np.where((age >= 18) & (age <= 75), "met", "not_met")
        assert (_status(result, "inc01").loc[age.index].to_numpy() == want).all()
        want65 = np.where(age >= 65, "met", "not_met")
        assert (_status(result, "inc02").loc[age.index].to_numpy() == want65).all()

    def test_sex_resolves_through_the_gender_vocabulary(self, gibleed_duckdb) -> None:  # type: ignore[no-untyped-def]
        result = screen_protocol(gibleed_duckdb, PLUMBING, as_of=AS_OF)
        persons = _read("person").set_index(_read("person")["person_id"].astype(int))
        want = np.where(persons["gender_source_value"] == "F", "met", "not_met")
        assert (_status(result, "inc03").loc[persons.index].to_numpy() == want).all()

    def test_drugs_resolve_through_its_own_concept_ancestor(self, gibleed_duckdb) -> None:  # type: ignore[no-untyped-def]
        from abscopal.eligibility import CONCEPT_SETS

        concept, ancestor = _read("concept"), _read("concept_ancestor")
        wanted = {(c.vocabulary, c.code) for c in CONCEPT_SETS["anti_infectives_probiotics"].codes
                  if not c.prefix}
        roots = concept[[(v, k) in wanted for v, k in zip(concept.vocabulary_id,
                                                           concept.concept_code, strict=True)]]
        ids = set(roots.concept_id) | set(ancestor.loc[
            ancestor.ancestor_concept_id.isin(roots.concept_id), "descendant_concept_id"])
        drugs = _read("drug_exposure")
        start = pd.Timestamp(date(2017, 12, 31))
        end = pd.to_datetime(drugs.drug_exposure_end_date).fillna(
            pd.to_datetime(drugs.drug_exposure_start_date))
        hit = drugs[drugs.drug_concept_id.isin(ids) & (end >= start) & (
            pd.to_datetime(drugs.drug_exposure_start_date) <= pd.Timestamp(AS_OF))]
        exposed = set(hit.person_id.astype(int))
        assert len(roots) >= 5 and len(exposed) > 20  # the sample has antibiotics to find
        status = _status(screen_protocol(gibleed_duckdb, PLUMBING, as_of=AS_OF), "exc01")
        assert set(status[status == "met"].index) == exposed
        covered = _covered(start)
        rest = status.drop(list(exposed))
        # (the sample's observation_period also lists persons absent from person)
        assert set(rest[rest == "not_met"].index) == set(covered.index) & set(rest.index)
        assert set(rest[rest == "unknown"].index) == set(rest.index) - set(covered.index)

    def test_observation_periods_decide_unknown_vs_not_met(self, gibleed_duckdb) -> None:  # type: ignore[no-untyped-def]
        status = _status(screen_protocol(gibleed_duckdb, PLUMBING, as_of=AS_OF), "exc02")
        covered = set(_covered(date(2018, 6, 30)).index) & set(status.index)
        assert "met" not in set(status)  # no radiotherapy codes in the sample
        assert set(status[status == "not_met"].index) == covered
        assert 0 < len(covered) < len(status)

    @pytest.mark.parametrize("registry_id", list_trial_ids())
    def test_oncology_criteria_are_unknown_never_met(self, gibleed_duckdb, registry_id: str
                                                     ) -> None:  # type: ignore[no-untyped-def]
        protocol = load_trial(registry_id)
        result = screen_protocol(gibleed_duckdb, protocol, as_of=AS_OF)
        for c in protocol.eligibility:
            rule = c.rule
            if rule is None:
                continue
            text = rule.describe()
            oncology = any(k in text for k in ("measurable_disease", "metastatic_",
                                               "liver_metastasis_count", "extrahepatic",
                                               "progressed_after", "ecog", "karnofsky"))
            if oncology:
                assert set(_status(result, c.id)) == {"unknown"}, (c.id, text)
        assert 0 not in set(result.trial_codes.tolist())  # nobody "eligible"

    def test_candidates_parquet_has_one_row_per_person_and_trial(self, gibleed_duckdb,
                                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        results = [screen_protocol(gibleed_duckdb, load_trial(i), as_of=AS_OF)
                   for i in ("NCT05628038", "NCT07277777")]
        out = write_candidates(results, tmp_path / "candidates.parquet")
        frame = pd.read_parquet(out)
        assert len(frame) == 2 * 2694
        assert set(frame.registry_id) == {"NCT05628038", "NCT07277777"}
        assert set(frame.trial_status) <= {"not_eligible", "to_confirm"}
        assert set(frame.loc[frame.registry_id == "NCT07277777", "inc04"]) == {"manual"}
        attrition = results[0].attrition
        assert list(attrition.criterion) == [c.id for c in load_trial("NCT05628038").eligibility]
        assert attrition.remaining.is_monotonic_decreasing

    def test_timeout_interrupts_the_query(self, gibleed_duckdb) -> None:  # type: ignore[no-untyped-def]
        q = compile_protocol(load_trial("NCT05628038"), as_of=AS_OF)
        with pytest.raises(QueryTimeout, match="exceeded"):
            run_query(gibleed_duckdb, q, timeout_s=1e-6)
        assert run_query(gibleed_duckdb, q, timeout_s=60).num_rows == 2694  # still usable


def test_duckdb_file_is_opened_read_only(tmp_path: Path) -> None:
    import duckdb

    from abscopal.screening.synth import generate_synthetic_omop, write_duckdb

    path = write_duckdb(generate_synthetic_omop(20, seed=1), tmp_path / "cdm.duckdb")
    db = open_database(f"duckdb://{path}")
    try:
        with pytest.raises(duckdb.Error):
            db.connection.execute("CREATE TABLE x (a INTEGER)")
    finally:
        db.close()


@pytest.mark.parametrize("url", ["/no/such/dir", "duckdb:///no/such.duckdb"])
def test_bad_database_url_is_an_input_error(url: str) -> None:
    with pytest.raises(InputError, match="--db"):
        open_database(url)


def test_directory_without_omop_tables_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ScreeningError, match="missing table"):
        open_database(str(tmp_path))


@pytest.mark.postgres
class TestGiBleedPostgres:
    @pytest.fixture(scope="class")
    def pg(self, postgres_url: str):  # type: ignore[no-untyped-def]
        with psycopg.connect(postgres_url, autocommit=True) as con:
            con.execute("DROP SCHEMA IF EXISTS gibleed CASCADE")
        load_tables_into_postgres(read_parquet_dir(GIBLEED), postgres_url, schema="gibleed")
        db = open_database(postgres_url, schema="gibleed")
        yield db
        db.close()

    @pytest.mark.parametrize("registry_id", ["PLUMBING", *list_trial_ids()])
    def test_same_statuses_as_duckdb(self, pg, gibleed_duckdb, registry_id: str) -> None:  # type: ignore[no-untyped-def]
        protocol = PLUMBING if registry_id == "PLUMBING" else load_trial(registry_id)
        a = screen_protocol(gibleed_duckdb, protocol, as_of=AS_OF)
        b = screen_protocol(pg, protocol, as_of=AS_OF)
        order_a, order_b = np.argsort(a.person_id), np.argsort(b.person_id)
        assert (a.person_id[order_a].astype(int) == b.person_id[order_b]).all()
        assert (a.status_codes[order_a] == b.status_codes[order_b]).all()

    def test_session_is_read_only_and_time_limited(self, postgres_url: str, pg) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            pg.connection.execute("CREATE TABLE gibleed.x (a INTEGER)")
        quick = open_database(postgres_url, schema="gibleed", timeout_s=0.001)
        try:
            q = compile_protocol(load_trial("NCT05628038"), as_of=AS_OF, dialect="postgres")
            with pytest.raises(QueryTimeout):
                run_query(quick, q, timeout_s=0.001)
        finally:
            quick.close()
