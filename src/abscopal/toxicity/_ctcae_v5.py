"""CTCAE v5.0 criteria as data. Hand-written; do not put grading logic here.

Source: NCI Common Terminology Criteria for Adverse Events (CTCAE) Version 5.0, published
27 November 2017, file ``CTCAE_v5.0.xlsx``, sheet "Clean Copy"
(https://ctep.cancer.gov/protocolDevelopment/electronic_applications/ctc.htm). US-government
work, public domain. Grade-cell texts are transcribed from that sheet as quoted in the project's
CTCAE spec (``shared/domain/ctcae_spec.md`` §2, §4); "-" marks a grade the term does not have.

Notation of the numeric rules (parsed by ``_schema.parse_conditions``, never evaluated as code):
``<0.8`` absolute, ``<LLN``, ``>ULN``, ``>3.0xULN``, ``>=1.5xbaseline``; ``" | "`` = "or".
Rules are listed highest grade first; a grade the NCI text defines only clinically (e.g.
Hypokalemia G2 "Symptomatic with <LLN - 3.0 mmol/L; intervention indicated") has no numeric rule
and is signalled through the ``review`` text of the grade whose range it shares.
"""

from __future__ import annotations

from decimal import Decimal

from abscopal.toxicity._schema import Analyte, Branch, LabCriterion, TermSpec, rules

VERSION = "CTCAE v5.0"
VERSION_KEY = "ctcae_v5"
SOURCE = "NCI CTCAE v5.0 (27 Nov 2017), CTCAE_v5.0.xlsx, sheet 'Clean Copy'"

# ---- analytes: unit families, molar masses (g/mol) and valences ---------------------------
# Molar masses: IUPAC standard atomic weights (Ca 40.078, Mg 24.305, K 39.098, Na 22.990);
# creatinine C4H7N3O 113.12; bilirubin C33H36N4O6 584.66 (1 mg/dL = 17.104 umol/L);
# glucose C6H12O6 180.156 (1 mg/dL = 0.05551 mmol/L); haemoglobin per haem (monomer)
# 16114.5 = HbA tetramer 64458 / 4 (1 g/dL = 0.6206 mmol/L, the convention behind CTCAE's
# "6.2 mmol/L").
_CELLS = "cells such as 10^9/L, 10^3/uL, /mm3, cells/uL"
LYMPHOCYTES = Analyte("Lymphocytes", "1/L", examples=_CELLS)
NEUTROPHILS = Analyte("Neutrophils", "1/L", examples=_CELLS)
PLATELETS = Analyte("Platelets", "1/L", examples=_CELLS)
LEUKOCYTES = Analyte("Leukocytes", "1/L", examples=_CELLS)
HEMOGLOBIN = Analyte("Hemoglobin", "g/dL", Decimal("16114.5"), examples="g/dL, g/L, mmol/L")
ALT = Analyte("Alanine aminotransferase", "U/L", examples="U/L, IU/L, ukat/L")
AST = Analyte("Aspartate aminotransferase", "U/L", examples="U/L, IU/L, ukat/L")
ALP = Analyte("Alkaline phosphatase", "U/L", examples="U/L, IU/L, ukat/L")
GGT = Analyte("Gamma-glutamyl transferase", "U/L", examples="U/L, IU/L, ukat/L")
BILIRUBIN = Analyte("Total bilirubin", "mg/dL", Decimal("584.66"), examples="mg/dL, umol/L")
CREATININE = Analyte("Creatinine", "mg/dL", Decimal("113.12"), examples="mg/dL, umol/L")
POTASSIUM = Analyte("Potassium", "mmol/L", Decimal("39.098"), 1, "mmol/L, mEq/L")
SODIUM = Analyte("Sodium", "mmol/L", Decimal("22.990"), 1, "mmol/L, mEq/L")
CALCIUM = Analyte(
    "Corrected serum calcium", "mg/dL", Decimal("40.078"), 2, "mg/dL, mmol/L, mEq/L"
)
IONIZED_CALCIUM = Analyte("Ionized calcium", "mmol/L", Decimal("40.078"), 2, "mmol/L, mg/dL")
MAGNESIUM = Analyte("Magnesium", "mg/dL", Decimal("24.305"), 2, "mg/dL, mmol/L, mEq/L")
ALBUMIN = Analyte("Albumin", "g/dL", examples="g/dL, g/L")
GLUCOSE = Analyte("Glucose", "mg/dL", Decimal("180.156"), examples="mg/dL, mmol/L")
PHOSPHATE = Analyte("Phosphate", "mg/dL", Decimal("30.974"), examples="mg/dL, mmol/L")

