"""Synthetic OMOP CDM generator (seeded, vectorised numpy) for screening tests and benchmarks.

Generates N patients with the features the seed protocols use — age, sex, observation periods,
performance status, blood counts, liver and renal function, coagulation, urine protein, blood
pressure, LVEF, weight and height (with each laboratory's own reference range and a mix of
units), coded conditions, drugs and procedures dated around the screening date, and the
oncology facts of the local ``ABSCOPAL`` vocabulary — plus the vocabulary subset (``concept``
and a reflexive ``concept_ancestor``) those codes need. About 5 % of laboratory values are
placed exactly on protocol thresholds so boundary handling is exercised.

The distributions are plausible for an adult oncology population, not fitted to a registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from abscopal.eligibility.concepts import CONCEPT_SETS, LOCAL_VOCABULARY
from abscopal.eligibility.measurements import MEASUREMENTS
from abscopal.errors import InputError
from abscopal.protocol.fields import PATIENT_FIELDS
from abscopal.screening.omop import EVENT_TABLES

SYNTH_VERSION = "1"

# name: (median, log-sd or sd, distribution, reference (low, high) variants)
_LABS: dict[str, tuple[float, float, str, tuple[tuple[float, float], ...]]] = {
    "anc": (3.8, 0.45, "lognormal", ((1.8, 7.5), (2.0, 7.0))),
    "platelets": (230.0, 0.35, "lognormal", ((150.0, 400.0), (140.0, 440.0))),
    "hemoglobin": (125.0, 0.15, "lognormal", ((120.0, 160.0), (115.0, 155.0))),
    "total_bilirubin": (0.7, 0.55, "lognormal", ((0.2, 1.2), (0.3, 1.0))),
    "alt": (28.0, 0.65, "lognormal", ((7.0, 40.0), (10.0, 35.0), (5.0, 55.0))),
    "ast": (26.0, 0.6, "lognormal", ((10.0, 40.0), (8.0, 33.0))),
    "creatinine": (0.95, 0.3, "lognormal", ((0.6, 1.2), (0.5, 1.1), (0.7, 1.3))),
    "aptt": (30.0, 0.12, "lognormal", ((25.0, 35.0), (24.0, 36.0))),
    "pt": (12.5, 0.1, "lognormal", ((11.0, 13.5), (10.0, 13.0))),
    "inr": (1.05, 0.15, "lognormal", ((0.8, 1.2),)),
    "urine_protein_24h": (0.12, 1.0, "lognormal", ((0.0, 0.15),)),
    "urine_protein_dipstick": (0.0, 0.0, "dipstick", ()),
    "sbp": (132.0, 18.0, "normal", ()),
    "dbp": (80.0, 11.0, "normal", ()),
    "lvef": (60.0, 8.0, "normal", ()),
    "ecog": (0.0, 0.0, "ecog", ()),
    "karnofsky": (0.0, 0.0, "karnofsky", ()),
    "weight": (72.0, 15.0, "normal", ()),
    "height": (168.0, 9.0, "normal", ()),
}

# Values put exactly on thresholds used by the seed protocols (canonical units).
_BOUNDARIES: dict[str, tuple[float, ...]] = {
    "anc": (1.5,), "platelets": (50.0, 80.0, 100.0), "hemoglobin": (90.0,),
    "creatinine": (1.2, 1.3), "inr": (1.5,), "urine_protein_24h": (1.0,), "sbp": (140.0,),
    "dbp": (90.0,), "lvef": (50.0,), "karnofsky": (70.0,),
}
_ULN_MULTIPLES = (1.0, 1.5, 2.5, 3.0, 5.0)

# Alternative units: (UCUM code, factor from canonical to this unit)
_ALT_UNITS: dict[str, tuple[tuple[str, float], ...]] = {
    "hemoglobin": (("g/dL", 0.1),),
    "creatinine": (("umol/L", 88.40),),
    "total_bilirubin": (("umol/L", 17.10),),
    "platelets": (("10*3/uL", 1.0),),
    "anc": (("10*3/uL", 1.0),),
}
_CANONICAL_UCUM = {"10^9/L": "10*9/L", "g/L": "g/L", "mg/dL": "mg/dL", "U/L": "U/L", "s": "s",
                   "1": "{score}", "g/d": "g/(24.h)", "mmHg": "mm[Hg]", "%": "%", "kg": "kg",
                   "cm": "cm"}

_NOISE_CONDITIONS = (("38341003", "Hypertensive disorder"), ("44054006", "Diabetes mellitus type 2"),
                     ("195967001", "Asthma"))
_NOISE_DRUGS = (("161", "Acetaminophen"), ("5640", "Ibuprofen"), ("6809", "Metformin"))

_EVENT_PLAN: tuple[tuple[str, str, float, int, int], ...] = (
    # (concept set, code, share of patients, max days before as_of, max duration days)
    ("liver_metastases", "94381002", 0.25, 900, 0),
    ("thrombosis", "128053003", 0.03, 400, 0),
    ("bleeding", "74474003", 0.04, 200, 0),
    ("cardiac_disease", "42343007", 0.04, 500, 0),
    ("cardiac_disease", "22298006", 0.02, 500, 0),
    ("chronic_liver_disease", "19943007", 0.03, 2000, 0),
    ("malignant_neoplasm", "363346000", 0.9, 1500, 0),
    ("checkpoint_inhibitors", "1547545", 0.15, 400, 120),
    ("checkpoint_inhibitors", "1597876", 0.1, 400, 120),
    ("anti_infectives_probiotics", "723", 0.08, 90, 10),
    ("anti_infectives_probiotics", "2551", 0.05, 90, 10),
    ("anti_infectives_probiotics", "probiotic", 0.03, 60, 20),
    ("radiotherapy", "rt_abdomen_pelvis", 0.1, 400, 0),
    ("radiotherapy", "rt_other_site", 0.1, 400, 0),
    ("radiotherapy", "108290001", 0.04, 400, 0),
    ("major_surgery", "major_surgery", 0.05, 120, 0),
    ("major_surgery", "80146002", 0.01, 120, 0),
    ("transfusion", "180207008", 0.03, 60, 0),
    ("coronary_bypass", "232717009", 0.01, 400, 0),
)

_FACTS: dict[str, tuple[str, float]] = {
    "measurable_disease_recist": ("bool", 0.85),
    "metastatic_lesion_count": ("count", 3.0),
    "metastatic_organ_count": ("count", 1.2),
    "liver_metastasis_count": ("count", 2.0),
    "extrahepatic_disease": ("bool", 0.4),
    "prior_first_line_chemotherapy": ("bool", 0.6),
    "progressed_after_first_line_chemotherapy": ("bool", 0.5),
    "progressed_after_immunotherapy": ("bool", 0.3),
}

_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class SyntheticOmop:
    """Generated OMOP tables (pyarrow) and the screening date they are centred on."""

    as_of: date
    seed: int
    tables: dict[str, pa.Table]

    @property
    def n_patients(self) -> int:
        return int(self.tables["person"].num_rows)


class _Vocab:
    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, str, str, str]] = []
        self.ids: dict[tuple[str, str], int] = {}

    def add(self, vocabulary: str, code: str, name: str, domain: str) -> int:
        key = (vocabulary, code)
        if key not in self.ids:
            local = vocabulary == LOCAL_VOCABULARY
            cid = (2_000_000_000 if local else 1_000_000) + len(self.ids)
            self.ids[key] = cid
            self.rows.append((cid, name, domain, vocabulary, code, "S"))
        return self.ids[key]

    def table(self) -> pa.Table:
        cols = list(zip(*self.rows, strict=True))
        ids = pa.array(cols[0], pa.int64())
        return pa.table({
            "concept_id": ids, "concept_name": list(cols[1]), "domain_id": list(cols[2]),
            "vocabulary_id": list(cols[3]), "concept_class_id": ["Synthetic"] * len(ids),
            "standard_concept": list(cols[5]), "concept_code": list(cols[4]),
            "valid_start_date": pa.array([date(1970, 1, 1)] * len(ids), pa.date32()),
            "valid_end_date": pa.array([date(2099, 12, 31)] * len(ids), pa.date32()),
            "invalid_reason": pa.nulls(len(ids), pa.string()),
        })


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array((_EPOCH + days.astype("timedelta64[D]")), pa.date32())


def generate_synthetic_omop(
    n_patients: int, *, seed: int = 0, as_of: date = date(2025, 1, 15)
) -> SyntheticOmop:
    """Generate ``n_patients`` synthetic patients as OMOP CDM v5.4 tables.

    Raises
    ------
    InputError
        ``n_patients`` is not a positive integer.
    """
    if not isinstance(n_patients, int) or n_patients <= 0:
        raise InputError(f"'n_patients' must be a positive integer (got {n_patients!r})")
    rng = np.random.default_rng(seed)
    vocab = _Vocab()
    n = n_patients
    person_id = np.arange(1, n + 1, dtype=np.int64)
    asof_day = int((np.datetime64(as_of, "D") - _EPOCH).astype(int))
    tables: dict[str, pa.Table] = {}

    female = vocab.add("Gender", "F", "FEMALE", "Gender")
    male = vocab.add("Gender", "M", "MALE", "Gender")
    is_f = rng.random(n) < 0.5
    age_days = (np.clip(rng.normal(62, 12, n), 20, 92) * 365.25).astype(np.int64)
    # a few exact birthdays on the screening date (age boundaries)
    exact = rng.random(n) < 0.02
    years = rng.choice([18, 75, 80], n)
    birth = asof_day - age_days
    birth_dates = (_EPOCH + birth.astype("timedelta64[D]")).astype("datetime64[D]")
    asof_np = np.datetime64(as_of, "D")
    exact_birth = np.array([np.datetime64(date(as_of.year - int(y), as_of.month, as_of.day), "D")
                            for y in years[exact]], dtype="datetime64[D]")
    birth_dates[exact] = exact_birth
    birth = (birth_dates - _EPOCH).astype(np.int64)
    ymd = birth_dates.astype(object)
    tables["person"] = pa.table({
        "person_id": person_id,
        "gender_concept_id": pa.array(np.where(is_f, female, male), pa.int64()),
        "year_of_birth": pa.array([d.year for d in ymd], pa.int32()),
        "month_of_birth": pa.array([d.month for d in ymd], pa.int32()),
        "day_of_birth": pa.array([d.day for d in ymd], pa.int32()),
        "birth_datetime": pa.array(birth_dates.astype("datetime64[s]"), pa.timestamp("s")),
        "race_concept_id": pa.array(np.zeros(n, np.int64)),
        "ethnicity_concept_id": pa.array(np.zeros(n, np.int64)),
    })
    del asof_np

    # observation periods: most cover the screening date; some end before it
    start = asof_day - (rng.uniform(0.1, 12, n) * 365.25).astype(np.int64)
    start = np.maximum(start, birth)
    end = asof_day + rng.integers(0, 365, n)
    lost = rng.random(n) < 0.05
    end[lost] = asof_day - rng.integers(1, 200, lost.sum())
    end = np.maximum(end, start)
    tables["observation_period"] = pa.table({
        "observation_period_id": person_id, "person_id": person_id,
        "observation_period_start_date": _dates(start),
        "observation_period_end_date": _dates(end),
        "period_type_concept_id": pa.array(np.zeros(n, np.int64)),
    })

    tables["measurement"] = _measurements(rng, vocab, person_id, is_f, asof_day)
    tables.update(_events(rng, vocab, person_id, asof_day))
    tables["observation"] = _facts(rng, vocab, person_id, asof_day)
    died = rng.random(n) < 0.005
    tables["death"] = pa.table({
        "person_id": person_id[died],
        "death_date": _dates(np.full(died.sum(), asof_day + 30)),
        "death_type_concept_id": pa.array(np.zeros(died.sum(), np.int64)),
    })
    tables["concept"] = vocab.table()
    ids = tables["concept"].column("concept_id")
    zeros = pa.array(np.zeros(len(ids), np.int32))
    tables["concept_ancestor"] = pa.table({
        "ancestor_concept_id": ids, "descendant_concept_id": ids,
        "min_levels_of_separation": zeros, "max_levels_of_separation": zeros,
    })
    return SyntheticOmop(as_of, seed, tables)


def _lab_values(rng: np.random.Generator, name: str, size: int, sex_f: np.ndarray) -> np.ndarray:
    median, spread, dist, _ = _LABS[name]
    if dist == "lognormal":
        return np.round(median * np.exp(rng.normal(0, spread, size)), 2)
    if dist == "normal":
        shift = np.where(sex_f, -12.0, 0.0) if name == "weight" else (
            np.where(sex_f, -12.0, 0.0) if name == "height" else 0.0)
        return np.round(rng.normal(median, spread, size) + shift, 0)
    if dist == "dipstick":
        return rng.choice([0.0, 1.0, 2.0, 3.0], size, p=[0.75, 0.13, 0.08, 0.04])
    if dist == "ecog":
        return rng.choice([0.0, 1.0, 2.0, 3.0, 4.0], size, p=[0.35, 0.4, 0.17, 0.06, 0.02])
    return rng.choice([50.0, 60.0, 70.0, 80.0, 90.0, 100.0], size,
                      p=[0.04, 0.08, 0.18, 0.3, 0.28, 0.12])


def _measurements(rng: np.random.Generator, vocab: _Vocab, person_id: np.ndarray,
                  is_f: np.ndarray, asof_day: int) -> pa.Table:
    parts: dict[str, list[Any]] = {k: [] for k in (
        "person_id", "concept", "day", "value", "unit", "lo", "hi")}
    n = len(person_id)
    units: dict[str, int] = {}
    for name, spec in MEASUREMENTS.items():
        concept = vocab.add("LOINC", spec.loinc[0], spec.label, "Measurement")
        counts = rng.choice([0, 1, 2], n, p=[0.12, 0.6, 0.28])
        rows = int(counts.sum())
        pid = np.repeat(person_id, counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        order = np.arange(rows) - first
        base = rng.integers(0, 24, n)
        gap = rng.integers(1, 40, n)
        days = asof_day - np.repeat(base, counts) - order * np.repeat(gap, counts)
        future = rng.random(rows) < 0.03
        days[future] = asof_day + rng.integers(1, 10, future.sum())
        values = _lab_values(rng, name, rows, np.repeat(is_f, counts))
        ref = _LABS[name][3]
        lo = np.full(rows, np.nan)
        hi = np.full(rows, np.nan)
        if ref:
            choice = rng.integers(0, len(ref), rows)
            lo = np.array([ref[i][0] for i in range(len(ref))])[choice]
            hi = np.array([ref[i][1] for i in range(len(ref))])[choice]
            on_uln = rng.random(rows) < 0.04
            values[on_uln] = hi[on_uln] * rng.choice(_ULN_MULTIPLES, on_uln.sum())
            hi[rng.random(rows) < 0.02] = np.nan
        bounds = _BOUNDARIES.get(name)
        if bounds:
            on_bound = rng.random(rows) < 0.05
            values[on_bound] = rng.choice(bounds, on_bound.sum())
        canonical_ucum = _CANONICAL_UCUM[spec.unit]
        unit_codes = np.full(rows, canonical_ucum, dtype=object)
        for code, factor in _ALT_UNITS.get(name, ()):
            switch = rng.random(rows) < 0.35
            values[switch] = values[switch] * factor
            lo[switch] = lo[switch] * factor
            hi[switch] = hi[switch] * factor
            unit_codes[switch] = code
        unit_codes[rng.random(rows) < 0.01] = "mg"  # wrong unit -> unknown
        values[rng.random(rows) < 0.02] = np.nan
        for code in set(unit_codes):
            units.setdefault(code, vocab.add("UCUM", code, code, "Unit"))
        parts["person_id"].append(pid)
        parts["concept"].append(np.full(rows, concept, np.int64))
        parts["day"].append(days)
        parts["value"].append(values)
        parts["unit"].append(np.array([units[c] for c in unit_codes], np.int64))
        parts["lo"].append(lo)
        parts["hi"].append(hi)
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    total = len(cols["person_id"])
    shuffle = rng.permutation(total)  # ids not in date order: ties are broken by id
    cols = {k: v[shuffle] for k, v in cols.items()}
    return pa.table({
        "measurement_id": np.arange(1, total + 1, dtype=np.int64),
        "person_id": cols["person_id"],
        "measurement_concept_id": cols["concept"],
        "measurement_date": _dates(cols["day"]),
        "measurement_type_concept_id": np.zeros(total, np.int64),
        "value_as_number": pa.array(cols["value"], pa.float64(), from_pandas=True),
        "unit_concept_id": cols["unit"],
        "range_low": pa.array(cols["lo"], pa.float64(), from_pandas=True),
        "range_high": pa.array(cols["hi"], pa.float64(), from_pandas=True),
    })


def _events(rng: np.random.Generator, vocab: _Vocab, person_id: np.ndarray,
            asof_day: int) -> dict[str, pa.Table]:
    n = len(person_id)
    rows: dict[str, dict[str, list[np.ndarray]]] = {
        d: {"pid": [], "concept": [], "start": [], "end": []} for d in EVENT_TABLES}
    plan: list[tuple[str, str, str, float, int, int]] = [
        (CONCEPT_SETS[s].domain, s, code, share, back, dur)
            for s, code, share, back, dur in _EVENT_PLAN]
    noise = [("condition", code, label) for code, label in _NOISE_CONDITIONS] + [
        ("drug", code, label) for code, label in _NOISE_DRUGS]
    for domain, code, label in noise:
        vocabulary = "SNOMED" if domain == "condition" else "RxNorm"
        plan.append((domain, "", code, 0.2, 2000, 30 if domain == "drug" else 0))
        vocab.add(vocabulary, code, label, domain.capitalize())
    for domain, set_name, code, share, back, duration in plan:
        if set_name:
            entry = next(c for c in CONCEPT_SETS[set_name].codes if c.code == code)
            concept = vocab.add(entry.vocabulary, code, entry.label or code, domain.capitalize())
        else:
            vocabulary = "SNOMED" if domain == "condition" else "RxNorm"
            concept = vocab.ids[(vocabulary, code)]
        has = rng.random(n) < share
        k = int(has.sum())
        start = asof_day - rng.integers(-20, back, k)  # a few in the future
        rows[domain]["pid"].append(person_id[has])
        rows[domain]["concept"].append(np.full(k, concept, np.int64))
        rows[domain]["start"].append(start)
        end = start + rng.integers(0, duration + 1, k) if duration else np.full(k, -1)
        rows[domain]["end"].append(end)
    out: dict[str, pa.Table] = {}
    for domain, table in EVENT_TABLES.items():
        pid = np.concatenate(rows[domain]["pid"])
        start = np.concatenate(rows[domain]["start"])
        end = np.concatenate(rows[domain]["end"])
        total = len(pid)
        cols: dict[str, Any] = {
            f"{table.table}_id" if domain != "drug" else "drug_exposure_id":
                np.arange(1, total + 1, dtype=np.int64),
            "person_id": pid,
            table.concept_column: np.concatenate(rows[domain]["concept"]),
            table.start_column: _dates(start),
        }
        if table.end_column:
            end_arr = _dates(np.where(end < 0, start, end))
            mask = pa.array(end < 0)
            cols[table.end_column] = pc.if_else(mask, pa.scalar(None, pa.date32()), end_arr)
        cols[f"{domain}_type_concept_id" if domain != "drug" else "drug_type_concept_id"] = (
            np.zeros(total, np.int64))
        out[table.table] = pa.table(cols)
    return out


def _facts(rng: np.random.Generator, vocab: _Vocab, person_id: np.ndarray,
           asof_day: int) -> pa.Table:
    n = len(person_id)
    pids, concepts, days, values = [], [], [], []
    for name, (kind, param) in _FACTS.items():
        concept = vocab.add(LOCAL_VOCABULARY, name, PATIENT_FIELDS[name].description,
                            "Observation")
        has = rng.random(n) < 0.9
        k = int(has.sum())
        if kind == "bool":
            v = (rng.random(k) < param).astype(np.float64)
        else:
            v = rng.poisson(param, k).astype(np.float64)
        pids.append(person_id[has])
        concepts.append(np.full(k, concept, np.int64))
        days.append(asof_day - rng.integers(0, 90, k))
        values.append(v)
    total = sum(len(p) for p in pids)
    return pa.table({
        "observation_id": np.arange(1, total + 1, dtype=np.int64),
        "person_id": np.concatenate(pids),
        "observation_concept_id": np.concatenate(concepts),
        "observation_date": _dates(np.concatenate(days)),
        "observation_type_concept_id": np.zeros(total, np.int64),
        "value_as_number": np.concatenate(values),
    })


def write_parquet(synth: SyntheticOmop, directory: str | Path) -> Path:
    """Write one ``<table>.parquet`` per table into ``directory`` (created)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in synth.tables.items():
        pq.write_table(table, out / f"{name}.parquet")
    return out


