"""Baseline checks and the target proposal helper (R11 §3.1, §4.2)."""

from __future__ import annotations

from decimal import Decimal

from abscopal.response import Candidate, parse_patient, propose_targets, validate_baseline


def _rec(lesions: list[dict[str, object]], base: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_patient({"patient_id": "P", "lesions": lesions,
                          "assessments": [{"date": "2025-01-01", "lesions": base}]})


def test_valid_selection_has_no_findings() -> None:
    rec = _rec([{"id": "T1", "role": "target", "organ": "liver"},
                {"id": "T2", "role": "target", "organ": "lymph node", "nodal": True},
                {"id": "NT1", "role": "non_target", "organ": "bone"}],
               {"T1": 10, "T2": 15, "NT1": "present"})
    assert validate_baseline(rec) == ()


def test_findings_name_lesion_expectation_and_value() -> None:
    lesions = [{"id": f"L{i}", "role": "target", "organ": "liver"} for i in range(1, 4)]
    lesions += [{"id": "N1", "role": "target", "organ": "lymph node", "nodal": True},
                {"id": "N2", "role": "target", "organ": "lymph node", "nodal": True},
                {"id": "N3", "role": "target", "organ": "mediastinum", "nodal": True},
                {"id": "NT1", "role": "non_target", "organ": "bone"}]
    base = {"L1": 30, "L2": 20, "L3": "too_small", "N1": 14.9, "N2": 20, "N3": 18}
    found = [str(f) for f in validate_baseline(_rec(lesions, base))]
    assert found == [
        "patient 'P', lesion 'L3': expected a measurable target: longest diameter >= 10 mm at "
        "baseline (got too_small)",
        "patient 'P', lesion 'N1': expected a measurable target: short axis >= 15 mm at baseline "
        "(got 14.9 mm)",
        "patient 'P': expected at most 5 target lesions (R11 §4.2) (got 6 targets)",
        "patient 'P', organ 'liver': expected at most 2 targets per organ, all nodes one organ "
        "(R11 §4.2, FAQ-R) (got 3 (L1, L2, L3))",
        "patient 'P', organ 'lymph node': expected at most 2 targets per organ, all nodes one "
        "organ (R11 §4.2, FAQ-R) (got 3 (N1, N2, N3))",
        "patient 'P', lesion 'NT1': expected a non-target lesion present at baseline (got missing)",
    ]


def test_in_field_targets_can_be_flagged() -> None:
    rec = _rec([{"id": "T1", "role": "target", "organ": "liver", "in_field": True}], {"T1": 30})
    assert validate_baseline(rec) == ()
    (f,) = validate_baseline(rec, allow_in_field_targets=False)
    assert "R11 §3.1.3" in f.expected


def _c(lid: str, organ: str, size: str, nodal: bool = False) -> Candidate:
    return Candidate(lid, organ, Decimal(size), is_nodal=nodal)


def test_propose_targets_prefers_representing_every_organ() -> None:
    cands = [_c("L1", "liver", "50"), _c("L2", "liver", "40"), _c("L3", "liver", "30"),
             _c("LU1", "lung", "25"), _c("K1", "kidney", "15"), _c("A1", "adrenal", "12"),
             _c("N1", "lymph node", "20", True), _c("N2", "lymph node", "12", True),
             _c("N3", "lymph node", "8", True), _c("B1", "bone", "9")]
    p = propose_targets(cands)
    assert p.targets == ("A1", "K1", "L1", "LU1", "N1")
    assert p.non_targets == ("B1", "L2", "L3", "N2")
    assert p.not_recorded == ("N3",)
    assert "L3: already 2 larger targets in liver: non-target" in p.reasons


def test_propose_targets_takes_all_when_they_fit() -> None:
    p = propose_targets([_c("L1", "liver", "50"), _c("L2", "liver", "40"), _c("LU1", "lung", "25")])
    assert p.targets == ("L1", "L2", "LU1") and p.non_targets == ()


def test_propose_targets_can_exclude_irradiated() -> None:
    c = Candidate("L1", "liver", Decimal(50), in_field=True)
    p = propose_targets([c, _c("LU1", "lung", "25")], exclude_in_field=True)
    assert (p.targets, p.non_targets) == (("LU1",), ("L1",))