# Native units, in pint syntax.
G_L = "10**9/L"
MM3 = "1/mm**3"

_REVIEW_TOP_CLINICAL = "a higher grade exists only on clinical criteria: {}"


def _cells(key: str, term: str, analyte: Analyte, si: tuple[str, str, str], mm3: tuple[str, str, str],
           text: dict[int, str]) -> LabCriterion:
    """A decreasing blood-count term: G4 <c, G3 <b, G2 <a, G1 <LLN, in both native units."""
    return LabCriterion(
        key=key, term=term, analyte=analyte, text=text,
        branches=(
            Branch("10^9/L", G_L, rules((4, "<" + si[2]), (3, "<" + si[1]), (2, "<" + si[0]),
                                        (1, "<LLN"))),
            Branch("/mm^3", MM3, rules((4, "<" + mm3[2]), (3, "<" + mm3[1]), (2, "<" + mm3[0]),
                                       (1, "<LLN"))),
        ),
    )


def _liver(key: str, term: str, analyte: Analyte, mult: tuple[str, str, str],
           abnormal_g1: str, text: dict[int, str]) -> LabCriterion:
    """A liver term with v5.0's baseline-normal (x ULN) and baseline-abnormal (x baseline) rows."""
    g2, g3, g4 = mult
    return LabCriterion(
        key=key, term=term, analyte=analyte, text=text, baseline_branches=True,
        branches=(
            Branch("baseline normal", None, rules(
                (4, f">{g4}xULN"), (3, f">{g3}xULN"), (2, f">{g2}xULN"), (1, ">ULN"))),
            Branch("baseline abnormal", None, rules(
                (4, f">{g4}xbaseline"), (3, f">{g3}xbaseline"), (2, f">{g2}xbaseline"),
                (1, abnormal_g1))),
        ),
    )


_ALT_TEXT = {
    1: ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
    2: ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
    3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was "
       "abnormal",
    4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
    5: "-",
}
_ALP_TEXT = {
    1: ">ULN - 2.5 x ULN if baseline was normal; 2.0 - 2.5 x baseline if baseline was abnormal",
    2: ">2.5 - 5.0 x ULN if baseline was normal; >2.5 - 5.0 x baseline if baseline was abnormal",
    3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was "
       "abnormal",
    4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
    5: "-",
}
_HYPERCA_NOTE = "value must be albumin-corrected serum calcium (CTCAE gives no formula)"

