"""CDISC SDTM export: DM, EX, AE, LB, TU, TR, RS and trial design TS, TA, TE.

Built from a ``TrialData`` bundle and its ``Protocol``; written as SAS XPT v5 (pyreadstat) and
CSV. Names, labels and lengths are checked against XPT v5 limits *before* writing — a value that
does not fit is an error naming the domain, variable and row, never silently truncated.
Blinded exports (``blinded=True``) replace the arm with "BLINDED" and leave out exposure rows
that would reveal the allocation (arm-specific drugs).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from abscopal.errors import Finding, InputError
from abscopal.exchange import sdtm_spec as spec
from abscopal.protocol import Protocol
from abscopal.trialdata import TrialData, check_trial_data


def _iso(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return str(value.date().isoformat())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _usubjid(study: str, subject: Any) -> str:
    return f"{study}-{subject}"


def _age_years(birth: Any, ref: Any) -> float:
    if not birth or not ref or pd.isna(birth) or pd.isna(ref):
        return math.nan
    b, r = pd.Timestamp(birth).date(), pd.Timestamp(ref).date()
    return float(r.year - b.year - ((r.month, r.day) < (b.month, b.day)))


def _arm_code(arm_id: str) -> str:
    return arm_id.upper().replace("-", "_")[:20]


def _frame(domain: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [name for name, _ in spec.DOMAINS[domain][1]]
    frame = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col in spec.NUMERIC:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        else:
            frame[col] = frame[col].map(_text).astype(object)
    return frame


def _dm(data: TrialData, protocol: Protocol, study: str, blinded: bool) -> pd.DataFrame:
    labels = {a.id: a.label for a in protocol.arms}
    rows = []
    for s in data.subjects.to_dict("records"):
        enrolled = bool(_iso(s["enrolment_date"]))
        arm_id = _text(s["arm_id"])
        if not enrolled:
            armcd, arm = "SCRNFAIL", "Screen Failure"
        elif blinded:
            armcd, arm = "BLINDED", "Blinded"
        elif not arm_id:
            armcd, arm = "NOTASSGN", "Not Assigned"
        else:
            armcd, arm = _arm_code(arm_id), labels.get(arm_id, arm_id)
        rows.append({
            "STUDYID": study, "DOMAIN": "DM", "USUBJID": _usubjid(study, s["subject_id"]),
            "SUBJID": s["subject_id"], "RFSTDTC": _iso(s["enrolment_date"]),
            "RFICDTC": _iso(s["consent_date"]), "DTHDTC": _iso(s["death_date"]),
            "DTHFL": "Y" if _iso(s["death_date"]) else "", "SITEID": s["site_id"],
            "BRTHDTC": _iso(s["birth_date"]),
            "AGE": _age_years(s["birth_date"], s["consent_date"]), "AGEU": "YEARS",
            "SEX": _text(s["sex"]), "ARMCD": armcd, "ARM": arm, "ACTARMCD": armcd,
            "ACTARM": arm,
        })
    return _frame("DM", rows)


def _ex(data: TrialData, protocol: Protocol, study: str, blinded: bool) -> pd.DataFrame:
    names = {i.id: i.name for i in protocol.interventions}
    # An intervention given in some arms but not all reveals the allocation.
    arm_sets = [set(a.interventions) for a in protocol.arms]
    common = set.intersection(*arm_sets) if arm_sets else set()
    rows: list[dict[str, Any]] = []
    for r in data.rt_fractions.to_dict("records"):
        if blinded and r["intervention_id"] not in common:
            continue
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]),
                     "EXTRT": names.get(r["intervention_id"], r["intervention_id"]),
                     "EXCAT": "RADIOTHERAPY", "EXDOSE": r["dose_gy"], "EXDOSU": "Gy",
                     "EXSTDTC": _iso(r["fraction_date"]), "EXENDTC": _iso(r["fraction_date"])})
    for r in data.drug_admins.to_dict("records"):
        if blinded and r["intervention_id"] not in common:
            continue
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]),
                     "EXTRT": _text(r["agent"]) or names.get(r["intervention_id"], ""),
                     "EXCAT": "DRUG", "EXDOSE": r["dose_amount"],
                     "EXDOSU": _text(r["dose_unit"]).upper(),
                     "EXSTDTC": _iso(r["admin_date"]), "EXENDTC": _iso(r["admin_date"])})
    return _sequenced("EX", study, rows, ("USUBJID", "EXSTDTC", "EXTRT"))


def _sequenced(domain: str, study: str, rows: list[dict[str, Any]],
               order: tuple[str, ...]) -> pd.DataFrame:
    rows = sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in order))
    seq: dict[str, int] = {}
    for r in rows:
        seq[r["USUBJID"]] = seq.get(r["USUBJID"], 0) + 1
        r.update({"STUDYID": study, "DOMAIN": domain, f"{domain}SEQ": seq[r["USUBJID"]]})
    return _frame(domain, rows)


def _ae(data: TrialData, study: str) -> pd.DataFrame:
    rows = []
    for r in data.adverse_events.to_dict("records"):
        grade = str(int(r["grade"])) if _text(r["grade"]) else ""
        if grade and grade not in spec.CTCAE_GRADES:
            raise InputError(f"adverse_events: grade must be 1-5 (got {r['grade']!r}) for "
                             f"subject {r['subject_id']}")
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]), "AETERM": r["term"],
                     "AEDECOD": r["term"],
                     "AECAT": "IMMUNE-RELATED" if bool(r["immune_related"]) else "",
                     "AESER": "Y" if bool(r["serious"]) else "N", "AETOXGR": grade,
                     "AESTDTC": _iso(r["onset_date"]), "AEENDTC": _iso(r["resolution_date"])})
    return _sequenced("AE", study, rows, ("USUBJID", "AESTDTC", "AETERM"))


def _lb(data: TrialData, study: str) -> pd.DataFrame:
    rows = []
    for r in data.labs.to_dict("records"):
        test = _text(r["test"])
        grade = _text(r["ctcae_grade"])
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]),
                     "LBTESTCD": test.upper().replace(" ", "")[:8], "LBTEST": test,
                     "LBORRES": _text(r["value"]), "LBORRESU": _text(r["unit"]),
                     "LBORNRLO": _text(r["lln"]), "LBORNRHI": _text(r["uln"]),
                     "LBSTRESN": r["value"],
                     "LBTOXGR": str(int(float(grade))) if grade else "",
                     "LBDTC": _iso(r["lab_date"])})
    return _sequenced("LB", study, rows, ("USUBJID", "LBDTC", "LBTESTCD"))


def _tu(data: TrialData, study: str) -> pd.DataFrame:
    rows = []
    for r in data.lesions.to_dict("records"):
        role = spec.TU_ROLES.get(_text(r["role"]))
        if role is None:
            raise InputError(f"lesions.role must be one of {sorted(spec.TU_ROLES)} "
                             f"(got {r['role']!r}) for subject {r['subject_id']}")
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]), "TULNKID": r["lesion_id"],
                     "TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification",
                     "TUORRES": role, "TUSTRESC": role, "TULOC": _text(r["organ"]).upper(),
                     "TUMETHOD": "CT SCAN"})
    return _sequenced("TU", study, rows, ("USUBJID", "TULNKID"))


def _tr(data: TrialData, study: str) -> pd.DataFrame:
    rows = []
    for r in data.lesion_measurements.to_dict("records"):
        base = {"USUBJID": _usubjid(study, r["subject_id"]), "TRLNKID": r["lesion_id"],
                "TRDTC": _iso(r["assessment_date"])}
        size = r["diameter_mm"]
        if size is not None and not (isinstance(size, float) and math.isnan(size)):
            rows.append({**base, "TRTESTCD": "DIAMETER", "TRTEST": "Diameter",
                         "TRORRES": f"{float(size):g}", "TRORRESU": "mm",
                         "TRSTRESC": f"{float(size):g}", "TRSTRESN": float(size),
                         "TRSTRESU": "mm"})
        state = spec.TR_STATES.get(_text(r["status"]))
        if state is not None and state != "PRESENT":
            rows.append({**base, "TRTESTCD": "TUMSTATE", "TRTEST": "Tumor State",
                         "TRORRES": state, "TRSTRESC": state})
    return _sequenced("TR", study, rows, ("USUBJID", "TRDTC", "TRLNKID", "TRTESTCD"))


def _rs(data: TrialData, study: str) -> pd.DataFrame:
    rows = []
    for r in data.responses.to_dict("records"):
        criteria = _text(r["criteria"])
        category = spec.RS_CATEGORY.get(criteria)
        allowed = spec.RECIST_RESPONSES if criteria == "recist_1_1" else spec.IRECIST_RESPONSES
        if category is None or _text(r["response"]) not in allowed:
            raise InputError(
                f"responses: criteria must be one of {sorted(spec.RS_CATEGORY)} with a response "
                f"in its controlled terms (got {criteria!r}, {r['response']!r}) for subject "
                f"{r['subject_id']}"
            )
        rows.append({"USUBJID": _usubjid(study, r["subject_id"]), "RSTESTCD": "OVRLRESP",
                     "RSTEST": "Overall Response", "RSCAT": category,
                     "RSORRES": r["response"], "RSSTRESC": r["response"],
                     "RSDTC": _iso(r["assessment_date"])})
    return _sequenced("RS", study, rows, ("USUBJID", "RSDTC", "RSCAT"))


def _ts(protocol: Protocol, study: str) -> pd.DataFrame:
    i, d = protocol.identity, protocol.design
    params = [
        ("TITLE", "Trial Title", i.title),
        ("REGID", "Registry Identifier", i.registry_id),
        ("SPONSOR", "Clinical Study Sponsor", i.sponsor),
        # A phase the registry does not state is exported as "NOT APPLICABLE" (CDISC CT).
        ("TPHASE", "Trial Phase Classification",
         i.phase.value.replace("_", "/") if i.phase else "NOT APPLICABLE"),
        ("PLANSUB", "Planned Number of Subjects",
         str(i.target_enrolment) if i.target_enrolment else ""),
        ("RANDOM", "Trial is Randomized", "Y" if d.allocation.value == "randomized" else "N"),
        ("INTMODEL", "Intervention Model", d.intervention_model.value.upper()),
        ("TBLIND", "Trial Blinding Schema",
         "OPEN LABEL" if d.masking.level.value == "none" else d.masking.level.value.upper()
         + " BLIND"),
        ("NARMS", "Planned Number of Arms", str(len(protocol.arms))),
        ("STYPE", "Study Type", "INTERVENTIONAL"),
    ]
    if i.start_date:
        params.append(("SSTDTC", "Study Start Date", i.start_date.isoformat()))
    rows = [{"STUDYID": study, "DOMAIN": "TS", "TSSEQ": n, "TSPARMCD": code, "TSPARM": name,
             "TSVAL": value} for n, (code, name, value) in enumerate(params, start=1)]
    return _frame("TS", rows)


def _element_code(iv_id: str) -> str:
    return iv_id.upper().replace("-", "_")[:8]


def _ta_te(protocol: Protocol, study: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = {i.id: i.name for i in protocol.interventions}
    ta, seen = [], {}
    for arm in protocol.arms:
        ta.append({"STUDYID": study, "DOMAIN": "TA", "ARMCD": _arm_code(arm.id), "ARM": arm.label,
                   "TAETORD": 1, "ETCD": "SCRN", "ELEMENT": "Screening", "EPOCH": "SCREENING"})
        for order, iv in enumerate(arm.interventions, start=2):
            code = _element_code(iv)
            seen[code] = names[iv]
            ta.append({"STUDYID": study, "DOMAIN": "TA", "ARMCD": _arm_code(arm.id),
                       "ARM": arm.label, "TAETORD": order, "ETCD": code,
                       "ELEMENT": names[iv], "EPOCH": "TREATMENT"})
    te = [{"STUDYID": study, "DOMAIN": "TE", "ETCD": "SCRN", "ELEMENT": "Screening",
           "TESTRL": "Informed consent"}]
    te += [{"STUDYID": study, "DOMAIN": "TE", "ETCD": code, "ELEMENT": name,
            "TESTRL": f"First administration of {name}"} for code, name in sorted(seen.items())]
    return _frame("TA", ta), _frame("TE", te)


def build_sdtm(data: TrialData, protocol: Protocol, *, blinded: bool = False
               ) -> dict[str, pd.DataFrame]:
    """Build the SDTM domains for one trial.

    Rules
    -----
    1. USUBJID = STUDYID + "-" + SUBJID (SDTMIG 3.4 §5.1, DM assumptions).
    2. Screen failures: ARMCD "SCRNFAIL"; enrolled without allocation: "NOTASSGN" (SDTMIG 3.4 DM).
    3. AGE in whole years at informed consent (RFICDTC) — a documented choice.
    4. RS uses RSTESTCD "OVRLRESP" with RSCAT "RECIST 1.1" or "iRECIST"; responses must be in
       the controlled terms (CR, PR, SD, PD, NE, NON-CR/NON-PD; iCR, iPR, iSD, iUPD, iCPD).
    5. CTCAE grades are written as "1".."5" in AETOXGR and LBTOXGR.
    """
    check_trial_data(data)
    study = protocol.identity.registry_id
    ta, te = _ta_te(protocol, study)
    domains = {
        "DM": _dm(data, protocol, study, blinded),
        "EX": _ex(data, protocol, study, blinded),
        "AE": _ae(data, study),
        "LB": _lb(data, study),
        "TU": _tu(data, study),
        "TR": _tr(data, study),
        "RS": _rs(data, study),
        "TS": _ts(protocol, study),
    }
    if not blinded:
        domains["TA"] = ta
    domains["TE"] = te
    return domains


def validate_xpt_v5(domain: str, frame: pd.DataFrame) -> list[Finding]:
    """Findings for everything in ``frame`` that XPT v5 cannot hold (never raises).

    Rules (SAS TS-140): dataset and variable names <= 8 characters, letters/digits/underscore,
    starting with a letter; labels <= 40 characters; character values <= 200 bytes; ASCII text.
    """
    findings: list[Finding] = []
    label, variables = spec.DOMAINS[domain]
    if len(domain) > spec.XPT_NAME_MAX or not domain.isalnum():
        findings.append(Finding(domain, "a dataset name of <= 8 letters/digits", repr(domain)))
    if len(label) > spec.XPT_LABEL_MAX:
        findings.append(Finding(f"{domain} label", "<= 40 characters", str(len(label))))
    labels = dict(variables)
    for col in frame.columns:
        name = str(col)
        if len(name) > spec.XPT_NAME_MAX or not (name[:1].isalpha() and
                                                 name.replace("_", "").isalnum()):
            findings.append(Finding(f"{domain}.{name}", "a variable name of <= 8 characters",
                                    repr(name)))
        if len(labels.get(name, "")) > spec.XPT_LABEL_MAX:
            findings.append(Finding(f"{domain}.{name} label", "<= 40 characters",
                                    f"{len(labels[name])} characters"))
        if frame[col].dtype == object:
            for row, value in enumerate(frame[col]):
                raw = str(value).encode("utf-8")
                if len(raw) > spec.XPT_CHAR_MAX_BYTES:
                    findings.append(Finding(f"{domain}.{name}[row {row}]", "<= 200 bytes",
                                            f"{len(raw)} bytes"))
                if not str(value).isascii():
                    findings.append(Finding(f"{domain}.{name}[row {row}]", "ASCII text",
                                            repr(str(value)[:40])))
    return findings


def write_sdtm(domains: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Check every domain against XPT v5 limits, then write ``<domain>.xpt`` and ``.csv``.

    Raises
    ------
    InputError
        Listing every finding, before any file is written.
    """
    import pyreadstat  # shell dependency, imported where it is used

    findings = [f for name, frame in domains.items() for f in validate_xpt_v5(name, frame)]
    if findings:
        raise InputError("SDTM export refused; XPT v5 cannot hold these values unchanged:\n"
                         + "\n".join(f"  - {f}" for f in findings))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in domains.items():
        label, variables = spec.DOMAINS[name]
        xpt = out / f"{name.lower()}.xpt"
        pyreadstat.write_xport(frame, str(xpt), file_label=label, table_name=name,
                               column_labels=dict(variables), file_format_version=5)
        csv = out / f"{name.lower()}.csv"
        frame.to_csv(csv, index=False)
        written += [xpt, csv]
    return written


def read_sdtm(out_dir: str | Path) -> dict[str, tuple[pd.DataFrame, dict[str, str | None]]]:
    """Read every ``*.xpt`` back: domain → (frame, variable labels)."""
    import pyreadstat

    result = {}
    for path in sorted(Path(out_dir).glob("*.xpt")):
        frame, meta = pyreadstat.read_xport(str(path))
        result[path.stem.upper()] = (frame, dict(zip(meta.column_names, meta.column_labels,
                                                     strict=True)))
    return result
