"""Mosteller BSA and per-patient doses."""

from __future__ import annotations

import pytest

from abscopal.calendar import compute_bsa_mosteller, compute_dose_mg
from abscopal.errors import InputError
from abscopal.protocol import Dose


@pytest.mark.parametrize(
    ("height_cm", "weight_kg", "bsa_m2"),
    [
        # sqrt(170 * 70 / 3600) = sqrt(3.305556) = 1.818119
        (170, 70, 1.818119),
        # sqrt(180 * 81 / 3600) = sqrt(4.05) = 2.012461
        (180, 81, 2.012461),
        # sqrt(150 * 54 / 3600) = sqrt(2.25) = 1.5 exactly
        (150, 54, 1.5),
    ],
)
def test_mosteller(height_cm: float, weight_kg: float, bsa_m2: float) -> None:
    assert compute_bsa_mosteller(height_cm, weight_kg) == pytest.approx(bsa_m2, abs=1e-6)


def test_atra_dose_from_bsa() -> None:
    # NCT06439888: ATRA 150 mg/m2/day; BSA 1.5 m2 -> 225 mg per day.
    assert compute_dose_mg(Dose(amount=150, unit="mg/m2", per_day=True), bsa_m2=1.5) == (
        225.0, "150 mg/m2 x BSA 1.50 m2")


def test_flat_and_weight_based_doses() -> None:
    assert compute_dose_mg(Dose(amount=200, unit="mg")) == (200.0, "200 mg flat")
    assert compute_dose_mg(Dose(amount=3, unit="mg/kg"), weight_kg=60) == (180.0, "3 mg/kg x 60 kg")


def test_missing_measure_gives_no_dose_and_says_why() -> None:
    assert compute_dose_mg(Dose(amount=150, unit="mg/m2")) == (None, "150 mg/m2: BSA needed")
    assert compute_dose_mg(Dose(amount=5, unit="AUC"))[0] is None


@pytest.mark.parametrize(("h", "w"), [(0, 70), (170, 0), (400, 70)])
def test_implausible_measures_are_refused(h: float, w: float) -> None:
    with pytest.raises(InputError):
        compute_bsa_mosteller(h, w)
