"""Compile a protocol's eligibility rules to one read-only SQL query over an OMOP CDM.

The query returns one row per person: ``person_id`` and, per automated criterion, a boolean
column (TRUE met, FALSE not met, NULL unknown) — SQL's three-valued logic is Kleene's, the same
as the single-patient evaluator's. The text is written in DuckDB's dialect from fixed
fragments and transpiled with sqlglot; every value that comes from a protocol, a vocabulary
or the screening date is a bound parameter (``$p0`` ...), never part of the text. Column
aliases are generated (``c0``...), so protocol text and ids never reach the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import sqlglot
from sqlglot import exp

from abscopal.eligibility.concepts import CONCEPT_SETS
from abscopal.eligibility.derived import compute_tolerant_threshold
from abscopal.eligibility.language import (
    AgeRule,
    AllRule,
    AnyRule,
    BsaRule,
    CreatinineClearanceRule,
    EventRule,
    FactRule,
    IfRule,
    MeasurementRule,
    NotRule,
    Op,
    Rule,
)
from abscopal.eligibility.measurements import (
    _ALIASES,
    MEASUREMENTS,
    unit_factor_for,
)
from abscopal.errors import InputError, UnsafeSQL
from abscopal.screening.omop import EVENT_TABLES, FACT_VOCABULARY, GENDER_VOCABULARY

DIALECTS = ("duckdb", "postgres", "spark")


@dataclass(frozen=True)
class CompiledQuery:
    """A compiled screening query and its parameters.

    Attributes
    ----------
    sql : str
        One SELECT statement in ``dialect``.
    params : dict
        Named parameters (``p0``...) to bind.
    columns : tuple of (registry_id, criterion_id)
        What each result column ``c0``, ``c1``, ... holds.
    manual : tuple of (registry_id, criterion_id)
        Criteria without a rule (not in the query).
    """

    registry_ids: tuple[str, ...]
    dialect: str
    sql: str
    params: Mapping[str, Any]
    columns: tuple[tuple[str, str], ...]
    manual_columns: tuple[tuple[str, str], ...]
    as_of: date

    @property
    def registry_id(self) -> str:
        return "+".join(self.registry_ids)

    @property
    def criteria(self) -> tuple[str, ...]:
        """Criterion ids of the result columns (meaningful for a single protocol)."""
        return tuple(cid for _, cid in self.columns)

    @property
    def manual(self) -> tuple[str, ...]:
        return tuple(cid for _, cid in self.manual_columns)


@dataclass
class _Builder:
    as_of: date
    use_ancestor: bool
    params: dict[str, Any] = field(default_factory=dict)
    labs: dict[str, int] = field(default_factory=dict)
    lab_starts: dict[str, date] = field(default_factory=dict)
    lab_cols: dict[str, set[str]] = field(default_factory=dict)
    facts: dict[str, int] = field(default_factory=dict)
    sets: dict[str, int] = field(default_factory=dict)
    windows: dict[tuple[str, date | None], int] = field(default_factory=dict)
    need_person: bool = False
    features: dict[Any, tuple[str, str]] = field(default_factory=dict)
    _depth: int = 0

    def feature(self, key: Any, build: Any) -> str:
        """Compute ``build()`` once as a column of the ``feat`` CTE; return its qualified name.

        Inside another feature's expression (same CTE) the expression itself is returned.
        """
        if key not in self.features:
            alias = f"x{len(self.features)}"
            self.features[key] = (alias, "")
            self._depth += 1
            try:
                self.features[key] = (alias, build())
            finally:
                self._depth -= 1
        alias, expr = self.features[key]
        return f"({expr})" if self._depth else f"feat.{alias}"

    def p(self, value: Any, sql_type: str) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"CAST(${name} AS {sql_type})"

    def num(self, value: float) -> str:
        return self.p(float(value), "DOUBLE")

    def lab(self, name: str, start: date, column: str) -> int:
        """Register that ``column`` (cv, rhi, rlo) of measurement ``name`` is needed."""
        if name not in self.labs:
            self.labs[name] = len(self.labs)
            self.lab_starts[name] = start
            self.lab_cols[name] = set()
        self.lab_starts[name] = min(self.lab_starts[name], start)
        self.lab_cols[name].add(column)
        return self.labs[name]

    # ---- value expressions (NULL = unknown) -------------------------------------------
    def canonical(self, name: str, start: date) -> str:
        k = self.lab(name, start, "cv")
        return self.feature(("cv", name, start), lambda: (
            f"CASE WHEN lab.d{k} >= {self.p(start, 'DATE')} THEN lab.cv{k} END"))

    def age(self) -> str:
        self.need_person = True
        return self.feature("age", self._age)

    def _age(self) -> str:
        raw = (f"({self.p(self.as_of.year, 'INTEGER')} - per.b_y - CASE WHEN per.b_m > "
               f"{self.p(self.as_of.month, 'INTEGER')} OR (per.b_m = "
               f"{self.p(self.as_of.month, 'INTEGER')} AND per.b_d > "
               f"{self.p(self.as_of.day, 'INTEGER')}) THEN 1 ELSE 0 END)")
        return f"CASE WHEN {raw} >= 0 THEN {raw} END"

    def compare(self, expr: str, comparisons: tuple[tuple[Op, float], ...]) -> str:
        parts = []
        for op, threshold in comparisons:
            low, high = compute_tolerant_threshold(op, threshold)
            if op == "<":
                parts.append(f"({expr} < {self.num(low)})")
            elif op == "<=":
                parts.append(f"({expr} <= {self.num(high)})")
            elif op == ">":
                parts.append(f"({expr} > {self.num(high)})")
            elif op == ">=":
                parts.append(f"({expr} >= {self.num(low)})")
            else:
                inside = f"({expr} >= {self.num(low)} AND {expr} <= {self.num(high)})"
                parts.append(inside if op == "==" else f"(NOT {inside})")
        return "(" + " AND ".join(parts) + ")"

    # ---- rule nodes -> boolean expressions ---------------------------------------------
    def rule(self, rule: Rule) -> str:  # noqa: C901 - one branch per node kind
        if isinstance(rule, FactRule):
            return self.fact(rule)
        if isinstance(rule, MeasurementRule):
            start = rule.window.start_date(self.as_of)
            if rule.relative_to is None:
                return self.compare(self.canonical(rule.name, start),
                                    rule.canonical_comparisons())
            column = "rhi" if rule.relative_to == "uln" else "rlo"
            k = self.lab(rule.name, start, column)
            ratio = self.feature(("ratio", rule.name, column, start), lambda: (
                f"CASE WHEN lab.d{k} >= {self.p(start, 'DATE')} THEN lab.{column}{k} END"))
            return self.compare(ratio, rule.canonical_comparisons())
        if isinstance(rule, AgeRule):
            if rule.at is not None:
                return "(CAST(NULL AS BOOLEAN))"  # OMOP records no consent date
            return self.compare(self.age(), rule.comparisons())
        if isinstance(rule, CreatinineClearanceRule):
            return self.compare(self.crcl(rule), rule.canonical_comparisons())
        if isinstance(rule, BsaRule):
            start = _start(rule.within, self.as_of)
            bsa = self.feature(("bsa", start), lambda: self._bsa(start))
            return self.compare(bsa, rule.canonical_comparisons())
        if isinstance(rule, EventRule):
            return self.event(rule)
        if isinstance(rule, NotRule):
            return f"(NOT {self.rule(rule.rule)})"
        if isinstance(rule, AllRule):
            return "(" + " AND ".join(self.rule(r) for r in rule.of) + ")"
        if isinstance(rule, AnyRule):
            return "(" + " OR ".join(self.rule(r) for r in rule.of) + ")"
        assert isinstance(rule, IfRule)
        c, a, b = self.rule(rule.condition), self.rule(rule.then), self.rule(rule.else_)
        return (f"(CASE WHEN {c} THEN {a} WHEN NOT {c} THEN {b} "
                f"WHEN {a} = {b} THEN {a} ELSE CAST(NULL AS BOOLEAN) END)")

    def fact(self, rule: FactRule) -> str:
        if rule.field == "sex":
            self.need_person = True
            expr = self.feature("sex", lambda: "per.sex")
            value = self.p(str(rule.value), "VARCHAR")
            return f"({expr} = {value})" if rule.op == "==" else f"({expr} <> {value})"
        if isinstance(rule.value, str):
            return "(CAST(NULL AS BOOLEAN))"  # text facts other than sex are not in OMOP
        k = self.facts.setdefault(rule.field, len(self.facts))
        if isinstance(rule.value, bool):
            expr = self.feature(("fact_bool", rule.field), lambda: (
                f"CASE WHEN fct.f{k} = 1 THEN TRUE WHEN fct.f{k} = 0 THEN FALSE END"))
            value = self.p(rule.value, "BOOLEAN")
            return f"({expr} = {value})" if rule.op == "==" else f"({expr} <> {value})"
        value_col = self.feature(("fact", rule.field), lambda: f"fct.f{k}")
        return self.compare(value_col, ((rule.op, rule.threshold()),))

    def _bsa(self, start: date) -> str:
        w, h = self.canonical("weight", start), self.canonical("height", start)
        return (f"CASE WHEN {w} > {self.num(0.0)} AND {h} > {self.num(0.0)} "
                f"THEN SQRT({h} * {w} / CAST(3600 AS DOUBLE)) END")

    def crcl(self, rule: CreatinineClearanceRule) -> str:
        return self.feature(("crcl", rule.within, rule.weight_within), lambda: self._crcl(rule))

    def _crcl(self, rule: CreatinineClearanceRule) -> str:
        age = self.age()
        w = self.canonical("weight", _start(rule.weight_within, self.as_of))
        scr = self.canonical("creatinine", _start(rule.within, self.as_of))
        female, male = self.p("F", "VARCHAR"), self.p("M", "VARCHAR")
        self.need_person = True
        sex = self.feature("sex", lambda: "per.sex")
        return (f"CASE WHEN {age} IS NOT NULL AND {sex} IN ({female}, {male}) AND "
                f"{w} > {self.num(0.0)} AND {scr} > {self.num(0.0)} THEN "
                f"CAST(140 - {age} AS DOUBLE) * {w} * CASE WHEN {sex} = {female} "
                f"THEN CAST(0.85 AS DOUBLE) ELSE CAST(1.0 AS DOUBLE) END / "
                f"(CAST(72 AS DOUBLE) * {scr}) END")

    def event(self, rule: EventRule) -> str:
        window = rule.window
        start = window.start_date(self.as_of) if window is not None else None
        self.sets.setdefault(rule.concept_set, len(self.sets))
        j = self.windows.setdefault((rule.concept_set, start), len(self.windows))
        n = self.feature(("n", j), lambda: f"COALESCE(ev.n{j}, 0)")
        cover_from = start if start is not None else self.as_of
        covered = self.feature(("covered", cover_from), lambda: (
            f"COALESCE(obs.obs_start <= {self.p(cover_from, 'DATE')}, FALSE)"))
        k = self.p(rule.count, "INTEGER")
        holds = {"<": f"{n} < {k}", "<=": f"{n} <= {k}", ">": f"{n} > {k}",
                 ">=": f"{n} >= {k}", "==": f"{n} = {k}", "!=": f"{n} <> {k}"}[rule.op]
        if rule.op in (">=", ">"):
            uncovered = f"WHEN {holds} THEN TRUE"
        elif rule.op in ("<", "<="):
            uncovered = f"WHEN NOT ({holds}) THEN FALSE"
        else:
            uncovered = f"WHEN {n} > {k} THEN {'FALSE' if rule.op == '==' else 'TRUE'}"
        return (f"(CASE WHEN {covered} THEN ({holds}) {uncovered} "
                f"ELSE CAST(NULL AS BOOLEAN) END)")

    # ---- CTEs ---------------------------------------------------------------------------
    def ctes(self) -> tuple[list[str], list[str]]:
        ctes: list[str] = []
        joins: list[str] = []
        if self.need_person:
            gender = self.p(GENDER_VOCABULARY, "VARCHAR")
            ctes.append(
                "per AS (SELECT p.person_id, "
                "COALESCE(EXTRACT(YEAR FROM p.birth_datetime), CAST(p.year_of_birth AS INTEGER)) AS b_y, "
                "COALESCE(EXTRACT(MONTH FROM p.birth_datetime), CAST(p.month_of_birth AS INTEGER), 1) AS b_m, "
                "COALESCE(EXTRACT(DAY FROM p.birth_datetime), CAST(p.day_of_birth AS INTEGER), 1) AS b_d, "
                "g.concept_code AS sex FROM person p LEFT JOIN concept g ON "
                f"g.concept_id = p.gender_concept_id AND g.vocabulary_id = {gender})"
            )
            joins.append("LEFT JOIN per ON per.person_id = base.person_id")
        if self.labs:
            ctes += self._lab_ctes()
            joins.append("LEFT JOIN lab ON lab.person_id = base.person_id")
        if self.facts:
            ctes += self._fact_ctes()
            joins.append("LEFT JOIN fct ON fct.person_id = base.person_id")
        if self.windows:
            ctes += self._event_ctes()
            joins.append("LEFT JOIN ev ON ev.person_id = base.person_id")
            asof = self.p(self.as_of, "DATE")
            ctes.append(
                "obs AS (SELECT person_id, MIN(observation_period_start_date) AS obs_start "
                f"FROM observation_period WHERE observation_period_start_date <= {asof} AND "
                f"observation_period_end_date >= {asof} GROUP BY person_id)"
            )
            joins.append("LEFT JOIN obs ON obs.person_id = base.person_id")
        return ctes, joins

    def _lab_ctes(self) -> list[str]:
        code_rows, unit_rows = [], []
        loinc = self.p("LOINC", "VARCHAR")
        for name, k in self.labs.items():
            start = self.p(self.lab_starts[name], "DATE")
            for code in MEASUREMENTS[name].loinc:
                code_rows.append(f"({k}, {self.p(code, 'VARCHAR')}, {start})")
            keys = [""] + sorted(_ALIASES)
            for key in keys:
                factor = unit_factor_for(name, key or None)
                if factor is not None:
                    unit_rows.append(f"({k}, {self.p(key, 'VARCHAR')}, {self.num(factor)})")
        asof = self.p(self.as_of, "DATE")
        pivots = []
        for name, k in self.labs.items():
            for col in ("d", *sorted(self.lab_cols[name])):
                pivots.append(f"MAX(CASE WHEN idx = {k} THEN {col} END) AS {col}{k}")
        return [
            "lab_code AS (SELECT DISTINCT v.idx, c.concept_id, v.start_date FROM concept c JOIN "
            f"(VALUES {', '.join(code_rows)}) AS v(idx, code, start_date) ON "
            f"c.vocabulary_id = {loinc} AND c.concept_code = v.code)",
            f"lab_unit AS (SELECT * FROM (VALUES {', '.join(unit_rows)}) AS u(idx, ukey, factor))",
            "lab_row AS (SELECT m.person_id, lc.idx, m.measurement_date AS d, "
            "CAST(m.value_as_number AS DOUBLE) AS v, CAST(m.range_low AS DOUBLE) AS lo, "
            "CAST(m.range_high AS DOUBLE) AS hi, CASE WHEN m.unit_concept_id IS NULL OR "
            "m.unit_concept_id = 0 THEN '' ELSE REPLACE(LOWER(uc.concept_code), ' ', '') END "
            "AS ukey, ROW_NUMBER() OVER (PARTITION BY m.person_id, lc.idx ORDER BY "
            "m.measurement_date DESC, m.measurement_id DESC) AS rn FROM measurement m "
            "JOIN lab_code lc ON m.measurement_concept_id = lc.concept_id "
            "LEFT JOIN concept uc ON uc.concept_id = m.unit_concept_id "
            f"WHERE m.measurement_date <= {asof} AND m.measurement_date >= lc.start_date)",
            "lab_latest AS (SELECT r.person_id, r.idx, r.d, r.v * u.factor AS cv, "
            f"CASE WHEN r.hi > {self.num(0.0)} THEN r.v / r.hi END AS rhi, "
            f"CASE WHEN r.lo > {self.num(0.0)} THEN r.v / r.lo END AS rlo "
            "FROM lab_row r LEFT JOIN lab_unit u ON u.idx = r.idx AND u.ukey = r.ukey "
            "WHERE r.rn = 1)",
            f"lab AS (SELECT person_id, {', '.join(pivots)} FROM lab_latest GROUP BY person_id)",
        ]

    def _fact_ctes(self) -> list[str]:
        vocab = self.p(FACT_VOCABULARY, "VARCHAR")
        rows = ", ".join(f"({k}, {self.p(name, 'VARCHAR')})" for name, k in self.facts.items())
        asof = self.p(self.as_of, "DATE")
        pivots = ", ".join(f"MAX(CASE WHEN idx = {k} THEN v END) AS f{k}"
                           for k in self.facts.values())
        return [
            "fct_code AS (SELECT v.idx, c.concept_id FROM concept c JOIN "
            f"(VALUES {rows}) AS v(idx, code) ON c.vocabulary_id = {vocab} AND "
            "c.concept_code = v.code)",
            "fct_row AS (SELECT o.person_id, fc.idx, CAST(o.value_as_number AS DOUBLE) AS v, "
            "ROW_NUMBER() OVER (PARTITION BY o.person_id, fc.idx ORDER BY o.observation_date "
            "DESC, o.observation_id DESC) AS rn FROM observation o JOIN fct_code fc ON "
            f"o.observation_concept_id = fc.concept_id WHERE o.observation_date <= {asof})",
            f"fct AS (SELECT person_id, {pivots} FROM fct_row WHERE rn = 1 GROUP BY person_id)",
        ]

    def _event_ctes(self) -> list[str]:
        rows = []
        for name, s in self.sets.items():
            for code in CONCEPT_SETS[name].codes:
                rows.append(f"({s}, {self.p(code.vocabulary, 'VARCHAR')}, "
                            f"{self.p(code.code, 'VARCHAR')}, {self.p(code.prefix, 'BOOLEAN')})")
        direct = ("SELECT v.sidx, c.concept_id FROM concept c JOIN "
                  f"(VALUES {', '.join(rows)}) AS v(sidx, vocab, code, is_prefix) ON "
                  "c.vocabulary_id = v.vocab AND (c.concept_code = v.code OR (v.is_prefix AND "
                  "SUBSTRING(c.concept_code, 1, LENGTH(v.code)) = v.code))")
        ctes = [f"set_direct AS ({direct})"]
        if self.use_ancestor:
            ctes.append("set_code AS (SELECT sidx, concept_id FROM set_direct UNION "
                        "SELECT d.sidx, ca.descendant_concept_id AS concept_id FROM set_direct d "
                        "JOIN concept_ancestor ca ON ca.ancestor_concept_id = d.concept_id)")
        else:
            ctes.append("set_code AS (SELECT DISTINCT sidx, concept_id FROM set_direct)")
        asof = self.p(self.as_of, "DATE")
        unions = []
        for domain, table in EVENT_TABLES.items():
            members = [s for n, s in self.sets.items() if CONCEPT_SETS[n].domain == domain]
            if not members:
                continue
            end = (f"COALESCE(e.{table.end_column}, e.{table.start_column})"
                   if table.end_column else f"e.{table.start_column}")
            member_list = ", ".join(str(s) for s in members)
            unions.append(
                f"SELECT e.person_id, sc.sidx, {end} AS end_d FROM {table.table} e JOIN set_code "
                f"sc ON e.{table.concept_column} = sc.concept_id AND sc.sidx IN ({member_list}) "
                f"WHERE e.{table.start_column} <= {asof}"
            )
        ctes.append(f"ev_row AS ({' UNION ALL '.join(unions)})")
        sums = []
        for (name, start), j in self.windows.items():
            s = self.sets[name]
            cond = f"sidx = {s}" + (f" AND end_d >= {self.p(start, 'DATE')}" if start else "")
            sums.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS n{j}")
        ctes.append(f"ev AS (SELECT person_id, {', '.join(sums)} FROM ev_row GROUP BY person_id)")
        return ctes


def _start(within: str, as_of: date) -> date:
    from abscopal.eligibility._windows import parse_window

    return parse_window(within).start_date(as_of)


def compile_protocol(
    protocol: Any,
    *,
    as_of: date,
    dialect: str = "duckdb",
    use_concept_ancestor: bool = True,
) -> CompiledQuery:
    """Compile one protocol (cached: protocols are immutable); see ``compile_protocols``."""
    return _compile_cached((protocol,), as_of, dialect, use_concept_ancestor)


def compile_protocols(
    protocols: Sequence[Any],
    *,
    as_of: date,
    dialect: str = "duckdb",
    use_concept_ancestor: bool = True,
) -> CompiledQuery:
    """Compile several protocols into ONE query: shared inputs are read once.

    Parameters
    ----------
    protocols : sequence of abscopal.protocol.Protocol
    as_of : date
        The screening date; windows and ages are computed from it (bound as parameters).
    dialect : {'duckdb', 'postgres', 'spark'}
    use_concept_ancestor : bool
        Expand concept sets to descendants through ``concept_ancestor`` (needs that table).

    Raises
    ------
    InputError
        Unknown dialect.
    UnsafeSQL
        The generated text is not a single read-only SELECT (a bug; never expected).
    """
    return _compile_cached(tuple(protocols), as_of, dialect, use_concept_ancestor)


@lru_cache(maxsize=64)
def _compile_cached(protocols: tuple[Any, ...], as_of: date, dialect: str,
                    use_concept_ancestor: bool) -> CompiledQuery:
    if dialect not in DIALECTS:
        raise InputError(f"'dialect' must be one of {list(DIALECTS)} (got {dialect!r})")
    b = _Builder(as_of=as_of, use_ancestor=use_concept_ancestor)
    columns: list[str] = []
    ids: list[tuple[str, str]] = []
    manual: list[tuple[str, str]] = []
    for protocol in protocols:
        registry_id = protocol.identity.registry_id
        for criterion in protocol.eligibility:
            if criterion.rule is None:
                manual.append((registry_id, criterion.id))
                continue
            columns.append(f"{b.rule(criterion.rule)} AS c{len(ids)}")
            ids.append((registry_id, criterion.id))
    ctes, joins = b.ctes()
    ctes.insert(0, "base AS (SELECT person_id FROM person)")
    feats = ", ".join(["base.person_id", *(f"{expr} AS {alias}"
                                           for alias, expr in b.features.values())])
    ctes.append(f"feat AS (SELECT {feats} FROM base {' '.join(joins)})")
    select_list = ", ".join(["feat.person_id", *columns])
    text = f"WITH {', '.join(ctes)} SELECT {select_list} FROM feat ORDER BY feat.person_id"
    tree = _parse_one(text, dialect="duckdb")
    _check_tree(tree)
    sql = text if dialect == "duckdb" else tree.sql(dialect=dialect)
    registry_ids = tuple(p.identity.registry_id for p in protocols)
    return CompiledQuery(registry_ids, dialect, sql, MappingProxyType(b.params), tuple(ids),
                         tuple(manual), as_of)


_FORBIDDEN = (exp.Insert, exp.Update, exp.Delete, exp.Drop, exp.Create, exp.Alter, exp.Command,
              exp.Merge, exp.Into, exp.Set, exp.Pragma, exp.Use, exp.Transaction, exp.Copy)


def _parse_one(sql: str, *, dialect: str) -> Any:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise UnsafeSQL(f"generated SQL does not parse as {dialect}: {exc}") from exc
    if len(statements) != 1:
        raise UnsafeSQL(f"expected exactly one statement (got {len(statements)})")
    return statements[0]


def check_select_only(sql: str, *, dialect: str) -> None:
    """Raise ``UnsafeSQL`` unless ``sql`` is exactly one statement that only reads.

    Modelled on Datasette's ``validate_sql_select``: parse, then reject anything that is not
    a SELECT (or contains a write, DDL, transaction or session command).
    """
    _check_tree(_parse_one(sql, dialect=dialect))


def _check_tree(root: Any) -> None:
    if not isinstance(root, (exp.Select, exp.Union)):
        raise UnsafeSQL(f"expected a SELECT (got {type(root).__name__})")
    for node in root.walk():
        if isinstance(node, _FORBIDDEN):
            raise UnsafeSQL(f"statement contains a forbidden {type(node).__name__}")