def write_duckdb(synth: SyntheticOmop, path: str | Path) -> Path:
    """Write the tables into a DuckDB database file (replacing same-named tables)."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        for name, table in synth.tables.items():
            con.register("_synth_src", table)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _synth_src")
            con.unregister("_synth_src")
    finally:
        con.close()
    return Path(path)


def patients_from_synthetic(synth: SyntheticOmop, person_ids: Any) -> list[dict[str, Any]]:
    """Translate generated rows, record by record, into patient-file documents.

    This is a plain row-to-JSON export (no rule logic): each measurement row becomes a
    measurement with its LOINC code, UCUM unit and reference range; each event row an event
    with its code; each ``ABSCOPAL`` observation a fact; each observation period a period.
    """
    wanted = np.asarray(person_ids, dtype=np.int64)
    concept = synth.tables["concept"].to_pydict()
    by_id = {cid: (voc, code) for cid, voc, code in zip(
        concept["concept_id"], concept["vocabulary_id"], concept["concept_code"], strict=True)}
    docs: dict[int, dict[str, Any]] = {int(p): {
        "patient_id": str(int(p)), "facts": {}, "measurements": [], "events": [],
        "observation_periods": []} for p in wanted}

    def rows(table: str) -> list[dict[str, Any]]:
        t = synth.tables[table]
        mask = np.isin(t.column("person_id").to_numpy(), wanted)
        out: list[dict[str, Any]] = t.filter(pa.array(mask)).to_pylist()
        return out

    for r in rows("person"):
        d = docs[r["person_id"]]
        d["facts"]["sex"] = by_id[r["gender_concept_id"]][1]
        d["facts"]["birth_date"] = r["birth_datetime"].date().isoformat()
    for r in rows("observation_period"):
        docs[r["person_id"]]["observation_periods"].append({
            "start": r["observation_period_start_date"].isoformat(),
            "end": r["observation_period_end_date"].isoformat()})
    for r in sorted(rows("measurement"), key=lambda r: r["measurement_id"]):
        value = r["value_as_number"]
        docs[r["person_id"]]["measurements"].append({
            "loinc": by_id[r["measurement_concept_id"]][1],
            "value": None if value is None or value != value else value,
            "unit": by_id[r["unit_concept_id"]][1],
            "date": r["measurement_date"].isoformat(),
            "ref_low": _none_nan(r["range_low"]), "ref_high": _none_nan(r["range_high"])})
    for domain, table in EVENT_TABLES.items():
        for r in rows(table.table):
            voc, code = by_id[r[table.concept_column]]
            end = r.get(table.end_column) if table.end_column else None
            docs[r["person_id"]]["events"].append({
                "domain": domain, "date": r[table.start_column].isoformat(),
                "end_date": end.isoformat() if end else None,
                "codes": [{"vocabulary": voc, "code": code}]})
    latest: dict[tuple[int, str], tuple[Any, int, float]] = {}
    for r in rows("observation"):
        voc, code = by_id[r["observation_concept_id"]]
        if voc != LOCAL_VOCABULARY:
            continue
        key = (r["person_id"], code)
        stamp = (r["observation_date"], r["observation_id"], r["value_as_number"])
        if key not in latest or stamp[:2] > latest[key][:2]:
            latest[key] = stamp
    for (pid, code), (_, _, value) in latest.items():
        kind = PATIENT_FIELDS[code].type
        docs[pid]["facts"][code] = bool(value) if kind == "bool" else value
    return [docs[int(p)] for p in wanted]


def _none_nan(value: Any) -> Any:
    return None if value is None or value != value else value