LAB_CRITERIA: tuple[LabCriterion, ...] = (
    _cells("lymphocyte_count_decreased", "Lymphocyte count decreased", LYMPHOCYTES,
           ("0.8", "0.5", "0.2"), ("800", "500", "200"), {
               1: "<LLN - 800/mm3; <LLN - 0.8 x 10e9 /L",
               2: "<800 - 500/mm3; <0.8 - 0.5 x 10e9 /L",
               3: "<500 - 200/mm3; <0.5 - 0.2 x 10e9 /L",
               4: "<200/mm3; <0.2 x 10e9 /L", 5: "-"}),
    LabCriterion(
        key="lymphocyte_count_increased", term="Lymphocyte count increased",
        analyte=LYMPHOCYTES,
        text={1: "-", 2: ">4000/mm3 - 20,000/mm3", 3: ">20,000/mm3", 4: "-", 5: "-"},
        branches=(Branch("10^9/L", G_L, rules((3, ">20"), (2, ">4"))),
                  Branch("/mm^3", MM3, rules((3, ">20000"), (2, ">4000")))),
    ),
    _cells("neutrophil_count_decreased", "Neutrophil count decreased", NEUTROPHILS,
           ("1.5", "1.0", "0.5"), ("1500", "1000", "500"), {
               1: "<LLN - 1500/mm3; <LLN - 1.5 x 10e9 /L",
               2: "<1500 - 1000/mm3; <1.5 - 1.0 x 10e9 /L",
               3: "<1000 - 500/mm3; <1.0 - 0.5 x 10e9 /L",
               4: "<500/mm3; <0.5 x 10e9 /L", 5: "-"}),
    _cells("white_blood_cell_decreased", "White blood cell decreased", LEUKOCYTES,
           ("3.0", "2.0", "1.0"), ("3000", "2000", "1000"), {
               1: "<LLN - 3000/mm3; <LLN - 3.0 x 10e9 /L",
               2: "<3000 - 2000/mm3; <3.0 - 2.0 x 10e9 /L",
               3: "<2000 - 1000/mm3; <2.0 - 1.0 x 10e9 /L",
               4: "<1000/mm3; <1.0 x 10e9 /L", 5: "-"}),
    _cells("platelet_count_decreased", "Platelet count decreased", PLATELETS,
           ("75.0", "50.0", "25.0"), ("75000", "50000", "25000"), {
               1: "<LLN - 75,000/mm3; <LLN - 75.0 x 10e9 /L",
               2: "<75,000 - 50,000/mm3; <75.0 - 50.0 x 10e9 /L",
               3: "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9 /L",
               4: "<25,000/mm3; <25.0 x 10e9 /L", 5: "-"}),
    LabCriterion(
        key="anemia", term="Anemia", analyte=HEMOGLOBIN,
        text={1: "Hemoglobin (Hgb) <LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; <LLN - 100 g/L",
              2: "Hgb <10.0 - 8.0 g/dL; <6.2 - 4.9 mmol/L; <100 - 80g/L",
              3: "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
              4: "Life-threatening consequences; urgent intervention indicated", 5: "Death"},
        branches=tuple(
            Branch(name, unit, rules(
                (3, "<" + c, _REVIEW_TOP_CLINICAL.format(
                    "G4 'Life-threatening consequences; urgent intervention indicated'")),
                (2, "<" + b), (1, "<LLN")))
            for name, unit, b, c in (("g/dL", "g/dL", "10.0", "8.0"),
                                     ("mmol/L", "mmol/L", "6.2", "4.9"),
                                     ("g/L", "g/L", "100", "80"))
        ),
    ),
    _liver("alanine_aminotransferase_increased", "Alanine aminotransferase increased", ALT,
           ("3.0", "5.0", "20.0"), ">=1.5xbaseline", _ALT_TEXT),
    _liver("aspartate_aminotransferase_increased", "Aspartate aminotransferase increased", AST,
           ("3.0", "5.0", "20.0"), ">=1.5xbaseline", _ALT_TEXT),
    _liver("alkaline_phosphatase_increased", "Alkaline phosphatase increased", ALP,
           ("2.5", "5.0", "20.0"), ">=2.0xbaseline", _ALP_TEXT),
    _liver("ggt_increased", "GGT increased", GGT,
           ("2.5", "5.0", "20.0"), ">=2.0xbaseline", _ALP_TEXT),
    _liver("blood_bilirubin_increased", "Blood bilirubin increased", BILIRUBIN,
           ("1.5", "3.0", "10.0"), ">1.0xbaseline", {
               1: ">ULN - 1.5 x ULN if baseline was normal; > 1.0 - 1.5 x baseline if baseline "
                  "was abnormal",
               2: ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if baseline "
                  "was abnormal",
               3: ">3.0 - 10.0 x ULN if baseline was normal; >3.0 - 10.0 x baseline if baseline "
                  "was abnormal",
               4: ">10.0 x ULN if baseline was normal; >10.0 x baseline if baseline was abnormal",
               5: "-"}),
    LabCriterion(
        key="creatinine_increased", term="Creatinine increased", analyte=CREATININE,
        text={1: ">ULN - 1.5 x ULN", 2: ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN",
              3: ">3.0 x baseline; >3.0 - 6.0 x ULN", 4: ">6.0 x ULN", 5: "-"},
        branches=(Branch("any unit", None, rules(
            (4, ">6.0xULN"), (3, ">3.0xULN | >3.0xbaseline"), (2, ">1.5xULN | >1.5xbaseline"),
            (1, ">ULN"))),),
    ),
    LabCriterion(
        key="hyperkalemia", term="Hyperkalemia", analyte=POTASSIUM,
        text={1: ">ULN - 5.5 mmol/L", 2: ">5.5 - 6.0 mmol/L; intervention initiated",
              3: ">6.0 - 7.0 mmol/L; hospitalization indicated",
              4: ">7.0 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules(
            (4, ">7.0"), (3, ">6.0"), (2, ">5.5"), (1, ">ULN"))),),
    ),
    LabCriterion(
        key="hypokalemia", term="Hypokalemia", analyte=POTASSIUM,
        text={1: "<LLN - 3.0 mmol/L",
              2: "Symptomatic with <LLN - 3.0 mmol/L; intervention indicated",
              3: "<3.0 - 2.5 mmol/L; hospitalization indicated",
              4: "<2.5 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules(
            (4, "<2.5"), (3, "<3.0"),
            (1, "<LLN", "G1 and G2 share the range <LLN - 3.0 mmol/L: G2 if symptomatic or "
                        "intervention indicated"))),),
    ),
    LabCriterion(
        key="hypernatremia", term="Hypernatremia", analyte=SODIUM,
        text={1: ">ULN - 150 mmol/L", 2: ">150 - 155 mmol/L; intervention initiated",
              3: ">155 - 160 mmol/L; hospitalization indicated",
              4: ">160 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules(
            (4, ">160"), (3, ">155"), (2, ">150"), (1, ">ULN"))),),
    ),
    LabCriterion(
        key="hyponatremia", term="Hyponatremia", analyte=SODIUM,
        text={1: "<LLN - 130 mmol/L", 2: "125-129 mmol/L and asymptomatic",
              3: "125-129 mmol/L symptomatic; 120-124 mmol/L regardless of symptoms",
              4: "<120 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules(
            (4, "<120"), (3, "<125"),
            (2, "<130", "125-129 mmol/L is G2 if asymptomatic and G3 if symptomatic"),
            (1, "<LLN"))),),
    ),
    LabCriterion(
        key="hypercalcemia", term="Hypercalcemia", analyte=CALCIUM,
        text={1: "Corrected serum calcium of >ULN - 11.5 mg/dL; >ULN - 2.9 mmol/L; Ionized "
                 "calcium >ULN - 1.5 mmol/L",
              2: "Corrected serum calcium of >11.5 - 12.5 mg/dL; >2.9 - 3.1 mmol/L; Ionized "
                 "calcium >1.5 - 1.6 mmol/L; symptomatic",
              3: "Corrected serum calcium of >12.5 - 13.5 mg/dL; >3.1 - 3.4 mmol/L; Ionized "
                 "calcium >1.6 - 1.8 mmol/L; hospitalization indicated",
              4: "Corrected serum calcium of >13.5 mg/dL; >3.4 mmol/L; Ionized calcium >1.8 "
                 "mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mg/dL", "mg/dL", rules((4, ">13.5"), (3, ">12.5"), (2, ">11.5"),
                                                 (1, ">ULN"))),
                  Branch("mmol/L", "mmol/L", rules((4, ">3.4"), (3, ">3.1"), (2, ">2.9"),
                                                   (1, ">ULN")))),
    ),
    LabCriterion(
        key="hypercalcemia_ionized", term="Hypercalcemia", analyte=IONIZED_CALCIUM,
        text={1: "Ionized calcium >ULN - 1.5 mmol/L", 2: "Ionized calcium >1.5 - 1.6 mmol/L; "
                 "symptomatic", 3: "Ionized calcium >1.6 - 1.8 mmol/L; hospitalization indicated",
              4: "Ionized calcium >1.8 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules((4, ">1.8"), (3, ">1.6"), (2, ">1.5"),
                                                   (1, ">ULN"))),),
    ),
    LabCriterion(
        key="hypocalcemia", term="Hypocalcemia", analyte=CALCIUM,
        text={1: "Corrected serum calcium of <LLN - 8.0 mg/dL; <LLN - 2.0 mmol/L; Ionized "
                 "calcium <LLN - 1.0 mmol/L",
              2: "Corrected serum calcium of <8.0 - 7.0 mg/dL; <2.0 - 1.75 mmol/L; Ionized "
                 "calcium <1.0 - 0.9 mmol/L; symptomatic",
              3: "Corrected serum calcium of <7.0 - 6.0 mg/dL; <1.75 - 1.5 mmol/L; Ionized "
                 "calcium <0.9 - 0.8 mmol/L; hospitalization indicated",
              4: "Corrected serum calcium of <6.0 mg/dL; <1.5 mmol/L; Ionized calcium <0.8 "
                 "mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mg/dL", "mg/dL", rules((4, "<6.0"), (3, "<7.0"), (2, "<8.0"),
                                                 (1, "<LLN"))),
                  Branch("mmol/L", "mmol/L", rules((4, "<1.5"), (3, "<1.75"), (2, "<2.0"),
                                                   (1, "<LLN")))),
    ),
    LabCriterion(
        key="hypocalcemia_ionized", term="Hypocalcemia", analyte=IONIZED_CALCIUM,
        text={1: "Ionized calcium <LLN - 1.0 mmol/L", 2: "Ionized calcium <1.0 - 0.9 mmol/L; "
                 "symptomatic", 3: "Ionized calcium <0.9 - 0.8 mmol/L; hospitalization indicated",
              4: "Ionized calcium <0.8 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mmol/L", "mmol/L", rules((4, "<0.8"), (3, "<0.9"), (2, "<1.0"),
                                                   (1, "<LLN"))),),
    ),
    LabCriterion(
        key="hypomagnesemia", term="Hypomagnesemia", analyte=MAGNESIUM,
        text={1: "<LLN - 1.2 mg/dL; <LLN - 0.5 mmol/L", 2: "<1.2 - 0.9 mg/dL; <0.5 - 0.4 mmol/L",
              3: "<0.9 - 0.7 mg/dL; <0.4 - 0.3 mmol/L",
              4: "<0.7 mg/dL; <0.3 mmol/L; life-threatening consequences", 5: "Death"},
        branches=(Branch("mg/dL", "mg/dL", rules((4, "<0.7"), (3, "<0.9"), (2, "<1.2"),
                                                 (1, "<LLN"))),
                  Branch("mmol/L", "mmol/L", rules((4, "<0.3"), (3, "<0.4"), (2, "<0.5"),
                                                   (1, "<LLN")))),
    ),
    LabCriterion(
        key="hypoalbuminemia", term="Hypoalbuminemia", analyte=ALBUMIN,
        text={1: "Serum albumin <LLN - 3 g/dL; <LLN - 30 g/L",
              2: "Serum albumin <3 - 2 g/dL; <30 - 20 g/L", 3: "Serum albumin <2 g/dL; <20 g/L",
              4: "Life-threatening consequences; urgent intervention indicated", 5: "Death"},
        branches=tuple(
            Branch(u, u, rules(
                (3, "<" + c, _REVIEW_TOP_CLINICAL.format(
                    "G4 'Life-threatening consequences; urgent intervention indicated'")),
                (2, "<" + b), (1, "<LLN")))
            for u, b, c in (("g/dL", "3", "2"), ("g/L", "30", "20"))
        ),
    ),
    LabCriterion(
        key="hypoglycemia", term="Hypoglycemia", analyte=GLUCOSE,
        text={1: "<LLN - 55 mg/dL; <LLN - 3.0 mmol/L", 2: "<55 - 40 mg/dL; <3.0 - 2.2 mmol/L",
              3: "<40 - 30 mg/dL; <2.2 - 1.7 mmol/L",
              4: "<30 mg/dL; <1.7 mmol/L; life-threatening consequences; seizures",
              5: "Death"},
        branches=(Branch("mg/dL", "mg/dL", rules((4, "<30"), (3, "<40"), (2, "<55"),
                                                 (1, "<LLN"))),
                  Branch("mmol/L", "mmol/L", rules((4, "<1.7"), (3, "<2.2"), (2, "<3.0"),
                                                   (1, "<LLN")))),
    ),
    LabCriterion(
        key="hyperglycemia", term="Hyperglycemia", analyte=GLUCOSE, branches=(),
        text={1: "Abnormal glucose above baseline with no medical intervention",
              2: "Change in daily management from baseline for a diabetic; oral antiglycemic "
                 "agent initiated; workup for diabetes",
              3: "Insulin therapy initiated; hospitalization indicated",
              4: "Life-threatening consequences; urgent intervention indicated", 5: "Death"},
        clinical_only_reason="CTCAE v5.0 defines no glucose thresholds for Hyperglycemia (v4.03's "
                             "fasting-glucose cut-offs were removed); the grade comes from "
                             "management (oral agent, insulin, hospitalization)",
    ),
    LabCriterion(
        key="hypophosphatemia", term="Hypophosphatemia", analyte=PHOSPHATE, branches=(),
        text={1: "Laboratory finding only and intervention not indicated",
              2: "Oral replacement therapy indicated",
              3: "Severe or medically significant but not immediately life-threatening; "
                 "hospitalization or prolongation of existing hospitalization indicated",
              4: "Life-threatening consequences", 5: "Death"},
        clinical_only_reason="CTCAE v5.0 defines no phosphate thresholds for Hypophosphatemia; "
                             "the grade comes from the intervention indicated",
    ),
)

