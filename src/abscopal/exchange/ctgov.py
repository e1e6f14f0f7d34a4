"""ClinicalTrials.gov API v2 study record → abscopal protocol draft.

The registry record says less than a protocol needs (no fractionation, no rules), so the import
produces a *draft* that validates, plus a report of everything that could not be mapped and every
default the importer had to choose. Registry text is kept verbatim; eligibility criteria are split
into items, each ``manual`` until someone writes a rule.

Field names follow the v2 ``protocolSection`` modules (identificationModule, statusModule,
sponsorCollaboratorsModule, designModule, armsInterventionsModule, outcomesModule,
eligibilityModule).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from abscopal.errors import Finding, InputError, ProtocolError
from abscopal.protocol import Protocol, parse_protocol

_PHASES = {
    (): "NA",
    ("NA",): "NA",
    ("EARLY_PHASE1",): "EARLY_PHASE1",
    ("PHASE1",): "PHASE1",
    ("PHASE2",): "PHASE2",
    ("PHASE3",): "PHASE3",
    ("PHASE4",): "PHASE4",
    ("PHASE1", "PHASE2"): "PHASE1_PHASE2",
    ("PHASE2", "PHASE3"): "PHASE2_PHASE3",
}
_ALLOCATION = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non_randomized", "NA": "na"}
_MODEL = {
    "SINGLE_GROUP": "single_group",
    "PARALLEL": "parallel",
    "SEQUENTIAL": "sequential",
    "CROSSOVER": "crossover",
    "FACTORIAL": "factorial",
}
_MASKING = {"NONE": "none", "SINGLE": "single", "DOUBLE": "double", "TRIPLE": "triple",
            "QUADRUPLE": "quadruple"}
_WHO_MASKED = {
    "PARTICIPANT": "participant",
    "CARE_PROVIDER": "care_provider",
    "INVESTIGATOR": "investigator",
    "OUTCOMES_ASSESSOR": "outcomes_assessor",
}
_ARM_TYPE = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active_comparator",
    "PLACEBO_COMPARATOR": "placebo_comparator",
    "SHAM_COMPARATOR": "placebo_comparator",
    "NO_INTERVENTION": "no_intervention",
    "OTHER": "other",
}
_PURPOSE = {"TREATMENT": "treatment", "PREVENTION": "prevention",
            "SUPPORTIVE_CARE": "supportive_care", "DIAGNOSTIC": "diagnostic"}
# Endpoint kind from the outcome measure's words; first match wins, order matters.
_ENDPOINT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"abscopal", "abscopal_response_rate"),
    (r"\bPFS ?2\b|second progression", "pfs2"),
    (r"progression[- ]free|\bPFS\b", "pfs"),
    (r"overall survival|\bOS\b", "os"),
    (r"cancer[- ]specific survival|\bCSS\b", "css"),
    (r"failure[- ]free|\bFFS\b", "ffs"),
    (r"recurrence[- ]free|relapse[- ]free|\bRFS\b", "rfs"),
    (r"duration of response|\bDoR\b", "dor"),
    (r"disease control|\bDCR\b", "dcr"),
    (r"objective response|overall response rate|\bORR\b", "orr"),
    (r"local control", "local_control"),
    (r"recurrence rate", "recurrence_rate"),
    (r"lymphopenia", "lymphopenia_grade2_at_timepoint"),
    (r"adverse event|toxicit|\bAEs?\b", "ae_incidence"),
    (r"quality of life|\bQoL\b", "qol"),
)
_HEADING = re.compile(r"^\s*(inclusion|exclusion)\s+criteria\s*:?\s*$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|[a-z][.)])\s+")


@dataclass
class ImportReport:
    """What the importer could not map, and what it assumed."""

    unmapped: list[Finding] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"unmapped: {f}" for f in self.unmapped] + [f"assumed: {a}" for a in self.assumed]


@dataclass(frozen=True)
class ImportResult:
    """A validated protocol draft (``protocol``), its plain document and the import report."""

    document: dict[str, Any]
    protocol: Protocol
    report: ImportReport


def slugify(text: str, *, prefix: str) -> str:
    """A protocol id from free text: lower-case words joined by '_', prefixed if needed."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48] or prefix
    return slug if slug[0].isalpha() else f"{prefix}_{slug}"


def split_criteria(text: str) -> list[tuple[str, str]]:
    """Split a registry eligibility block into ``(kind, verbatim item text)`` pairs.

    Rules: a heading line "Inclusion Criteria:" / "Exclusion Criteria:" switches the kind;
    a line starting with a bullet or a number starts an item; other non-blank lines continue the
    current item (joined with a newline, so the wording is kept). Items before any heading are
    taken as inclusion (reported by the caller).
    """
    items: list[tuple[str, list[str]]] = []
    kind = "inclusion"
    for raw in text.splitlines():
        if not raw.strip():
            continue
        heading = _HEADING.match(raw)
        if heading:
            kind = heading.group(1).lower()
            continue
        if _ITEM.match(raw) or not items or items[-1][0] != kind:
            items.append((kind, [_ITEM.sub("", raw, count=1).strip()]))
        else:
            items[-1][1].append(raw.strip())
    return [(k, "\n".join(lines)) for k, lines in items if "".join(lines).strip()]


