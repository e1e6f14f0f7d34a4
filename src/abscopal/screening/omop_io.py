"""Load OMOP CDM Parquet files (or generated tables) into PostgreSQL for screening.

Creates the CDM tables the screening reads, with the CDM's own column types (integer concept
ids, ``NUMERIC`` values, ``DATE`` dates), and copies the rows with ``COPY`` — the values never
pass through SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_I, _B, _D, _N, _T = "INTEGER", "BIGINT", "DATE", "NUMERIC", "TIMESTAMP"

CDM_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "person": (("person_id", _B), ("gender_concept_id", _I), ("year_of_birth", _I),
               ("month_of_birth", _I), ("day_of_birth", _I), ("birth_datetime", _T),
               ("race_concept_id", _I), ("ethnicity_concept_id", _I)),
    "observation_period": (("observation_period_id", _B), ("person_id", _B),
                           ("observation_period_start_date", _D),
                           ("observation_period_end_date", _D), ("period_type_concept_id", _I)),
    "condition_occurrence": (("condition_occurrence_id", _B), ("person_id", _B),
                             ("condition_concept_id", _I), ("condition_start_date", _D),
                             ("condition_end_date", _D), ("condition_type_concept_id", _I)),
    "drug_exposure": (("drug_exposure_id", _B), ("person_id", _B), ("drug_concept_id", _I),
                      ("drug_exposure_start_date", _D), ("drug_exposure_end_date", _D),
                      ("drug_type_concept_id", _I)),
    "procedure_occurrence": (("procedure_occurrence_id", _B), ("person_id", _B),
                             ("procedure_concept_id", _I), ("procedure_date", _D),
                             ("procedure_type_concept_id", _I)),
    "measurement": (("measurement_id", _B), ("person_id", _B), ("measurement_concept_id", _I),
                    ("measurement_date", _D), ("measurement_type_concept_id", _I),
                    ("value_as_number", _N), ("unit_concept_id", _I), ("range_low", _N),
                    ("range_high", _N)),
    "observation": (("observation_id", _B), ("person_id", _B), ("observation_concept_id", _I),
                    ("observation_date", _D), ("observation_type_concept_id", _I),
                    ("value_as_number", _N)),
    "death": (("person_id", _B), ("death_date", _D), ("death_type_concept_id", _I)),
    "concept": (("concept_id", _I), ("concept_name", "VARCHAR(255)"),
                ("domain_id", "VARCHAR(20)"), ("vocabulary_id", "VARCHAR(20)"),
                ("concept_class_id", "VARCHAR(20)"), ("standard_concept", "VARCHAR(1)"),
                ("concept_code", "VARCHAR(50)"), ("valid_start_date", _D),
                ("valid_end_date", _D), ("invalid_reason", "VARCHAR(1)")),
    "concept_ancestor": (("ancestor_concept_id", _I), ("descendant_concept_id", _I),
                         ("min_levels_of_separation", _I), ("max_levels_of_separation", _I)),
}

_ARROW = {_I: pa.int64(), _B: pa.int64(), _D: pa.date32(), _N: pa.float64(),
          _T: pa.timestamp("us")}


def _column(table: pa.Table, name: str, sql_type: str) -> list[Any]:
    if name not in table.column_names:
        return [None] * table.num_rows
    column = table.column(name)
    target = _ARROW.get(sql_type, pa.string())
    if column.type == pa.string() and target == pa.date32():
        column = pc.strptime(column, format="%Y-%m-%d", unit="s")
    if pa.types.is_timestamp(column.type) and target == pa.date32():
        column = column.cast(pa.timestamp("s")).cast(pa.date32())
    column = column.cast(target)
    out: list[Any] = column.to_pylist()
    return out


def load_tables_into_postgres(tables: Mapping[str, pa.Table], conninfo: str, *,
                              schema: str = "public") -> dict[str, int]:
    """Create (replace) the CDM tables in ``schema`` and copy the rows; return row counts."""
    import psycopg
    from psycopg import sql

    counts: dict[str, int] = {}
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        for name, columns in CDM_COLUMNS.items():
            if name not in tables:
                continue
            ident = sql.Identifier(schema, name)
            con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
            ddl = sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns))
            con.execute(ddl)
            table = tables[name]
            data = [_column(table, c, t) for c, t in columns]
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                ident, sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns))
            with con.cursor() as cur, cur.copy(copy_sql) as copy:
                for row in zip(*data, strict=True):
                    copy.write_row(row)
            counts[name] = table.num_rows
    return counts


def read_parquet_dir(directory: str | Path) -> dict[str, pa.Table]:
    """Read every known CDM table present as ``<table>.parquet`` in ``directory``."""
    root = Path(directory)
    return {name: pq.read_table(root / f"{name}.parquet") for name in CDM_COLUMNS
            if (root / f"{name}.parquet").exists()}