_S_BLOOD = "Blood and lymphatic system disorders"
_S_INV = "Investigations"
_S_MET = "Metabolism and nutrition disorders"
_S_GI = "Gastrointestinal disorders"
_S_RESP = "Respiratory, thoracic and mediastinal disorders"
_S_ENDO = "Endocrine disorders"
_S_SKIN = "Skin and subcutaneous tissue disorders"
_S_GEN = "General disorders and administration site conditions"
_S_INJ = "Injury, poisoning and procedural complications"
_S_CARD = "Cardiac disorders"
_S_HEP = "Hepatobiliary disorders"
_S_IMM = "Immune system disorders"
_S_REN = "Renal and urinary disorders"
_S_MSK = "Musculoskeletal and connective tissue disorders"

_G1_3 = (1, 2, 3)
_G1_4 = (1, 2, 3, 4)
_G1_5 = (1, 2, 3, 4, 5)

# MedDRA codes only where the project's spec states them; None means "not looked up", not "none".
TERMS: tuple[TermSpec, ...] = (
    TermSpec("Anemia", _S_BLOOD, _G1_5, "10002272"),
    TermSpec("Febrile neutropenia", _S_BLOOD, (3, 4, 5)),
    TermSpec("Leukocytosis", _S_BLOOD, (3, 4, 5), "10024378"),
    TermSpec("Lymphocyte count decreased", _S_INV, _G1_4, "10025256"),
    TermSpec("Lymphocyte count increased", _S_INV, (2, 3), "10025258"),
    TermSpec("Neutrophil count decreased", _S_INV, _G1_4, "10029366"),
    TermSpec("Platelet count decreased", _S_INV, _G1_4, "10035528"),
    TermSpec("White blood cell decreased", _S_INV, _G1_4, "10049182"),
    TermSpec("Alanine aminotransferase increased", _S_INV, _G1_4, "10001551"),
    TermSpec("Aspartate aminotransferase increased", _S_INV, _G1_4, "10003481"),
    TermSpec("Alkaline phosphatase increased", _S_INV, _G1_4, "10001675"),
    TermSpec("GGT increased", _S_INV, _G1_4, "10056910"),
    TermSpec("Blood bilirubin increased", _S_INV, _G1_4, "10005364"),
    TermSpec("Creatinine increased", _S_INV, _G1_4, "10011368"),
    TermSpec("Hyperkalemia", _S_MET, _G1_5),
    TermSpec("Hypokalemia", _S_MET, _G1_5),
    TermSpec("Hypernatremia", _S_MET, _G1_5),
    TermSpec("Hyponatremia", _S_MET, _G1_5),
    TermSpec("Hypercalcemia", _S_MET, _G1_5),
    TermSpec("Hypocalcemia", _S_MET, _G1_5),
    TermSpec("Hypomagnesemia", _S_MET, _G1_5),
    TermSpec("Hypoalbuminemia", _S_MET, _G1_5),
    TermSpec("Hyperglycemia", _S_MET, _G1_5),
    TermSpec("Hypoglycemia", _S_MET, _G1_5),
    TermSpec("Hypophosphatemia", _S_MET, _G1_5),
    TermSpec("Anorexia", _S_MET, _G1_5),
    TermSpec("Pneumonitis", _S_RESP, _G1_5, "10035742"),
    TermSpec("Colitis", _S_GI, _G1_5, "10009887"),
    TermSpec("Diarrhea", _S_GI, _G1_5, "10012727"),
    TermSpec("Enterocolitis", _S_GI, _G1_5, "10014893"),
    TermSpec("Nausea", _S_GI, _G1_3),
    TermSpec("Vomiting", _S_GI, _G1_5),
    TermSpec("Proctitis", _S_GI, _G1_5),
    TermSpec("Esophagitis", _S_GI, _G1_5),
    TermSpec("Mucositis oral", _S_GI, _G1_5),
    TermSpec("Hepatic failure", _S_HEP, (3, 4, 5)),
    TermSpec("Hypothyroidism", _S_ENDO, _G1_5, "10021114"),
    TermSpec("Hyperthyroidism", _S_ENDO, _G1_5, "10020850"),
    TermSpec("Adrenal insufficiency", _S_ENDO, _G1_5),
    TermSpec("Hypophysitis", _S_ENDO, _G1_5),
    TermSpec("Myocarditis", _S_CARD, (2, 3, 4, 5), "10028606"),
    TermSpec("Rash maculo-papular", _S_SKIN, _G1_3),
    TermSpec("Pruritus", _S_SKIN, _G1_3),
    TermSpec("Dermatitis radiation", _S_INJ, _G1_5),
    TermSpec("Radiation recall reaction (dermatologic)", _S_INJ, _G1_5),
    TermSpec("Fatigue", _S_GEN, _G1_3),
    TermSpec("Fever", _S_GEN, _G1_5),
    TermSpec("Infusion related reaction", _S_GEN, _G1_5),
    TermSpec("Cytokine release syndrome", _S_IMM, _G1_5),
    TermSpec("Acute kidney injury", _S_REN, (3, 4, 5)),
    TermSpec("Arthralgia", _S_MSK, _G1_3),
)

