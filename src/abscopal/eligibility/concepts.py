"""Named concept sets: the coded events (conditions, drugs, procedures) rules look back over.

A set is a list of standard codes (SNOMED CT, RxNorm ingredients, ATC classes, or the local
``ABSCOPAL`` vocabulary for facts no standard vocabulary codes, such as the body site of a
radiotherapy course). A database resolves them through its own ``concept`` table (and
``concept_ancestor`` for descendants, e.g. RxNorm ingredient -> clinical drugs); a patient file
matches them by exact code, or by prefix for ATC classes.

The code lists are a reviewed starting point, not an exhaustive value set: sites should check
them against their own terminology (see docs/guides/eligibility.md). Versioned data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CONCEPT_SETS_VERSION = "1"

Domain = Literal["condition", "drug", "procedure"]

LOCAL_VOCABULARY = "ABSCOPAL"
"""Vocabulary id of abscopal's local concepts (OMOP concept_id >= 2,000,000,000 by convention)."""


@dataclass(frozen=True)
class Code:
    """A code in a vocabulary; ``prefix`` matches every code that starts with it (ATC)."""

    vocabulary: str
    code: str
    label: str = ""
    prefix: bool = False

    def matches(self, vocabulary: str, code: str) -> bool:
        """Whether a recorded (vocabulary, code) belongs to this entry."""
        if vocabulary.upper() != self.vocabulary.upper():
            return False
        return code.startswith(self.code) if self.prefix else code == self.code


@dataclass(frozen=True)
class ConceptSet:
    name: str
    domain: Domain
    description: str
    codes: tuple[Code, ...]

    def matches(self, vocabulary: str, code: str) -> bool:
        return any(c.matches(vocabulary, code) for c in self.codes)


def _sn(code: str, label: str) -> Code:
    return Code("SNOMED", code, label)


def _rx(code: str, label: str) -> Code:
    return Code("RxNorm", code, label)


def _atc(code: str, label: str) -> Code:
    return Code("ATC", code, label, prefix=True)


def _local(code: str, label: str) -> Code:
    return Code(LOCAL_VOCABULARY, code, label)


_ANTIBIOTICS = (
    _rx("723", "amoxicillin"), _rx("733", "ampicillin"), _rx("7980", "penicillin G"),
    _rx("7984", "penicillin V"), _rx("8339", "piperacillin"), _rx("2176", "cefaclor"),
    _rx("2194", "cefuroxime"), _rx("3640", "doxycycline"), _rx("7454", "nitrofurantoin"),
    _rx("48203", "clavulanate"), _rx("2551", "ciprofloxacin"), _rx("18631", "azithromycin"),
    _rx("6922", "metronidazole"), _rx("10829", "trimethoprim"),
)

CONCEPT_SETS: dict[str, ConceptSet] = {
    s.name: s
    for s in (
        ConceptSet("radiotherapy", "procedure", "Any radiotherapy course (any site)", (
            _sn("108290001", "Radiation oncology AND/OR radiotherapy"),
            _sn("33195004", "External beam radiation therapy procedure"),
            _sn("152198000", "Brachytherapy"),
            _local("rt_abdomen_pelvis", "Radiotherapy to the abdomen and/or pelvis"),
            _local("rt_other_site", "Radiotherapy to another site"),
        )),
        ConceptSet("radiotherapy_abdomen_pelvis", "procedure",
                   "Radiotherapy whose target includes the abdomen or pelvis "
                   "(site is rarely coded: sites map their RT courses to the local code)", (
            _local("rt_abdomen_pelvis", "Radiotherapy to the abdomen and/or pelvis"),
        )),
        ConceptSet("checkpoint_inhibitors", "drug",
                   "Anti-PD-1/PD-L1/CTLA-4 immune checkpoint inhibitors", (
            _rx("1547545", "pembrolizumab"), _rx("1597876", "nivolumab"),
            _rx("1094833", "ipilimumab"), _rx("1792776", "atezolizumab"),
            _rx("1919503", "durvalumab"), _rx("1875534", "avelumab"),
            _atc("L01FF", "PD-1/PD-L1 inhibitors"), _atc("L01FX04", "ipilimumab"),
            _local("ici_other", "Other checkpoint inhibitor (toripalimab, sintilimab, ...)"),
        )),
        ConceptSet("anti_infectives_probiotics", "drug",
                   "Antibiotics, antifungals, antivirals, antiparasitics or probiotics", (
            *_ANTIBIOTICS,
            _atc("J01", "antibacterials for systemic use"), _atc("J02", "antimycotics"),
            _atc("J04", "antimycobacterials"), _atc("J05", "antivirals"),
            _atc("P01", "antiprotozoals"), _atc("P02", "anthelmintics"),
            _atc("A07FA", "antidiarrheal microorganisms (probiotics)"),
            _local("probiotic", "Probiotic preparation"),
        )),
        ConceptSet("major_surgery", "procedure", "Major surgical procedures", (
            _sn("232717009", "Coronary artery bypass graft"), _sn("80146002", "Appendectomy"),
            _sn("38102005", "Cholecystectomy"), _sn("45595009", "Laparoscopic cholecystectomy"),
            _sn("88039007", "Transplant of lung"), _sn("429609002", "Lung volume reduction"),
            _local("major_surgery", "Major surgery (site-coded)"),
        )),
        ConceptSet("liver_metastases", "condition", "Secondary malignant neoplasm of liver", (
            _sn("94381002", "Secondary malignant neoplasm of liver"),
        )),
        ConceptSet("thrombosis", "condition", "Arterial thrombosis or deep vein thrombosis", (
            _sn("128053003", "Deep venous thrombosis"),
            _sn("230690007", "Cerebrovascular accident"),
            _sn("22298006", "Myocardial infarction"),
        )),
        ConceptSet("bleeding", "condition", "Bleeding events", (
            _sn("74474003", "Gastrointestinal hemorrhage"),
            _sn("131148009", "Bleeding"),
        )),
        ConceptSet("cardiac_disease", "condition",
                   "Congestive heart failure, acute myocardial infarction, unstable angina", (
            _sn("42343007", "Congestive heart failure"),
            _sn("22298006", "Myocardial infarction"),
            _sn("4557003", "Preinfarction syndrome (unstable angina)"),
        )),
        ConceptSet("coronary_bypass", "procedure", "Coronary artery bypass grafting", (
            _sn("232717009", "Coronary artery bypass graft"),
        )),
        ConceptSet("chronic_liver_disease", "condition",
                   "Chronic hepatitis B or C, cirrhosis of liver", (
            _sn("61977001", "Chronic type B viral hepatitis"),
            _sn("50711007", "Viral hepatitis type C"),
            _sn("19943007", "Cirrhosis of liver"),
        )),
        ConceptSet("transfusion", "procedure", "Blood product transfusion", (
            _sn("180207008", "Intravenous blood transfusion of packed cells"),
            _sn("116859006", "Transfusion of blood product"),
        )),
        ConceptSet("malignant_neoplasm", "condition", "Any malignant neoplasm", (
            _sn("363346000", "Malignant neoplastic disease"),
            _sn("94381002", "Secondary malignant neoplasm of liver"),
            _local("malignant_tumour", "Malignant tumour (site-coded)"),
        )),
    )
}
