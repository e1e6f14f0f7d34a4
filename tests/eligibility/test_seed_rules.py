"""Golden boundary cases for every laboratory rule of NCT05628038 and NCT07277777.

Each case is a patient whose value sits exactly on, just inside or just outside the registry's
threshold (read from the registry text quoted in the YAML), with the expected status written
out by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from abscopal.datasets import load_trial
from abscopal.eligibility import Status, evaluate_criterion, parse_patient

AS_OF = date(2025, 1, 15)
LAB_DAY = "2025-01-12"  # within the 7-day window of NCT05628038
LIVER_MET = {"domain": "condition", "date": "2024-03-01",
             "codes": [{"vocabulary": "SNOMED", "code": "94381002"}]}


def _patient(labs: list[dict[str, Any]], *, liver: bool = False,
             facts: dict[str, Any] | None = None) -> Any:
    return parse_patient({
        "patient_id": "G",
        "facts": {"sex": "M", "birth_date": "1965-01-01", **(facts or {})},
        "measurements": [{"date": LAB_DAY, **m} for m in labs],
        "events": [LIVER_MET] if liver else [],
    })


def _status(registry_id: str, cid: str, patient: Any) -> Status:
    criterion = next(c for c in load_trial(registry_id).eligibility if c.id == cid)
    return evaluate_criterion(criterion, patient, as_of=AS_OF).status


def lab(name: str, value: float, unit: str, **ref: float) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, **ref}


# Normal values for the other labs in a multi-lab criterion.
NORMAL = {
    "anc": lab("anc", 3.0, "10^9/L"), "platelets": lab("platelets", 200, "10^9/L"),
    "hemoglobin": lab("hemoglobin", 130, "g/L"),
}

NCT05628038 = [
    # exc01: ANC < 1.5, PLT < 100 (< 80 with liver metastases), Hb < 90 g/L
    ("exc01", [lab("anc", 1.5, "10^9/L"), NORMAL["platelets"], NORMAL["hemoglobin"]], False,
     Status.NOT_MET),
    ("exc01", [lab("anc", 1.49, "10^9/L"), NORMAL["platelets"], NORMAL["hemoglobin"]], False,
     Status.MET),
    ("exc01", [NORMAL["anc"], lab("platelets", 100, "10^9/L"), NORMAL["hemoglobin"]], False,
     Status.NOT_MET),
    ("exc01", [NORMAL["anc"], lab("platelets", 99, "10^9/L"), NORMAL["hemoglobin"]], False,
     Status.MET),
    ("exc01", [NORMAL["anc"], lab("platelets", 99, "10^9/L"), NORMAL["hemoglobin"]], True,
     Status.NOT_MET),
    ("exc01", [NORMAL["anc"], lab("platelets", 80, "10^9/L"), NORMAL["hemoglobin"]], True,
     Status.NOT_MET),
    ("exc01", [NORMAL["anc"], lab("platelets", 79, "10^9/L"), NORMAL["hemoglobin"]], True,
     Status.MET),
    ("exc01", [NORMAL["anc"], NORMAL["platelets"], lab("hemoglobin", 9.0, "g/dL")], False,
     Status.NOT_MET),
    ("exc01", [NORMAL["anc"], NORMAL["platelets"], lab("hemoglobin", 89, "g/L")], False,
     Status.MET),
    ("exc01", [NORMAL["platelets"], NORMAL["hemoglobin"]], False, Status.UNKNOWN),
    # exc02: TBIL > 1.5 x ULN (> 2.5 x ULN with liver metastases); ULN 1.2 mg/dL
    ("exc02", [lab("total_bilirubin", 1.8, "mg/dL", ref_high=1.2)], False, Status.NOT_MET),
    ("exc02", [lab("total_bilirubin", 1.81, "mg/dL", ref_high=1.2)], False, Status.MET),
    ("exc02", [lab("total_bilirubin", 2.5, "mg/dL", ref_high=1.2)], True, Status.NOT_MET),
    ("exc02", [lab("total_bilirubin", 3.0, "mg/dL", ref_high=1.2)], True, Status.NOT_MET),
    ("exc02", [lab("total_bilirubin", 3.01, "mg/dL", ref_high=1.2)], True, Status.MET),
    ("exc02", [lab("total_bilirubin", 30.78, "umol/L", ref_high=20.52)], False,
     Status.NOT_MET),  # 1.5 x ULN in umol/L
    ("exc02", [lab("total_bilirubin", 3.0, "mg/dL")], False, Status.UNKNOWN),  # no ULN
    # exc03: AST or ALT > 2.5 x ULN (> 5 x ULN with liver metastases); ULN 40 U/L
    ("exc03", [lab("ast", 100, "U/L", ref_high=40), lab("alt", 30, "U/L", ref_high=40)], False,
     Status.NOT_MET),
    ("exc03", [lab("ast", 30, "U/L", ref_high=40), lab("alt", 101, "U/L", ref_high=40)], False,
     Status.MET),
    ("exc03", [lab("ast", 150, "U/L", ref_high=40), lab("alt", 200, "U/L", ref_high=40)], True,
     Status.NOT_MET),
    ("exc03", [lab("ast", 201, "U/L", ref_high=40), lab("alt", 30, "U/L", ref_high=40)], True,
     Status.MET),
    ("exc03", [lab("alt", 101, "U/L", ref_high=40)], False, Status.MET),  # AST missing: OR
    ("exc03", [lab("alt", 30, "U/L", ref_high=40)], False, Status.UNKNOWN),
    # exc04: Cr > 1.5 x ULN or CrCl < 50 mL/min (man, 60 years on AS_OF, 72 kg)
    # CrCl = 80 x 72 / (72 x Cr) = 80 / Cr: Cr 1.6 -> 50.0 (not < 50); Cr 1.61 -> 49.7
    ("exc04", [lab("creatinine", 1.6, "mg/dL", ref_high=1.2), lab("weight", 72, "kg")], False,
     Status.NOT_MET),
    ("exc04", [lab("creatinine", 1.61, "mg/dL", ref_high=1.2), lab("weight", 72, "kg")], False,
     Status.MET),
    ("exc04", [lab("creatinine", 1.8, "mg/dL", ref_high=1.0), lab("weight", 120, "kg")], False,
     Status.MET),  # 1.8 x ULN although CrCl 66.7
    ("exc04", [lab("creatinine", 1.8, "mg/dL", ref_high=1.2), lab("weight", 120, "kg")], False,
     Status.NOT_MET),  # exactly 1.5 x ULN, CrCl 66.7
    ("exc04", [lab("creatinine", 1.0, "mg/dL", ref_high=1.2)], False, Status.UNKNOWN),
    # exc05: APTT > 1.5 x ULN, PT > 1.5 x ULN
    ("exc05", [lab("aptt", 52.5, "s", ref_high=35), lab("pt", 13, "s", ref_high=13.5)], False,
     Status.NOT_MET),
    ("exc05", [lab("aptt", 52.6, "s", ref_high=35), lab("pt", 13, "s", ref_high=13.5)], False,
     Status.MET),
    ("exc05", [lab("aptt", 30, "s", ref_high=35), lab("pt", 20.26, "s", ref_high=13.5)], False,
     Status.MET),
    # exc07: urine protein >= 2+ or 24-h urine protein >= 1.0 g
    ("exc07", [lab("urine_protein_dipstick", 2, "{score}"),
               lab("urine_protein_24h", 0.2, "g/d")], False, Status.MET),
    ("exc07", [lab("urine_protein_dipstick", 1, "{score}"),
               lab("urine_protein_24h", 1.0, "g/(24.h)")], False, Status.MET),
    ("exc07", [lab("urine_protein_dipstick", 1, "{score}"),
               lab("urine_protein_24h", 999, "mg/d")], False, Status.NOT_MET),
    # exc08: SBP > 140 or DBP > 90 mmHg
    ("exc08", [lab("sbp", 140, "mmHg"), lab("dbp", 90, "mmHg")], False, Status.NOT_MET),
    ("exc08", [lab("sbp", 141, "mmHg"), lab("dbp", 80, "mmHg")], False, Status.MET),
    ("exc08", [lab("sbp", 120, "mm[Hg]"), lab("dbp", 91, "mm[Hg]")], False, Status.MET),
    # exc11: LVEF < 50 %
    ("exc11", [lab("lvef", 50, "%")], False, Status.NOT_MET),
    ("exc11", [lab("lvef", 49, "%")], False, Status.MET),
    # inc02: ECOG 0-1
    ("inc02", [lab("ecog", 1, "{score}")], False, Status.MET),
    ("inc02", [lab("ecog", 2, "{score}")], False, Status.NOT_MET),
]

NCT07277777 = [
    # inc07: ANC >= 1.5, PLT >= 80, Hb >= 90 g/L, AST/ALT <= 3 x ULN (<= 5 x with liver
    # metastases), CrCl >= 50 mL/min. Base: all normal, man 60 y, 72 kg, Cr 1.0 (CrCl 80).
    ("inc07", {}, False, Status.MET),
    ("inc07", {"anc": lab("anc", 1.5, "10^9/L")}, False, Status.MET),
    ("inc07", {"anc": lab("anc", 1.49, "10^9/L")}, False, Status.NOT_MET),
    ("inc07", {"platelets": lab("platelets", 80, "10^9/L")}, False, Status.MET),
    ("inc07", {"platelets": lab("platelets", 79, "10^9/L")}, False, Status.NOT_MET),
    ("inc07", {"hemoglobin": lab("hemoglobin", 9.0, "g/dL")}, False, Status.MET),
    ("inc07", {"hemoglobin": lab("hemoglobin", 89.9, "g/L")}, False, Status.NOT_MET),
    ("inc07", {"ast": lab("ast", 120, "U/L", ref_high=40)}, False, Status.MET),
    ("inc07", {"ast": lab("ast", 121, "U/L", ref_high=40)}, False, Status.NOT_MET),
    ("inc07", {"ast": lab("ast", 121, "U/L", ref_high=40)}, True, Status.MET),
    ("inc07", {"alt": lab("alt", 200, "U/L", ref_high=40)}, True, Status.MET),
    ("inc07", {"alt": lab("alt", 201, "U/L", ref_high=40)}, True, Status.NOT_MET),
    ("inc07", {"creatinine": lab("creatinine", 1.6, "mg/dL", ref_high=1.2)}, False, Status.MET),
    ("inc07", {"creatinine": lab("creatinine", 1.61, "mg/dL", ref_high=1.2)}, False,
     Status.NOT_MET),
    ("inc07", {"creatinine": lab("creatinine", 141.44, "umol/L", ref_high=106)}, False,
     Status.MET),  # 141.44 umol/L = 1.6 mg/dL (88.40 umol/L per mg/dL) -> CrCl 50.0
    ("inc07", {"weight": None}, False, Status.UNKNOWN),
    ("inc07", {"weight": None, "anc": lab("anc", 1.0, "10^9/L")}, False, Status.NOT_MET),
    # exc05: INR > 1.5, platelets < 50
    ("exc05", {"inr": lab("inr", 1.5, "{ratio}")}, False, Status.NOT_MET),
    ("exc05", {"inr": lab("inr", 1.51, "1")}, False, Status.MET),
    ("exc05", {"inr": lab("inr", 1.0, "1"), "platelets": lab("platelets", 50, "10^9/L")},
     False, Status.NOT_MET),
    ("exc05", {"inr": lab("inr", 1.0, "1"), "platelets": lab("platelets", 49, "10^9/L")},
     False, Status.MET),
    ("exc05", {"inr": None}, False, Status.UNKNOWN),
]


@pytest.mark.parametrize(("cid", "labs", "liver", "status"), NCT05628038)
def test_nct05628038_lab_boundaries(cid: str, labs: list[dict[str, Any]], liver: bool,
                                    status: Status) -> None:
    facts = {"birth_date": "1964-06-01"}  # 60 on AS_OF
    assert _status("NCT05628038", cid, _patient(labs, liver=liver, facts=facts)) is status


@pytest.mark.parametrize(("cid", "changes", "liver", "status"), NCT07277777)
def test_nct07277777_lab_boundaries(cid: str, changes: dict[str, Any], liver: bool,
                                    status: Status) -> None:
    base = {**NORMAL, "ast": lab("ast", 30, "U/L", ref_high=40),
            "alt": lab("alt", 30, "U/L", ref_high=40), "weight": lab("weight", 72, "kg"),
            "creatinine": lab("creatinine", 1.0, "mg/dL", ref_high=1.2),
            "inr": lab("inr", 1.0, "1")}
    base.update(changes)
    labs = [m for m in base.values() if m is not None]
    facts = {"birth_date": "1964-06-01"}
    assert _status("NCT07277777", cid, _patient(labs, liver=liver, facts=facts)) is status


def test_share_automated_per_trial() -> None:
    shares = {}
    for registry_id in ("NCT05628038", "NCT06076135", "NCT06120127", "NCT07277777"):
        p = load_trial(registry_id)
        shares[registry_id] = (sum(c.rule is not None for c in p.eligibility), len(p.eligibility))
    assert shares == {"NCT05628038": (16, 30), "NCT06076135": (6, 24),
                      "NCT06120127": (6, 19), "NCT07277777": (7, 19)}
    for registry_id in shares:
        for c in load_trial(registry_id).eligibility:
            assert c.rule is not None or "rule language" not in (c.manual_reason or "")