def _date(struct: Any, path: str, report: ImportReport) -> str | None:
    if not isinstance(struct, Mapping) or not struct.get("date"):
        return None
    text = str(struct["date"])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        report.assumed.append(f"{path}: month-only date {text!r} taken as {text}-01")
        return f"{text}-01"
    report.unmapped.append(Finding(path, "a date YYYY-MM-DD or YYYY-MM", repr(text)))
    return None


def _identity(ps: Mapping[str, Any], report: ImportReport) -> dict[str, Any]:
    ident = ps.get("identificationModule", {})
    status = ps.get("statusModule", {})
    sponsor = ps.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {})
    design = ps.get("designModule", {})
    phases = tuple(design.get("phases", []))
    phase = _PHASES.get(phases)
    if phase is None:
        report.unmapped.append(Finding("designModule.phases", "a known phase list", repr(phases)))
        phase = "NA"
    count = design.get("enrollmentInfo", {}).get("count")
    if not isinstance(count, int) or count <= 0:
        report.unmapped.append(
            Finding("designModule.enrollmentInfo.count", "a positive integer", repr(count))
        )
        count = 1
        report.assumed.append("identity.target_enrolment: 1 (registry count missing)")
    out: dict[str, Any] = {
        "registry_id": ident.get("nctId"),
        "title": ident.get("officialTitle") or ident.get("briefTitle"),
        "phase": phase,
        "status": status.get("overallStatus", "UNKNOWN"),
        "sponsor": sponsor.get("name") or ident.get("organization", {}).get("fullName"),
        "target_enrolment": count,
        "conditions": list(ps.get("conditionsModule", {}).get("conditions", [])),
    }
    if ident.get("acronym"):
        out["acronym"] = ident["acronym"]
    for key, src in (("start_date", "startDateStruct"),
                     ("primary_completion_date", "primaryCompletionDateStruct"),
                     ("completion_date", "completionDateStruct")):
        value = _date(status.get(src), f"statusModule.{src}", report)
        if value:
            out[key] = value
    updated = _date(status.get("lastUpdatePostDateStruct"), "statusModule.lastUpdatePostDateStruct",
                    report)
    if updated:
        out["record_updated"] = updated
    return out


def _design(ps: Mapping[str, Any], report: ImportReport) -> dict[str, Any]:
    info = ps.get("designModule", {}).get("designInfo", {})
    allocation = _ALLOCATION.get(info.get("allocation", "NA"), "na")
    model = _MODEL.get(info.get("interventionModel", "SINGLE_GROUP"))
    if model is None:
        report.unmapped.append(Finding("designInfo.interventionModel", "a known model",
                                       repr(info.get("interventionModel"))))
        model = "single_group"
    mask = info.get("maskingInfo", {})
    level = _MASKING.get(mask.get("masking", "NONE"), "none")
    blinded = [_WHO_MASKED[w] for w in mask.get("whoMasked", []) if w in _WHO_MASKED]
    if level != "none" and not blinded:
        report.assumed.append("design.masking: level given without whoMasked; set to 'none'")
        level = "none"
    masking: dict[str, Any] = {"level": level, "blinded": blinded if level != "none" else []}
    if mask.get("maskingDescription"):
        masking["description"] = mask["maskingDescription"]
    return {
        "primary_purpose": _PURPOSE.get(info.get("primaryPurpose", "TREATMENT"), "other"),
        "allocation": allocation,
        "intervention_model": model,
        "masking": masking,
    }


def _interventions(ps: Mapping[str, Any], report: ImportReport) -> tuple[list[dict[str, Any]],
                                                                          dict[str, str]]:
    out: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for index, iv in enumerate(ps.get("armsInterventionsModule", {}).get("interventions", [])):
        name = str(iv.get("name", f"intervention {index + 1}"))
        kind = str(iv.get("type", "OTHER"))
        iv_id = slugify(name, prefix="iv")
        while iv_id in ids.values():
            iv_id += "_x"
        ids[f"{kind.title()}: {name}".lower()] = iv_id
        ids[name.lower()] = iv_id
        description = iv.get("description")
        if kind == "DRUG" or kind == "BIOLOGICAL":
            out.append({"kind": "drug", "id": iv_id, "name": name, "agent": name,
                        "dosing_note": description or "dose not stated in the registry record",
                        **({"description": description} if description else {})})
            report.unmapped.append(Finding(f"interventions[{index}].dose",
                                           "a structured dose (amount, unit, cycle)",
                                           "free text only"))
        else:
            out.append({"kind": "procedure", "id": iv_id, "name": name,
                        **({"description": description} if description else {})})
            if kind == "RADIATION":
                report.unmapped.append(Finding(
                    f"interventions[{index}]", "technique, target volume and fractionation "
                    "(write a 'radiation' intervention by hand)", "free text only"))
    return out, ids


