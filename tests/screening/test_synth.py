"""Synthetic OMOP generator: seeded, complete vocabulary, plausible distributions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from abscopal.eligibility import parse_patient
from abscopal.errors import InputError
from abscopal.screening.synth import (
    generate_synthetic_omop,
    patients_from_synthetic,
    write_parquet,
)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b = generate_synthetic_omop(200, seed=7), generate_synthetic_omop(200, seed=7)
    c = generate_synthetic_omop(200, seed=8)
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name
    assert not a.tables["measurement"].equals(c.tables["measurement"])


def test_every_concept_used_is_in_the_vocabulary() -> None:
    s = generate_synthetic_omop(300, seed=1)
    ids = set(s.tables["concept"].column("concept_id").to_pylist())
    used = set(s.tables["measurement"].column("measurement_concept_id").to_pylist())
    used |= set(s.tables["measurement"].column("unit_concept_id").to_pylist())
    used |= set(s.tables["person"].column("gender_concept_id").to_pylist())
    for table, column in (("condition_occurrence", "condition_concept_id"),
                          ("drug_exposure", "drug_concept_id"),
                          ("procedure_occurrence", "procedure_concept_id"),
                          ("observation", "observation_concept_id")):
        used |= set(s.tables[table].column(column).to_pylist())
    assert used <= ids
    vocabularies = set(s.tables["concept"].column("vocabulary_id").to_pylist())
    assert {"LOINC", "SNOMED", "RxNorm", "UCUM", "Gender", "ABSCOPAL"} <= vocabularies


def test_distributions_are_plausible() -> None:
    s = generate_synthetic_omop(4000, seed=2)
    person = s.tables["person"]
    age = s.as_of.year - np.asarray(person.column("year_of_birth"))
    assert 55 < age.mean() < 68 and age.min() >= 17 and age.max() <= 93
    female = np.mean([p == 1_000_000 for p in person.column("gender_concept_id").to_pylist()])
    assert 0.45 < female < 0.55
    m = s.tables["measurement"]
    values = m.column("value_as_number")
    assert 0.01 < pc.mean(pc.is_null(values, nan_is_null=True)).as_py() < 0.05


def test_patient_export_is_valid(tmp_path: Path) -> None:
    s = generate_synthetic_omop(30, seed=4)
    docs = patients_from_synthetic(s, [1, 2, 3])
    patients = [parse_patient(d) for d in docs]
    assert [p.patient_id for p in patients] == ["1", "2", "3"]
    assert all(p.observation_periods for p in patients)
    out = write_parquet(s, tmp_path / "cdm")
    assert (out / "measurement.parquet").exists() and (out / "concept.parquet").exists()


@pytest.mark.parametrize("n", [0, -5])
def test_patient_count_must_be_positive(n: int) -> None:
    with pytest.raises(InputError, match="'n_patients' must be a positive integer"):
        generate_synthetic_omop(n)
