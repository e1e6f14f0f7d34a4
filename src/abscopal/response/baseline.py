"""Baseline checks (measurability, target limits) and a target-proposal helper (R11 §3.1, §4.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from abscopal.errors import Finding
from abscopal.response._rules import RECIST_1_1_RULES, SCALE, ResponseRules
from abscopal.response.model import (
    LesionRole,
    NonTargetStatus,
    PatientRecord,
    TargetStatus,
    to_units,
)

NODES_ORGAN = "lymph node"


def _organ(organ: str, is_nodal: bool) -> str:
    # all nodes are one organ; paired organs (lungs, kidneys) are one organ by name (FAQ-R)
    return NODES_ORGAN if is_nodal else organ.strip().lower()


def validate_baseline(
    record: PatientRecord, *, rules: ResponseRules = RECIST_1_1_RULES, allow_in_field_targets: bool = True
) -> tuple[Finding, ...]:
    """Check the baseline lesion selection; return findings (never raises).

    Parameters
    ----------
    record : PatientRecord
    rules : ResponseRules
    allow_in_field_targets : bool
        False flags irradiated targets (R11 §3.1.3: previously irradiated lesions are
        usually not measurable unless they progressed; the protocol decides).

    Returns
    -------
    tuple of Finding
        Empty when the selection is valid.

    Rules
    -----
    1. A target needs a baseline measurement: non-nodal LD >= 10 mm, nodal SA >= 15 mm
       (R11 §3.1.1); "too small", "disappeared" or "not assessed" are not measurable.
    2. At most 5 targets in total and 2 per organ, all nodes one organ (R11 §4.2, FAQ-R).
    3. A non-target node must be pathological (SA >= 10 mm) - not checked here since
       non-targets carry no size; a non-target must be assessed at baseline.

    Examples
    --------
    >>> from abscopal.response.model import parse_patient
    >>> rec = parse_patient({"patient_id": "P", "lesions": [{"id": "T1", "role": "target",
    ...     "organ": "liver"}], "assessments": [{"date": "2025-01-01", "lesions": {"T1": 9}}]})
    >>> [str(f) for f in validate_baseline(rec)]
    ["patient 'P', lesion 'T1': expected a measurable target: longest diameter >= 10 mm at baseline (got 9 mm)"]
    """
    findings: list[Finding] = []
    base = {ob.lesion_id: ob for ob in record.assessments[0].observations}
    per_organ: dict[str, list[str]] = {}
    targets = [les for les in record.lesions if les.role is LesionRole.TARGET]
    min_ld = rules.measurable_min_mm * SCALE
    min_sa = rules.node_measurable_min_mm * SCALE
    for les in targets:
        where = f"patient {record.patient_id!r}, lesion {les.lesion_id!r}"
        per_organ.setdefault(_organ(les.organ, les.is_nodal), []).append(les.lesion_id)
        ob = base.get(les.lesion_id)
        axis = "short axis" if les.is_nodal else "longest diameter"
        limit = min_sa if les.is_nodal else min_ld
        need = f"a measurable target: {axis} >= {float(limit / SCALE):g} mm at baseline"
        if ob is None or ob.status is not TargetStatus.MEASURED:
            got = "missing" if ob is None else ob.status.value
            findings.append(Finding(where, need, got))
            continue
        size = sum(to_units(f) for f in ob.fragments_mm) if ob.fragments_mm else to_units(
            ob.size_mm if ob.size_mm is not None else Decimal(0)
        )
        if size < limit:
            findings.append(Finding(where, need, f"{Decimal(size) / SCALE:f}".rstrip("0").rstrip(".") + " mm"))
        if les.in_field and not allow_in_field_targets:
            findings.append(Finding(
                where, "no irradiated (in-field) target unless the protocol allows it (R11 §3.1.3)",
                "in_field=true",
            ))
    if len(targets) > rules.max_targets:
        findings.append(Finding(
            f"patient {record.patient_id!r}",
            f"at most {rules.max_targets} target lesions (R11 §4.2)", f"{len(targets)} targets",
        ))
    for organ, ids in sorted(per_organ.items()):
        if len(ids) > rules.max_targets_per_organ:
            findings.append(Finding(
                f"patient {record.patient_id!r}, organ {organ!r}",
                f"at most {rules.max_targets_per_organ} targets per organ, all nodes one organ "
                "(R11 §4.2, FAQ-R)",
                f"{len(ids)} ({', '.join(sorted(ids))})",
            ))
    for les in record.lesions:
        if les.role is LesionRole.NON_TARGET:
            ob = base.get(les.lesion_id)
            if ob is None or ob.status is not NonTargetStatus.PRESENT:
                findings.append(Finding(
                    f"patient {record.patient_id!r}, lesion {les.lesion_id!r}",
                    "a non-target lesion present at baseline",
                    "missing" if ob is None else ob.status.value,
                ))
    return tuple(findings)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A baseline lesion that could be a target."""

    lesion_id: str
    organ: str
    size_mm: Decimal
    is_nodal: bool = False
    in_field: bool = False