# Names people use that are not v5.0 terms, with where to go instead.
NOT_A_TERM: dict[str, str] = {
    "hepatitis": "CTCAE v5.0 has no non-infectious 'Hepatitis' term (only 'Hepatitis viral' and "
                 "'Hepatitis B reactivation'); grade immune-mediated hepatitis with 'Alanine "
                 "aminotransferase increased', 'Aspartate aminotransferase increased', 'Blood "
                 "bilirubin increased' or 'Hepatic failure' (ASCO irAE guideline, Brahmer 2018)",
    "lymphopenia": "the CTCAE v5.0 term is 'Lymphocyte count decreased'",
    "neutropenia": "the CTCAE v5.0 term is 'Neutrophil count decreased'",
    "thrombocytopenia": "the CTCAE v5.0 term is 'Platelet count decreased' "
                        "('Thrombocytopenia' is the v6.0 name)",
    "leukopenia": "the CTCAE v5.0 term is 'White blood cell decreased'",
    "radiation dermatitis": "the CTCAE v5.0 term is 'Dermatitis radiation'",
    "rash": "name the CTCAE v5.0 term, e.g. 'Rash maculo-papular'",
    "alt increased": "the CTCAE v5.0 term is 'Alanine aminotransferase increased'",
    "ast increased": "the CTCAE v5.0 term is 'Aspartate aminotransferase increased'",
    "bilirubin increased": "the CTCAE v5.0 term is 'Blood bilirubin increased'",
}
