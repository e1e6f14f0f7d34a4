"""CTCAE v5.0 scalar lab grading: golden boundary cases, traps, policies, bad input."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from abscopal.errors import InputError, UnitError
from abscopal.toxicity import compute_corrected_calcium_mg_dl, find_lab_criterion, grade_lab

V = "ctcae_v5"
GOLDEN = Path(__file__).resolve().parent / "golden" / "ctcae_v5_labs.csv"


def _golden_rows() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return list(csv.DictReader(lines))


GOLDEN_ROWS = _golden_rows()


def _opt(x: str) -> str | None:
    return x or None


def test_golden_file_covers_every_numeric_lab_criterion() -> None:
    keys = {r["criterion"] for r in GOLDEN_ROWS}
    assert len(GOLDEN_ROWS) > 300
    assert {"lymphocyte_count_decreased", "lymphocyte_count_increased",
            "neutrophil_count_decreased", "white_blood_cell_decreased",
            "platelet_count_decreased", "anemia", "alanine_aminotransferase_increased",
            "aspartate_aminotransferase_increased", "alkaline_phosphatase_increased",
            "ggt_increased", "blood_bilirubin_increased", "creatinine_increased",
            "hyperkalemia", "hypokalemia", "hypernatremia", "hyponatremia", "hypercalcemia",
            "hypocalcemia", "hypomagnesemia", "hypoalbuminemia"} <= keys


@pytest.mark.parametrize("row", GOLDEN_ROWS, ids=lambda r: f"{r['case']}-{r['criterion']}-"
                                                            f"{r['value']}{r['unit']}")
def test_golden_case(row: dict[str, str]) -> None:
    r = grade_lab(row["criterion"], row["value"], row["unit"], version=V, lln=_opt(row["lln"]),
                  uln=_opt(row["uln"]), baseline=_opt(row["baseline"]))
    expected = None if row["expected_grade"] == "NG" else int(row["expected_grade"])
    assert r.grade == expected, (r.rule, row["note"])
    if expected:
        assert r.rule_text == row["nci_text"]
    assert r.criteria_version == "CTCAE v5.0"


@pytest.mark.parametrize("row", GOLDEN_ROWS[:60], ids=lambda r: r["case"])
def test_golden_case_with_float_inputs(row: dict[str, str]) -> None:
    # Same cases, but every number as a Python float: the decimal engine must not care.
    def f(x: str) -> float | None:
        return float(x) if x else None

    r = grade_lab(row["criterion"], float(row["value"]), row["unit"], version=V,
                  lln=f(row["lln"]), uln=f(row["uln"]), baseline=f(row["baseline"]))
    expected = None if row["expected_grade"] == "NG" else int(row["expected_grade"])
    assert r.grade == expected


class TestFloatingPointTraps:
    def test_the_traps_exist_in_binary_floating_point(self) -> None:
        assert 1.5 * 1.2 != 1.8
        assert 1.5 * 1.3 != 1.95
        assert 6 * 1.2 != 7.2

    @pytest.mark.parametrize(("value", "uln", "expected"), [
        (1.8, 1.2, 1),    # 1.5 x 1.2 -> 1.7999999999999998 naively -> G2 (wrong)
        (3.6, 1.2, 2),    # 3 x 1.2 -> 3.5999999999999996
        (7.2, 1.2, 3),    # 6 x 1.2 -> 7.199999999999999
        (1.95, 1.3, 1),   # 1.5 x 1.3 -> 1.9500000000000002
        (2.1, 0.7, 2),    # 3 x 0.7 -> 2.0999999999999996
    ])
    def test_creatinine_at_exact_multiples(self, value: float, uln: float, expected: int) -> None:
        assert grade_lab("Creatinine increased", value, "mg/dL", version=V,
                         uln=uln).grade == expected


class TestBaselineBranches:
    def test_abnormal_baseline_ignores_uln_multiples(self) -> None:
        # spec §2.2 rule 3: ALT 240 = 6 x ULN but 3 x baseline -> G1 (v4 would give G3)
        r = grade_lab("Alanine aminotransferase increased", 240, "U/L", version=V, uln=40,
                      baseline=80)
        assert (r.grade, r.branch) == (1, "baseline abnormal")

    def test_baseline_record_is_graded_against_uln(self) -> None:
        # admiral issue #2512 grades the abnormal baseline record 0 by comparing it to itself
        r = grade_lab("Alanine aminotransferase increased", 100, "U/L", version=V, uln=40,
                      baseline=100, is_baseline_record=True)
        assert (r.grade, r.branch) == (1, "baseline normal")

    def test_baseline_equal_to_uln_is_normal(self) -> None:
        r = grade_lab("GGT increased", 61, "U/L", version=V, uln=60, baseline=60)
        assert (r.grade, r.branch) == (1, "baseline normal")

    def test_baseline_abnormality_uses_the_baseline_labs_uln(self) -> None:
        # baseline 50 is above today's ULN 40 but normal for its own lab (ULN 60)
        own = grade_lab("Alanine aminotransferase increased", 70, "U/L", version=V, uln=40,
                        baseline=50, baseline_uln=60)
        today = grade_lab("Alanine aminotransferase increased", 70, "U/L", version=V, uln=40,
                          baseline=50)
        assert (own.grade, own.branch) == (1, "baseline normal")
        assert (today.grade, today.branch) == (0, "baseline abnormal")  # 70 < 1.5 x 50

    def test_baseline_without_uln_is_not_gradable(self) -> None:
        r = grade_lab("Blood bilirubin increased", 3, "mg/dL", version=V, baseline=2)
        assert r.grade is None and r.not_gradable_reason is not None
        assert "ULN" in r.not_gradable_reason

    def test_creatinine_baseline_rule_fires_inside_reference_range_and_is_flagged(self) -> None:
        r = grade_lab("Creatinine increased", "1.0", "mg/dL", version=V, uln="1.2",
                      baseline="0.6")
        assert r.grade == 2 and r.needs_clinical_review
        assert r.rule_id == "creatinine_increased|any unit|G2|c1"


class TestNotGradable:
    def test_missing_lln_is_not_grade_zero(self) -> None:
        r = grade_lab("Lymphocyte count decreased", "1.2", "10^9/L", version=V)
        assert r.grade is None and r.value_grade is None
        assert r.grade_at_most == 1
        assert r.not_gradable_reason is not None and "LLN" in r.not_gradable_reason
        assert not r.is_gradable

    def test_hyperglycemia_needs_clinical_facts(self) -> None:
        r = grade_lab("Hyperglycemia", 400, "mg/dL", version=V)
        assert r.grade is None and r.needs_clinical_review
        assert r.not_gradable_reason is not None and "no glucose thresholds" in \
            r.not_gradable_reason

    def test_hyperglycemia_with_clinical_grade(self) -> None:
        r = grade_lab("Hyperglycemia", 400, "mg/dL", version=V, clinical_grade=3)
        assert r.grade == 3 and r.rule_text == "Insulin therapy initiated; hospitalization " \
                                               "indicated"


class TestClinicalReview:
    def test_hypokalemia_overlap_returns_lower_grade_and_flags(self) -> None:
        r = grade_lab("Hypokalemia", "3.2", "mmol/L", version=V, lln="3.5")
        assert r.grade == 1 and r.needs_clinical_review
        assert "G2 if symptomatic" in r.review_reasons[0]

    def test_hyponatremia_125_129_flags_symptom_dependence(self) -> None:
        r = grade_lab("Hyponatremia", 127, "mmol/L", version=V, lln=135)
        assert r.grade == 2 and r.needs_clinical_review

    def test_anemia_g3_flags_clinical_g4(self) -> None:
        r = grade_lab("Anemia", "7.5", "g/dL", version=V, lln="12")
        assert r.grade == 3 and r.needs_clinical_review

    def test_plain_grade_needs_no_review(self) -> None:
        r = grade_lab("Neutrophil count decreased", "0.9", "10^9/L", version=V, lln="2.0")
        assert r.grade == 3 and not r.needs_clinical_review and r.review_reasons == ()

    def test_transfusion_raises_anemia_to_g3(self) -> None:
        r = grade_lab("Anemia", "10.5", "g/dL", version=V, lln="12", clinical_grade=3)
        assert (r.value_grade, r.grade) == (1, 3)
        assert r.rule_text is not None and "transfusion indicated" in r.rule_text

    def test_clinical_grade_above_max_possible_resolves_not_gradable(self) -> None:
        r = grade_lab("Hypokalemia", "3.4", "mmol/L", version=V, clinical_grade=2)
        assert r.value_grade is None and r.grade_at_most == 1 and r.grade == 2


class TestUnits:
    def test_same_unit_criteria_are_used_not_conversion(self) -> None:
        # spec §2.4: Ca 8.0 mg/dL is G1 on mg/dL criteria; the same Ca in mmol/L is G2
        mg = grade_lab("Hypocalcemia", "8.0", "mg/dL", version=V, lln="8.5")
        mmol = grade_lab("Hypocalcemia", "1.996", "mmol/L", version=V, lln="2.12")
        assert (mg.grade, mg.unit_converted) == (1, False)
        assert (mmol.grade, mmol.unit_converted) == (2, False)

    def test_10e3_per_mm3_is_the_si_unit_without_conversion(self) -> None:
        # 10^3/mm3 = 10^3/uL = 10^9/L exactly
        r = grade_lab("Neutrophil count decreased", "1.5", "10^3/mm3", version=V, lln="2.0")
        assert (r.graded_unit, r.unit_converted, r.grade) == ("10**9/L", False, 1)

    def test_cell_conversion_is_exact_at_the_boundary(self) -> None:
        # 1.5e9 /L = 1.5 x 10^9/L exactly: G1 (not < 1.5), never G2 through rounding
        r = grade_lab("Neutrophil count decreased", "1500000000", "1/L", version=V,
                      lln="2000000000")
        assert r.unit_converted and r.graded_value == Decimal("1.5") and r.grade == 1

    def test_hemoglobin_molar_conversion(self) -> None:
        # 6200 umol/L = 6.2 mmol/L: the mmol/L criteria apply; 6.2 is G1 ("<LLN - 6.2")
        r = grade_lab("Anemia", "6200", "umol/L", version=V, lln="7500")
        assert r.graded_value == Decimal("6.2") and r.grade == 1 and r.unit_converted

    def test_ionized_calcium_mg_dl_through_molar_mass(self) -> None:
        r = grade_lab("Hypocalcemia (Ionized calcium)", "4.0", "mg/dL", version=V, lln="4.6")
        assert r.graded_unit == "mmol/L"
        assert abs(r.graded_value - Decimal("0.99805")) < Decimal("0.00001")

    @pytest.mark.parametrize(("term", "unit"), [
        ("Anemia", "U/L"),                      # wrong dimension
        ("Lymphocyte count decreased", "g/L"),  # g/L is grams, not giga
        ("Anemia", "furlong"),
        ("Hypoalbuminemia", "mmol/L"),          # no molar mass for albumin
        ("Anemia", "mEq/L"),                    # no valence
        ("Anemia", "not a unit ++"),
        ("Anemia", ""),
    ])
    def test_bad_units_raise_unit_error(self, term: str, unit: str) -> None:
        with pytest.raises(UnitError, match="unit"):
            grade_lab(term, 1, unit, version=V, lln=1, uln=2)


class TestBadInput:
    @pytest.mark.parametrize(("kwargs", "match"), [
        ({"value": -1}, "'value' must be >= 0"),
        ({"value": "abc"}, "'value' must be a number"),
        ({"value": float("nan")}, "'value' must be a finite number"),
        ({"value": True}, "'value' must be a number"),
        ({"uln": 0}, "'uln' must be > 0"),
        ({"lln": 5, "uln": 4}, "'lln' must not exceed 'uln'"),
        ({"baseline": 0}, "'baseline' must be > 0"),
        ({"clinical_grade": 5}, "'clinical_grade'"),  # Lymphocyte count decreased has no G5
    ])
    def test_invalid_arguments(self, kwargs: dict[str, object], match: str) -> None:
        args: dict[str, object] = {"value": 1, "lln": 1, "uln": 4}
        args.update(kwargs)
        value = args.pop("value")
        with pytest.raises(InputError, match=match):
            grade_lab("Lymphocyte count decreased", value, "10^9/L", version=V,  # type: ignore[arg-type]
                      **args)  # type: ignore[arg-type]

    def test_unknown_version(self) -> None:
        with pytest.raises(InputError, match="'version' must be one of"):
            grade_lab("Anemia", 10, "g/dL", version="ctcae_v4")

    def test_hepatitis_points_to_liver_terms(self) -> None:
        with pytest.raises(InputError, match="no non-infectious 'Hepatitis'"):
            find_lab_criterion("Hepatitis", version=V)

    def test_clinical_term_is_not_lab_graded(self) -> None:
        with pytest.raises(InputError, match="graded on clinical criteria"):
            find_lab_criterion("Pneumonitis", version=V)

    def test_unknown_term_lists_the_lab_terms(self) -> None:
        with pytest.raises(InputError, match="Lymphocyte count decreased"):
            find_lab_criterion("Sodium low", version=V)

    def test_term_lookup_is_case_insensitive(self) -> None:
        assert find_lab_criterion("  lymphocyte COUNT decreased", version=V).key == \
            "lymphocyte_count_decreased"


def test_corrected_calcium_payne() -> None:
    # Payne 1973: Ca + 0.8 x (4.0 - albumin); 7.6 mg/dL with albumin 2.5 g/dL -> 8.8 mg/dL
    assert compute_corrected_calcium_mg_dl("7.6", albumin_g_dl="2.5") == Decimal("8.8")
    with pytest.raises(InputError):
        compute_corrected_calcium_mg_dl(-1, albumin_g_dl=4)


def test_result_to_dict_is_json_friendly() -> None:
    d = grade_lab("Anemia", "9.5", "g/dL", version=V, lln="12").to_dict()
    assert d["value"] == "9.5" and d["grade"] == 2 and d["review_reasons"] == []


class TestMessages:
    """User-facing error text, verbatim (snapshot)."""

    def test_wrong_kind_of_unit(self) -> None:
        with pytest.raises(UnitError) as exc:
            grade_lab("Anemia", 1, "U/L", version=V)
        assert str(exc.value) == ("'unit' for 'Anemia' (Hemoglobin) must be one of g/dL, g/L, "
                                  "mmol/L or a unit of the same kind (got 'U/L')")

    def test_negative_value(self) -> None:
        with pytest.raises(InputError) as exc:
            grade_lab("Anemia", -1, "g/dL", version=V)
        assert str(exc.value) == "'value' must be >= 0 for 'Anemia' (got -1)"

    def test_not_gradable_reason(self) -> None:
        r = grade_lab("Alanine aminotransferase increased", 90, "U/L", version=V)
        assert r.not_gradable_reason == ("missing ULN: Alanine aminotransferase increased grade 4 "
                                         "and below need the lab's ULN")
