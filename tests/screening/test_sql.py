"""SQL compilation: one read-only SELECT per dialect, values bound, hostile text inert."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import sqlglot

from abscopal.datasets import list_trial_ids, load_trial
from abscopal.errors import InputError, UnsafeSQL
from abscopal.screening.engine import Database, screen_protocol
from abscopal.screening.sql import check_select_only, compile_protocol
from abscopal.screening.synth import generate_synthetic_omop
from tests.utils.protocols import exclusion, inclusion, make_protocol

AS_OF = date(2025, 1, 15)
HOSTILE = "x'); DROP TABLE person; --\"; SELECT pg_sleep(10); /* $p0 %(p0)s :p0 ? */"


@pytest.mark.parametrize("registry_id", list_trial_ids())
@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_seed_protocols_compile_to_one_select_per_dialect(registry_id: str, dialect: str) -> None:
    q = compile_protocol(load_trial(registry_id), as_of=AS_OF, dialect=dialect)
    (statement,) = sqlglot.parse(q.sql, read=dialect)
    assert isinstance(statement, sqlglot.exp.Select)
    assert len(q.criteria) + len(q.manual) == len(load_trial(registry_id).eligibility)


def test_placeholders_follow_the_dialect() -> None:
    p = load_trial("NCT07277777")
    assert "$p0" in compile_protocol(p, as_of=AS_OF, dialect="duckdb").sql
    assert "%(p0)s" in compile_protocol(p, as_of=AS_OF, dialect="postgres").sql
    assert ":p0" in compile_protocol(p, as_of=AS_OF, dialect="spark").sql


def test_values_are_parameters_not_text() -> None:
    q = compile_protocol(load_trial("NCT07277777"), as_of=AS_OF)
    for literal in ("2025", "1.5", "94381002", "1547545", "LOINC", "26515-7", "'F'"):
        assert literal not in q.sql, literal
    assert date(2024, 12, 18) in q.params.values()  # 28-day window start
    assert "1547545" in q.params.values()


def test_hostile_protocol_text_and_ids_do_not_change_the_sql() -> None:
    rule = {"kind": "event", "concept_set": "checkpoint_inhibitors", "within": "4 weeks"}
    benign = make_protocol([inclusion("inc01", {"kind": "age", "min": 18}),
                            exclusion("exc01", rule)])
    hostile = make_protocol([inclusion("inc01", {"kind": "age", "min": 18}, text=HOSTILE),
                             exclusion("exc01-x.y", rule, text=HOSTILE)])
    for dialect in ("duckdb", "postgres", "spark"):
        a = compile_protocol(benign, as_of=AS_OF, dialect=dialect)
        b = compile_protocol(hostile, as_of=AS_OF, dialect=dialect)
        assert a.sql == b.sql and a.params == b.params
        assert "DROP" not in b.sql


def test_hostile_fact_value_is_only_a_parameter() -> None:
    p = make_protocol([inclusion("inc01", {"kind": "fact", "field": "sex", "value": HOSTILE})])
    q = compile_protocol(p, as_of=AS_OF)
    assert HOSTILE in q.params.values()
    assert "DROP" not in q.sql
    check_select_only(q.sql, dialect="duckdb")


def test_hostile_strings_in_the_database_are_just_data() -> None:
    synth = generate_synthetic_omop(50, seed=3)
    con = duckdb.connect()
    for name, table in synth.tables.items():
        con.register("src", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM src")
        con.unregister("src")
    # vocabulary rows with hostile codes/names, and a person whose data reference them
    con.execute("INSERT INTO concept (concept_id, concept_name, domain_id, vocabulary_id, "
                "concept_code) VALUES (99, ?, 'Drug', 'RxNorm', ?)", [HOSTILE, HOSTILE])
    con.execute("INSERT INTO drug_exposure (drug_exposure_id, person_id, drug_concept_id, "
                "drug_exposure_start_date) VALUES (999999, 1, 99, DATE '2025-01-10')")
    db = Database("duckdb", "duckdb", con, True, "hostile")
    result = screen_protocol(db, load_trial("NCT07277777"), as_of=synth.as_of)
    assert len(result.person_id) == 50
    assert con.execute("SELECT count(*) FROM person").fetchone() == (50,)


@pytest.mark.parametrize(
    "sql",
    ["DROP TABLE person", "SELECT 1; DROP TABLE person", "INSERT INTO person VALUES (1)",
     "CREATE TABLE x AS SELECT 1", "UPDATE person SET person_id = 1", "COPY person TO 'x.csv'",
     "SET search_path = x", "PRAGMA enable_profiling"],
)
def test_check_select_only_rejects_anything_but_one_select(sql: str) -> None:
    with pytest.raises(UnsafeSQL):
        check_select_only(sql, dialect="duckdb")


def test_unknown_dialect_is_rejected() -> None:
    with pytest.raises(InputError, match="'dialect' must be one of"):
        compile_protocol(load_trial("NCT07277777"), as_of=AS_OF, dialect="oracle")
