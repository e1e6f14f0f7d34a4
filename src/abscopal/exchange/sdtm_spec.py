"""SDTM domain specifications used by the exporter: variables, labels, and controlled terms.

Variable names and labels follow the CDISC SDTM Implementation Guide v3.4 (domains DM, EX, AE,
LB, TU, TR, RS and the trial-design domains TS, TA, TE). Only the variables abscopal can fill are
listed; the exporter writes them in this order.
"""

from __future__ import annotations

SDTMIG_VERSION = "3.4"

# domain -> (dataset label, ((variable, label), ...))
DOMAINS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "DM": ("Demographics", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("SUBJID", "Subject Identifier for the Study"),
        ("RFSTDTC", "Subject Reference Start Date/Time"),
        ("RFICDTC", "Date/Time of Informed Consent"), ("DTHDTC", "Date/Time of Death"),
        ("DTHFL", "Subject Death Flag"), ("SITEID", "Study Site Identifier"),
        ("BRTHDTC", "Date/Time of Birth"), ("AGE", "Age"), ("AGEU", "Age Units"), ("SEX", "Sex"),
        ("ARMCD", "Planned Arm Code"), ("ARM", "Description of Planned Arm"),
        ("ACTARMCD", "Actual Arm Code"), ("ACTARM", "Description of Actual Arm"),
    )),
    "EX": ("Exposure", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("EXSEQ", "Sequence Number"),
        ("EXTRT", "Name of Treatment"), ("EXCAT", "Category of Treatment"),
        ("EXDOSE", "Dose"), ("EXDOSU", "Dose Units"), ("EXSTDTC", "Start Date/Time of Treatment"),
        ("EXENDTC", "End Date/Time of Treatment"),
    )),
    "AE": ("Adverse Events", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("AESEQ", "Sequence Number"),
        ("AETERM", "Reported Term for the Adverse Event"),
        ("AEDECOD", "Dictionary-Derived Term"), ("AECAT", "Category for Adverse Event"),
        ("AESER", "Serious Event"), ("AETOXGR", "Standard Toxicity Grade"),
        ("AESTDTC", "Start Date/Time of Adverse Event"),
        ("AEENDTC", "End Date/Time of Adverse Event"),
    )),
    "LB": ("Laboratory Test Results", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("LBSEQ", "Sequence Number"),
        ("LBTESTCD", "Lab Test or Examination Short Name"),
        ("LBTEST", "Lab Test or Examination Name"),
        ("LBORRES", "Result or Finding in Original Units"), ("LBORRESU", "Original Units"),
        ("LBORNRLO", "Reference Range Lower Limit in Orig Unit"),
        ("LBORNRHI", "Reference Range Upper Limit in Orig Unit"),
        ("LBSTRESN", "Numeric Result/Finding in Standard Units"),
        ("LBTOXGR", "Standard Toxicity Grade"), ("LBDTC", "Date/Time of Specimen Collection"),
    )),
    "TU": ("Tumor/Lesion Identification", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("TUSEQ", "Sequence Number"),
        ("TULNKID", "Link ID"), ("TUTESTCD", "Tumor/Lesion ID Short Name"),
        ("TUTEST", "Tumor/Lesion ID Test Name"), ("TUORRES", "Tumor/Lesion ID Result"),
        ("TUSTRESC", "Tumor/Lesion ID Result Std. Format"), ("TULOC", "Location of the Tumor/Lesion"),
        ("TUMETHOD", "Method of Identification"),
    )),
    "TR": ("Tumor/Lesion Results", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("TRSEQ", "Sequence Number"),
        ("TRLNKID", "Link ID"), ("TRTESTCD", "Tumor/Lesion Assessment Short Name"),
        ("TRTEST", "Tumor/Lesion Assessment Test Name"),
        ("TRORRES", "Result or Finding in Original Units"), ("TRORRESU", "Original Units"),
        ("TRSTRESC", "Character Result/Finding in Std Format"),
        ("TRSTRESN", "Numeric Result/Finding in Standard Units"),
        ("TRSTRESU", "Standard Units"), ("TRDTC", "Date/Time of Tumor/Lesion Measurement"),
    )),
    "RS": ("Disease Response and Clin Classification", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("RSSEQ", "Sequence Number"),
        ("RSTESTCD", "Assessment Short Name"), ("RSTEST", "Assessment Name"),
        ("RSCAT", "Category for Assessment"), ("RSORRES", "Result or Finding in Original Units"),
        ("RSSTRESC", "Character Result/Finding in Std Format"),
        ("RSDTC", "Date/Time of Assessment"),
    )),
    "TS": ("Trial Summary", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("TSSEQ", "Sequence Number"), ("TSPARMCD", "Trial Summary Parameter Short Name"),
        ("TSPARM", "Trial Summary Parameter"), ("TSVAL", "Parameter Value"),
    )),
    "TA": ("Trial Arms", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("ARMCD", "Planned Arm Code"), ("ARM", "Description of Planned Arm"),
        ("TAETORD", "Planned Order of Element within Arm"), ("ETCD", "Element Code"),
        ("ELEMENT", "Description of Element"), ("EPOCH", "Epoch"),
    )),
    "TE": ("Trial Elements", (
        ("STUDYID", "Study Identifier"), ("DOMAIN", "Domain Abbreviation"),
        ("ETCD", "Element Code"), ("ELEMENT", "Description of Element"),
        ("TESTRL", "Rule for Start of Element"),
    )),
}

NUMERIC: frozenset[str] = frozenset(
    {"AGE", "EXSEQ", "EXDOSE", "AESEQ", "LBSEQ", "LBSTRESN", "TUSEQ", "TRSEQ", "TRSTRESN",
     "RSSEQ", "TSSEQ", "TAETORD", "AETOXGR_N"}
)

# Controlled terminology (CDISC CT, codelists "Response" RECIST 1.1 and iRECIST as used in RS).
RECIST_RESPONSES = frozenset({"CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "NED"})
IRECIST_RESPONSES = frozenset({"iCR", "iPR", "iSD", "iUPD", "iCPD", "NE", "NON-iCR/NON-iUPD",
                               "NED"})
RS_CATEGORY = {"recist_1_1": "RECIST 1.1", "irecist": "iRECIST"}
CTCAE_GRADES = frozenset({"1", "2", "3", "4", "5"})
TU_ROLES = {"target": "TARGET", "non_target": "NON-TARGET", "new": "NEW"}
TR_STATES = {"present": "PRESENT", "absent": "ABSENT", "unequivocal_progression":
             "UNEQUIVOCAL PROGRESSION", "ne": "NOT EVALUABLE", "too_small": "TOO SMALL TO MEASURE"}

# XPT v5 (SAS Technical Paper TS-140) limits.
XPT_NAME_MAX = 8
XPT_LABEL_MAX = 40
XPT_CHAR_MAX_BYTES = 200