@dataclass(frozen=True, slots=True)
class TargetProposal:
    """Proposed targets and non-targets, with a reason for each decision."""

    targets: tuple[str, ...]
    non_targets: tuple[str, ...]
    not_recorded: tuple[str, ...]
    reasons: tuple[str, ...]
    rule_version: str


def propose_targets(
    candidates: Sequence[Candidate],
    *,
    rules: ResponseRules = RECIST_1_1_RULES,
    exclude_in_field: bool = False,
) -> TargetProposal:
    """Propose a target selection for a reader to confirm.

    Choosing among eligible lesions ("largest, reproducible, representative") is
    reader judgement (R11 §4.2); this helper only proposes the largest measurable
    lesions within the limits, keeping every organ represented first.

    Rules
    -----
    1. Measurable: non-nodal LD >= 10 mm, nodal SA >= 15 mm (R11 §3.1.1). Nodes with
       SA 10-15 mm are non-targets; < 10 mm are normal and not recorded (R11 §3.1.2).
    2. Per organ (nodes one organ) the 2 largest; then, round-robin over organs by
       their largest lesion, up to 5 in total; ties broken by id. If everything
       eligible fits, all are targets (R11 §4.2).
    3. Everything else is a non-target.
    """
    min_ld = rules.measurable_min_mm
    min_sa = rules.node_measurable_min_mm
    normal = rules.node_normal_below_mm
    reasons: list[str] = []
    eligible: list[Candidate] = []
    non_targets: list[str] = []
    skipped: list[str] = []
    for c in sorted(candidates, key=lambda x: x.lesion_id):
        size = c.size_mm
        if c.is_nodal and size < normal:
            skipped.append(c.lesion_id)
            reasons.append(f"{c.lesion_id}: node short axis {size} mm < {normal} mm: normal, not recorded")
        elif size < (min_sa if c.is_nodal else min_ld):
            non_targets.append(c.lesion_id)
            reasons.append(f"{c.lesion_id}: {size} mm is not measurable: non-target")
        elif exclude_in_field and c.in_field:
            non_targets.append(c.lesion_id)
            reasons.append(f"{c.lesion_id}: irradiated lesion excluded from targets: non-target")
        else:
            eligible.append(c)
    by_organ: dict[str, list[Candidate]] = {}
    for c in sorted(eligible, key=lambda x: (-x.size_mm, x.lesion_id)):
        by_organ.setdefault(_organ(c.organ, c.is_nodal), []).append(c)
    pool: list[list[Candidate]] = [lst[: rules.max_targets_per_organ] for lst in by_organ.values()]
    for lst in by_organ.values():
        for c in lst[rules.max_targets_per_organ:]:
            non_targets.append(c.lesion_id)
            reasons.append(f"{c.lesion_id}: already {rules.max_targets_per_organ} larger targets in "
                           f"{_organ(c.organ, c.is_nodal)}: non-target")
    pool.sort(key=lambda lst: (-lst[0].size_mm, lst[0].lesion_id))
    chosen: list[Candidate] = []
    rank = 0
    while len(chosen) < rules.max_targets and any(rank < len(lst) for lst in pool):
        for lst in pool:
            if rank < len(lst) and len(chosen) < rules.max_targets:
                chosen.append(lst[rank])
        rank += 1
    chosen_ids = {c.lesion_id for c in chosen}
    for lst in pool:
        for c in lst:
            if c.lesion_id not in chosen_ids:
                non_targets.append(c.lesion_id)
                reasons.append(f"{c.lesion_id}: {rules.max_targets} targets already chosen: non-target")
    for c in chosen:
        reasons.append(f"{c.lesion_id}: target ({c.size_mm} mm, {_organ(c.organ, c.is_nodal)})")
    return TargetProposal(
        targets=tuple(sorted(chosen_ids)),
        non_targets=tuple(sorted(non_targets)),
        not_recorded=tuple(skipped),
        reasons=tuple(reasons),
        rule_version=rules.version,
    )