def _arms(ps: Mapping[str, Any], ids: Mapping[str, str], allocation: str,
          report: ImportReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, arm in enumerate(ps.get("armsInterventionsModule", {}).get("armGroups", [])):
        label = str(arm.get("label", f"arm {index + 1}"))
        arm_id = slugify(label, prefix="arm")
        while arm_id in seen:
            arm_id += "_x"
        seen.add(arm_id)
        refs = []
        for ref in arm.get("interventionNames", []):
            key = str(ref).lower()
            target = ids.get(key) or ids.get(key.split(": ", 1)[-1])
            if target is None:
                report.unmapped.append(Finding(f"armGroups[{index}].interventionNames",
                                               "a name listed under interventions", repr(ref)))
            else:
                refs.append(target)
        item: dict[str, Any] = {
            "id": arm_id, "label": label, "type": _ARM_TYPE.get(arm.get("type", "OTHER"), "other"),
            "interventions": refs,
        }
        if arm.get("description"):
            item["description"] = arm["description"]
        if allocation == "randomized":
            item["assignment"] = {"kind": "randomised", "ratio": 1}
            report.assumed.append(f"arms[{index}].assignment.ratio: 1 (registry states no ratio)")
        out.append(item)
    return out


def _endpoints(ps: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    module = ps.get("outcomesModule", {})
    for level, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"),
                       ("exploratory", "otherOutcomes")):
        for index, outcome in enumerate(module.get(key, [])):
            title = str(outcome.get("measure", "")).strip() or f"{level} outcome {index + 1}"
            kind = next((k for pattern, k in _ENDPOINT_PATTERNS
                         if re.search(pattern, title, re.IGNORECASE)), "other")
            item: dict[str, Any] = {"id": f"{level[:3]}{index + 1:02d}", "level": level,
                                    "kind": kind, "title": title}
            if outcome.get("description"):
                item["description"] = outcome["description"]
            if outcome.get("timeFrame"):
                item["time_frame"] = outcome["timeFrame"]
            out.append(item)
    return out


def _eligibility(ps: Mapping[str, Any], report: ImportReport) -> list[dict[str, Any]]:
    text = str(ps.get("eligibilityModule", {}).get("eligibilityCriteria", ""))
    counters = {"inclusion": 0, "exclusion": 0}
    out = []
    for kind, item in split_criteria(text):
        counters[kind] += 1
        out.append({"id": f"{kind[:3]}{counters[kind]:02d}", "kind": kind, "text": item,
                    "manual": True,
                    "manual_reason": "imported from the registry record; no rule written yet"})
    if not out:
        report.unmapped.append(Finding("eligibilityModule.eligibilityCriteria",
                                       "criteria text", "empty"))
    return out


def import_ctgov_record(
    record: Any, *, source: str = "<record>", imported_on: dt.date | None = None
) -> ImportResult:
    """Map a ClinicalTrials.gov API v2 study record to a validated protocol draft.

    Raises
    ------
    InputError
        If the record is not a v2 study (no ``protocolSection``).
    ProtocolError
        If even the draft cannot be made valid (e.g. no arms or no outcomes in the record).
    """
    if not isinstance(record, Mapping) or not isinstance(record.get("protocolSection"), Mapping):
        raise InputError(f"{source}: expected a ClinicalTrials.gov API v2 study record with a "
                         f"'protocolSection' object (got {type(record).__name__})")
    ps = record["protocolSection"]
    report = ImportReport()
    design = _design(ps, report)
    interventions, ids = _interventions(ps, report)
    document: dict[str, Any] = {
        "schema_version": "1",
        "protocol_version": "0.1-draft",
        "identity": _identity(ps, report),
        "design": design,
        "interventions": interventions,
        "arms": _arms(ps, ids, design["allocation"], report),
        "eligibility": _eligibility(ps, report),
        "endpoints": _endpoints(ps),
        "assumptions": [
            {"path": "identity", "assumed": "draft imported from ClinicalTrials.gov",
             "why": f"imported on {(imported_on or dt.date.today()).isoformat()} from {source}; "
                    "review every "
                    "section before use"}
        ],
    }
    report.unmapped.append(Finding("assessments", "a visit schedule", "not in registry records"))
    try:
        protocol = parse_protocol(document, source=source)
    except ProtocolError as exc:
        raise ProtocolError(source, [*exc.findings, *report.unmapped]) from exc
    return ImportResult(document=document, protocol=protocol, report=report)
