"""Write tests/toxicity/golden/ctcae_v5_labs.csv: CTCAE v5.0 lab grading boundary cases.

The expected grades below are typed by hand from the NCI text (CTCAE v5.0, 27 Nov 2017,
CTCAE_v5.0.xlsx "Clean Copy"), applying the boundary reading of shared/domain/ctcae_spec.md §1:
"<A - B": value == A belongs to the lower grade; ">a - b x ULN": the upper number is inclusive.
The grader is NOT used to compute them; only the verbatim grade-cell text is copied from the
criteria table into the ``nci_text`` column for provenance. Run: python tools/gen_ctcae_golden.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from abscopal.toxicity._ctcae_v5 import LAB_CRITERIA  # noqa: E402

OUT = ROOT / "tests" / "toxicity" / "golden" / "ctcae_v5_labs.csv"
TEXT = {c.key: c.text for c in LAB_CRITERIA}

# (criterion key, unit, lln, uln, baseline, [(value, expected grade), ...], note)
# Expected "NG" = not gradable.
Case = tuple[str, str, str, str, str, list[tuple[str, str]], str]
CASES: list[Case] = [
    ("lymphocyte_count_decreased", "10^9/L", "1.0", "", "",
     [("1.0", "0"), ("0.99", "1"), ("0.8", "1"), ("0.79", "2"), ("0.5", "2"), ("0.49", "3"),
      ("0.2", "3"), ("0.19", "4"), ("0", "4")], "boundaries, SI"),
    ("lymphocyte_count_decreased", "/mm3", "1000", "", "",
     [("1000", "0"), ("999", "1"), ("800", "1"), ("799", "2"), ("500", "2"), ("499", "3"),
      ("200", "3"), ("199", "4")], "boundaries, /mm3"),
    ("lymphocyte_count_decreased", "cells/uL", "1000", "", "",
     [("800", "1"), ("799", "2")], "cells/uL = /mm3"),
    ("lymphocyte_count_decreased", "10^3/uL", "1.0", "", "",
     [("0.8", "1"), ("0.79", "2")], "10^3/uL = 10^9/L"),
    ("lymphocyte_count_decreased", "G/L", "1.0", "", "",
     [("0.8", "1"), ("0.79", "2")], "G/L (giga per litre) = 10^9/L"),
    ("lymphocyte_count_decreased", "10^9/L", "", "", "",
     [("1.0", "NG"), ("0.8", "NG"), ("0.79", "2"), ("0.1", "4")],
     "no LLN: G2-G4 absolute still apply; >= 0.8 cannot be graded (G0 or G1)"),
    ("lymphocyte_count_decreased", "10^9/L", "0.7", "", "",
     [("0.75", "2"), ("0.7", "2"), ("0.69", "2")],
     "policy: LLN 0.7 below the G2 bound; absolute thresholds apply (flagged for review)"),
    ("lymphocyte_count_increased", "10^9/L", "", "", "",
     [("4.0", "0"), ("4.01", "2"), ("20", "2"), ("20.01", "3")], "no G1; ULN not used"),
    ("lymphocyte_count_increased", "/mm3", "", "", "",
     [("4000", "0"), ("4001", "2"), ("20000", "2"), ("20001", "3")], "no G1; /mm3"),
    ("neutrophil_count_decreased", "10^9/L", "2.0", "", "",
     [("2.0", "0"), ("1.99", "1"), ("1.5", "1"), ("1.49", "2"), ("1.0", "2"), ("0.99", "3"),
      ("0.5", "3"), ("0.49", "4")], "boundaries, SI"),
    ("neutrophil_count_decreased", "/mm3", "2000", "", "",
     [("2000", "0"), ("1999", "1"), ("1500", "1"), ("1499", "2"), ("1000", "2"), ("999", "3"),
      ("500", "3"), ("499", "4")], "boundaries, /mm3"),
    ("white_blood_cell_decreased", "10^9/L", "4.0", "", "",
     [("4.0", "0"), ("3.99", "1"), ("3.0", "1"), ("2.99", "2"), ("2.0", "2"), ("1.99", "3"),
      ("1.0", "3"), ("0.99", "4")], "boundaries, SI"),
    ("white_blood_cell_decreased", "/mm3", "4000", "", "",
     [("4000", "0"), ("3999", "1"), ("3000", "1"), ("2999", "2"), ("2000", "2"), ("1999", "3"),
      ("1000", "3"), ("999", "4")], "boundaries, /mm3"),
    ("platelet_count_decreased", "10^9/L", "150", "", "",
     [("150", "0"), ("149", "1"), ("75.0", "1"), ("74.9", "2"), ("50.0", "2"), ("49.9", "3"),
      ("25.0", "3"), ("24.9", "4")], "boundaries, SI"),
    ("platelet_count_decreased", "/mm3", "150000", "", "",
     [("150000", "0"), ("149999", "1"), ("75000", "1"), ("74999", "2"), ("50000", "2"),
      ("49999", "3"), ("25000", "3"), ("24999", "4")], "boundaries, /mm3"),
    ("anemia", "g/dL", "12.0", "", "",
     [("12.0", "0"), ("11.9", "1"), ("10.0", "1"), ("9.9", "2"), ("8.0", "2"), ("7.9", "3")],
     "boundaries, g/dL"),
    ("anemia", "mmol/L", "7.5", "", "",
     [("7.5", "0"), ("7.4", "1"), ("6.2", "1"), ("6.1", "2"), ("4.9", "2"), ("4.8", "3")],
     "boundaries, mmol/L (graded on the mmol/L cut-offs, not converted)"),
    ("anemia", "g/L", "120", "", "",
     [("120", "0"), ("119", "1"), ("100", "1"), ("99", "2"), ("80", "2"), ("79", "3")],
     "boundaries, g/L"),
    ("anemia", "mg/dL", "12000", "", "",
     [("10000", "1"), ("9999", "2")], "mg/dL converted to g/dL (x 0.001)"),
    ("alanine_aminotransferase_increased", "U/L", "", "40", "",
     [("40", "0"), ("40.1", "1"), ("120", "1"), ("120.1", "2"), ("200", "2"), ("200.1", "3"),
      ("800", "3"), ("800.1", "4")], "baseline missing -> ULN branch"),
    ("alanine_aminotransferase_increased", "U/L", "", "40", "30",
     [("40", "0"), ("120", "1"), ("120.1", "2")], "baseline normal -> ULN branch"),
    ("alanine_aminotransferase_increased", "U/L", "", "40", "80",
     [("110", "0"), ("119.9", "0"), ("120", "1"), ("240", "1"), ("240.1", "2"), ("400", "2"),
      ("400.1", "3"), ("1600", "3"), ("1600.1", "4")],
     "baseline abnormal (80 > ULN 40): x baseline only; 1.5x inclusive; spec examples 110->0 and "
     "240 (6xULN, 3xbaseline)->1"),
    ("alanine_aminotransferase_increased", "IU/L", "", "40", "",
     [("120", "1"), ("120.1", "2")], "IU/L accepted"),
    ("alanine_aminotransferase_increased", "ukat/L", "", "0.67", "",
     [("2.01", "1"), ("2.02", "2")], "float trap: 3 x 0.67 = 2.0100000000000002 in binary"),
    ("aspartate_aminotransferase_increased", "U/L", "", "35", "20",
     [("35", "0"), ("35.1", "1"), ("105", "1"), ("105.1", "2"), ("175", "2"), ("175.1", "3"),
      ("700", "3"), ("700.1", "4")], "baseline normal"),
    ("aspartate_aminotransferase_increased", "U/L", "", "35", "50",
     [("74.9", "0"), ("75", "1"), ("150", "1"), ("150.1", "2"), ("250", "2"), ("250.1", "3"),
      ("1000", "3"), ("1000.1", "4")], "baseline abnormal (50 > 35)"),
    ("alkaline_phosphatase_increased", "U/L", "", "120", "",
     [("120", "0"), ("120.1", "1"), ("300", "1"), ("300.1", "2"), ("600", "2"), ("600.1", "3"),
      ("2400", "3"), ("2400.1", "4")], "baseline missing"),
    ("alkaline_phosphatase_increased", "U/L", "", "120", "200",
     [("399.9", "0"), ("400", "1"), ("500", "1"), ("500.1", "2"), ("1000", "2"),
      ("1000.1", "3"), ("4000", "3"), ("4000.1", "4")],
     "baseline abnormal: 2.0 x baseline inclusive"),
    ("ggt_increased", "U/L", "", "60", "",
     [("60", "0"), ("60.1", "1"), ("150", "1"), ("150.1", "2"), ("300", "2"), ("300.1", "3"),
      ("1200", "3"), ("1200.1", "4")], "baseline missing"),
    ("ggt_increased", "U/L", "", "60", "100",
     [("199.9", "0"), ("200", "1"), ("250", "1"), ("250.1", "2"), ("500", "2"), ("500.1", "3"),
      ("2000", "3"), ("2000.1", "4")],
     "baseline abnormal: 2.0 x baseline inclusive (admiral uses > 2*BASE and gives 0 at 200)"),
    ("blood_bilirubin_increased", "mg/dL", "", "1.2", "",
     [("1.2", "0"), ("1.21", "1"), ("1.8", "1"), ("1.81", "2"), ("3.6", "2"), ("3.61", "3"),
      ("12", "3"), ("12.01", "4")],
     "float traps: 1.5 x 1.2 = 1.7999999999999998, 3 x 1.2 = 3.5999999999999996"),
    ("blood_bilirubin_increased", "mg/dL", "", "1.2", "2.0",
     [("2.0", "0"), ("2.01", "1"), ("3.0", "1"), ("3.01", "2"), ("6.0", "2"), ("6.01", "3"),
      ("20", "3"), ("20.01", "4")], "baseline abnormal: > 1.0 x baseline exclusive"),
    ("blood_bilirubin_increased", "umol/L", "", "21", "",
     [("21", "0"), ("31.5", "1"), ("31.6", "2")], "umol/L: multiples of ULN are unit-free"),
    ("creatinine_increased", "mg/dL", "", "1.2", "",
     [("1.2", "0"), ("1.21", "1"), ("1.8", "1"), ("1.81", "2"), ("3.6", "2"), ("3.61", "3"),
      ("7.2", "3"), ("7.21", "4")],
     "no baseline; float traps 1.5x1.2, 3x1.2, 6x1.2 = 7.199999999999999"),
    ("creatinine_increased", "mg/dL", "", "1.3", "",
     [("1.95", "1"), ("1.96", "2")], "float trap: 1.5 x 1.3 = 1.9500000000000002"),
    ("creatinine_increased", "mg/dL", "", "1.2", "0.9",
     [("1.35", "1"), ("1.36", "2"), ("1.8", "2"), ("2.7", "2"), ("2.71", "3")],
     "baseline and ULN criteria are alternatives; spec example 1.8/ULN 1.2/baseline 0.9 -> 2; "
     "3 x 0.9 = 2.7 exactly"),
    ("creatinine_increased", "mg/dL", "", "1.2", "0.6",
     [("0.9", "0"), ("0.91", "2"), ("1.0", "2")],
     "policy: <= ULN but > 1.5 x baseline -> G2 (literal reading, flagged)"),
    ("creatinine_increased", "umol/L", "", "106", "",
     [("159", "1"), ("159.1", "2")], "umol/L"),
    ("creatinine_increased", "mg/dL", "", "", "0.9",
     [("2.0", "NG")], "no ULN: G4 needs ULN -> not gradable"),
    ("hyperkalemia", "mmol/L", "", "5.0", "",
     [("5.0", "0"), ("5.1", "1"), ("5.5", "1"), ("5.6", "2"), ("6.0", "2"), ("6.1", "3"),
      ("7.0", "3"), ("7.1", "4")], "boundaries"),
    ("hyperkalemia", "mEq/L", "", "5.0", "", [("5.5", "1"), ("5.6", "2")], "mEq/L = mmol/L"),
    ("hyperkalemia", "mmol/L", "", "", "",
     [("5.4", "NG"), ("5.6", "2"), ("7.1", "4")], "no ULN: absolute G2-G4 still apply"),
    ("hypokalemia", "mmol/L", "3.5", "", "",
     [("3.5", "0"), ("3.4", "1"), ("3.0", "1"), ("2.9", "3"), ("2.5", "3"), ("2.4", "4")],
     "G2 is clinical only (shares G1 range): lab-only grade 1, flagged"),
    ("hypernatremia", "mmol/L", "", "145", "",
     [("145", "0"), ("146", "1"), ("150", "1"), ("151", "2"), ("155", "2"), ("156", "3"),
      ("160", "3"), ("161", "4")], "boundaries"),
    ("hyponatremia", "mmol/L", "135", "", "",
     [("135", "0"), ("134", "1"), ("130", "1"), ("129.5", "2"), ("129", "2"), ("125", "2"),
      ("124", "3"), ("120", "3"), ("119", "4")],
     "125-129 read as [125, 130); lab-only grade 2, flagged (G3 if symptomatic)"),
    ("hypercalcemia", "mg/dL", "", "10.5", "",
     [("10.5", "0"), ("10.6", "1"), ("11.5", "1"), ("11.6", "2"), ("12.5", "2"), ("12.6", "3"),
      ("13.5", "3"), ("13.6", "4")], "corrected Ca, mg/dL"),
    ("hypercalcemia", "mmol/L", "", "2.6", "",
     [("2.6", "0"), ("2.61", "1"), ("2.9", "1"), ("2.91", "2"), ("3.1", "2"), ("3.11", "3"),
      ("3.4", "3"), ("3.41", "4")], "corrected Ca, mmol/L"),
    ("hypercalcemia_ionized", "mmol/L", "", "1.32", "",
     [("1.32", "0"), ("1.33", "1"), ("1.5", "1"), ("1.51", "2"), ("1.6", "2"), ("1.61", "3"),
      ("1.8", "3"), ("1.81", "4")], "ionized Ca"),
    ("hypocalcemia", "mg/dL", "8.5", "", "",
     [("8.5", "0"), ("8.4", "1"), ("8.0", "1"), ("7.9", "2"), ("7.0", "2"), ("6.9", "3"),
      ("6.0", "3"), ("5.9", "4")], "corrected Ca, mg/dL"),
    ("hypocalcemia", "mmol/L", "2.15", "", "",
     [("2.15", "0"), ("2.14", "1"), ("2.0", "1"), ("1.996", "2"), ("1.75", "2"), ("1.74", "3"),
      ("1.5", "3"), ("1.49", "4")],
     "mmol/L cut-offs; 1.996 mmol/L (= 8.0 mg/dL) is G2 here but 8.0 mg/dL is G1"),
    ("hypocalcemia", "mg/L", "85", "", "",
     [("80", "1"), ("79.9", "2")], "mg/L converted to mg/dL (x 0.1)"),
    ("hypocalcemia", "mEq/L", "4.3", "", "",
     [("4.0", "1"), ("3.98", "2")], "mEq/L / 2 = mmol/L (Ca valence 2)"),
    ("hypocalcemia_ionized", "mmol/L", "1.15", "", "",
     [("1.15", "0"), ("1.14", "1"), ("1.0", "1"), ("0.99", "2"), ("0.9", "2"), ("0.89", "3"),
      ("0.8", "3"), ("0.79", "4")], "ionized Ca"),
    ("hypocalcemia_ionized", "mg/dL", "4.6", "", "",
     [("4.0", "2")], "ionized Ca 4.0 mg/dL / 4.0078 = 0.998 mmol/L (molar mass 40.078)"),
    ("hypomagnesemia", "mg/dL", "1.7", "", "",
     [("1.7", "0"), ("1.6", "1"), ("1.2", "1"), ("1.19", "2"), ("0.9", "2"), ("0.89", "3"),
      ("0.7", "3"), ("0.69", "4")], "mg/dL"),
    ("hypomagnesemia", "mmol/L", "0.7", "", "",
     [("0.7", "0"), ("0.69", "1"), ("0.5", "1"), ("0.494", "2"), ("0.4", "2"), ("0.39", "3"),
      ("0.3", "3"), ("0.29", "4")], "mmol/L; 0.494 mmol/L (= 1.2 mg/dL) is G2 here"),
    ("hypoalbuminemia", "g/dL", "3.5", "", "",
     [("3.5", "0"), ("3.4", "1"), ("3", "1"), ("2.9", "2"), ("2", "2"), ("1.9", "3")], "g/dL"),
    ("hypoalbuminemia", "g/L", "35", "", "",
     [("35", "0"), ("34", "1"), ("30", "1"), ("29", "2"), ("20", "2"), ("19", "3")], "g/L"),
    ("hypoglycemia", "mg/dL", "70", "", "",
     [("70", "0"), ("69", "1"), ("55", "1"), ("54", "2"), ("40", "2"), ("39", "3"), ("30", "3"),
      ("29", "4")], "mg/dL"),
    ("hypoglycemia", "mmol/L", "3.9", "", "",
     [("3.9", "0"), ("3.8", "1"), ("3.0", "1"), ("2.9", "2"), ("2.2", "2"), ("2.1", "3"),
      ("1.7", "3"), ("1.6", "4")], "mmol/L"),
    ("hyperglycemia", "mg/dL", "", "", "",
     [("300", "NG")], "v5.0 has no glucose thresholds"),
]


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        fh.write("# CTCAE v5.0 lab grading golden cases. Source: NCI CTCAE v5.0 (27 Nov 2017), "
                 "CTCAE_v5.0.xlsx 'Clean Copy'.\n# Expected grades typed by hand in "
                 "tools/gen_ctcae_golden.py from the NCI text (not computed by abscopal); "
                 "nci_text quotes the expected grade's cell.\n")
        w = csv.writer(fh)
        w.writerow(["case", "criterion", "value", "unit", "lln", "uln", "baseline",
                    "expected_grade", "nci_text", "note"])
        for key, unit, lln, uln, base, pairs, note in CASES:
            for value, grade in pairs:
                n += 1
                text = "" if grade in ("NG", "0") else TEXT[key][int(grade)]
                w.writerow([n, key, value, unit, lln, uln, base, grade, text, note])
    print(f"wrote {n} cases to {OUT}")


if __name__ == "__main__":
    main()
