"""ClinicalTrials.gov API v2 study record → abscopal protocol draft.

The registry record says less than a protocol needs (no fractionation, no rules), so the import
produces a *draft* that validates, plus a report of everything that could not be mapped and every
default the importer had to choose. Registry text is kept verbatim; eligibility criteria are split
into items, each ``manual`` until someone writes a rule. Every default the importer chooses is
also written into the draft's ``assumptions`` section, so the draft documents itself.

Field names follow the v2 ``protocolSection`` modules (identificationModule, statusModule,
sponsorCollaboratorsModule, designModule, armsInterventionsModule, outcomesModule,
eligibilityModule). The mapping is described in docs/guides/import.md.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from abscopal.errors import Finding, InputError, ProtocolError
from abscopal.protocol import Protocol, parse_protocol

_PHASES = {
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
# Endpoint kind from the outcome measure's words; first match wins, order matters
# ("overall response rate (OS)" in NCT06076135 is an OS endpoint: the abbreviation decides).
ENDPOINT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"abscopal", "abscopal_response_rate"),
    (r"\bPFS ?2\b|second progression", "pfs2"),
    (r"progression[- ]free|\bPFS\b", "pfs"),
    (r"overall survival|\bOS\b", "os"),
    (r"cancer[- ]specific survival|\bCSS\b", "css"),
    (r"failure[- ]free|\bFFS\b", "ffs"),
    (r"recurrence[- ]free|relapse[- ]free|\bRFS\b|risk of (?:recurrence|relapse)", "rfs"),
    (r"duration of (?:the )?response|\bDoR\b", "dor"),
    (r"disease control|\bDCR\b", "dcr"),
    (r"objective response|overall response rate|tumou?r response|\bORR\b", "orr"),
    (r"local control", "local_control"),
    (r"recurrence rate", "recurrence_rate"),
    (r"lymphopenia", "lymphopenia_grade2_at_timepoint"),
    (r"adverse event|toxicit|\bAEs?\b|\bsafety\b", "ae_incidence"),
    (r"quality of life|\bQoL\b", "qol"),
)
# Radiation technique from an intervention's *name* (never its description, which may say
# "no local radiotherapy"); first match wins.
TECHNIQUE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(?:125I|I-?125|iodine[- ]125)\b|\bseed (?:implant|brachytherapy)", "i125_seed_implant"),
    (r"intestinal low[- ]dose|\bILDR\b", "intestinal_low_dose_rt"),
    (r"\bSBRT\b|\bSABR\b|stereotactic", "sbrt"),
    (r"hypofractionat", "hypofractionated_ebrt"),
)
# v2 intervention types and the label used in armGroups[].interventionNames ("Drug: X").
_TYPE_LABELS = {
    "Drug": "DRUG", "Biological": "BIOLOGICAL", "Radiation": "RADIATION",
    "Procedure": "PROCEDURE", "Device": "DEVICE", "Behavioral": "BEHAVIORAL",
    "Genetic": "GENETIC", "Dietary Supplement": "DIETARY_SUPPLEMENT",
    "Combination Product": "COMBINATION_PRODUCT", "Diagnostic Test": "DIAGNOSTIC_TEST",
    "Other": "OTHER",
}
# Registry types under which a radiation course may be filed (NCT07277777 files its seed
# implant as OTHER); the name then decides (classify_radiation_technique).
_MAY_BE_RADIATION = frozenset({"RADIATION", "PROCEDURE", "DEVICE", "OTHER", "COMBINATION_PRODUCT"})
_NOT_STATED = "not stated in the registry record"

_HEADING = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:key\s+)?(inclusion|exclusion)\s+criteria\s*:?\s*$", re.IGNORECASE
)
# An item marker: a bullet, "1." / "1)" / "(1)" or "a." / "a)". A number may touch its text
# ("1.Age") but never a digit, so "1.5 × ULN" or "2.5 ULN" at the start of a line continue the
# item before them.
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)"
    r"(?:[-*•▪◦]\s+|\d{1,3}[.)](?:\s+|(?=[^\d\s.)]))|\(\d{1,3}\)\s*|[a-z][.)]\s+)"
)


@dataclass
class ImportReport:
    """What the importer could not map, and what it assumed.

    ``assumed`` holds one line per default (``"<protocol path>: <what>"``); the same defaults
    are in the draft's ``assumptions`` with the reason.
    """

    unmapped: list[Finding] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    assumptions: list[dict[str, str]] = field(default_factory=list)

    def assume(self, path: str, assumed: str, why: str) -> None:
        """Record a default at protocol path ``path`` (report line and draft assumption)."""
        self.assumed.append(f"{path}: {assumed}")
        self.assumptions.append({"path": path, "assumed": assumed, "why": why})

    def lines(self) -> list[str]:
        return [f"unmapped: {f}" for f in self.unmapped] + [f"assumed: {a}" for a in self.assumed]


@dataclass(frozen=True)
class ImportResult:
    """A validated protocol draft (``protocol``), its plain document and the import report."""

    document: dict[str, Any]
    protocol: Protocol
    report: ImportReport


def slugify(text: str, *, prefix: str) -> str:
    """A protocol id from free text: lower-case words joined by '_', prefixed if needed.

    Compatibility characters are folded first (NFKC), so "Stage Ⅱ" gives ``stage_ii``.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    slug = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:48] or prefix
    return slug if slug[0].isalpha() else f"{prefix}_{slug}"


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


def classify_endpoint_kind(title: str) -> str:
    """The endpoint kind an outcome title names, or ``"other"``.

    Rules
    -----
    1. The patterns of :data:`ENDPOINT_PATTERNS` are tried in order, case-insensitively; the
       first that matches decides. Specific names come first (abscopal response, PFS2) so that
       they are not taken for their general forms (response rate, PFS).
    2. An abbreviation in the title counts like the words ("(OS)" → ``os``), so a title whose
       words and abbreviation disagree is classified by whichever pattern comes first.

    Examples
    --------
    >>> classify_endpoint_kind("progression-free survival (PFS)")
    'pfs'
    >>> classify_endpoint_kind("Antidepressant Efficacy")
    'other'
    """
    return next((kind for pattern, kind in ENDPOINT_PATTERNS
                 if re.search(pattern, title, re.IGNORECASE)), "other")


def classify_radiation_technique(name: str) -> str | None:
    """The radiation technique an intervention name states, or None.

    Rules
    -----
    1. Only the name is read; descriptions may mention radiotherapy an arm does *not* get.
    2. :data:`TECHNIQUE_PATTERNS` are tried in order; "125I"/"I-125"/"seed implant" means a
       permanent I-125 seed implant, "intestinal low dose"/"ILDR" intestinal low-dose RT,
       "SBRT"/"SABR"/"stereotactic" SBRT, "hypofractionated" hypofractionated EBRT.
    3. Plain "radiotherapy" names no technique (None).

    Examples
    --------
    >>> classify_radiation_technique("125I Seed Implantation")
    'i125_seed_implant'
    >>> classify_radiation_technique("Radiotherapy") is None
    True
    """
    return next((kind for pattern, kind in TECHNIQUE_PATTERNS
                 if re.search(pattern, name, re.IGNORECASE)), None)


def split_criteria(text: str) -> list[tuple[str, str]]:
    """Split a registry eligibility block into ``(kind, verbatim item text)`` pairs.

    Rules
    -----
    1. A heading line "Inclusion Criteria:" / "Exclusion Criteria:" (colon optional, "Key"
       allowed, a bullet before it tolerated as on ClinConnect pages) switches the kind; lines
       before any heading are inclusion (the caller reports it).
    2. In a section with item markers (``*``, ``-``, ``•``, ``1.``, ``1)``, ``(1)``, ``a.``), a
       marker at the section's outermost indentation starts an item; a marker indented deeper
       is a sub-item and stays, marker and all, in its parent item.
    3. Other lines continue the current item, stripped of indentation and joined with a newline;
       a blank line inside an item is kept as one blank line (the record's paragraph break).
    4. A number followed by a digit is not a marker ("1.5 × ULN" continues an item).
    5. In a section with no markers at all, each non-blank line is an item.

    Examples
    --------
    >>> split_criteria("Inclusion Criteria:\\n* a\\n  * a1\\nExclusion Criteria:\\n1. b")
    [('inclusion', 'a\\n* a1'), ('exclusion', 'b')]
    """
    sections: list[tuple[str, list[str]]] = [("inclusion", [])]
    for raw in text.splitlines():
        heading = _HEADING.match(raw)
        if heading:
            sections.append((heading.group(1).lower(), []))
        else:
            sections[-1][1].append(raw)
    out: list[tuple[str, str]] = []
    for kind, lines in sections:
        out.extend((kind, item) for item in _section_items(lines))
    return out


def _section_items(lines: Sequence[str]) -> list[str]:
    markers = [m for m in map(_ITEM.match, lines) if m]
    if not markers:
        return [line.strip() for line in lines if line.strip()]
    base = min(len(m.group("indent").expandtabs(4)) for m in markers)
    items: list[list[str]] = []
    for raw in lines:
        marker = _ITEM.match(raw)
        if marker and len(marker.group("indent").expandtabs(4)) <= base:
            items.append([raw[marker.end():].strip()])
        elif not raw.strip():
            if items:
                items[-1].append("")
        elif items:
            items[-1].append(raw.strip())
        else:
            items.append([raw.strip()])
    texts = [re.sub(r"\n{3,}", "\n\n", "\n".join(item)).strip() for item in items]
    return [t for t in texts if t]


def _date(struct: Any, *, source: str, path: str, report: ImportReport) -> str | None:
    if not isinstance(struct, Mapping) or not struct.get("date"):
        return None
    text = str(struct["date"])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        report.assume(path, f"{text}-01 (first day of the month)",
                      f"the registry gives a month only ({source} {text!r})")
        return f"{text}-01"
    report.unmapped.append(Finding(source, "a date YYYY-MM-DD or YYYY-MM", repr(text)))
    return None


def _identity(ps: Mapping[str, Any], report: ImportReport) -> dict[str, Any]:
    ident = ps.get("identificationModule", {})
    status = ps.get("statusModule", {})
    sponsors = ps.get("sponsorCollaboratorsModule", {})
    design = ps.get("designModule", {})
    title = ident.get("officialTitle") or ident.get("briefTitle")
    if not title:
        title = f"{ident.get('nctId', 'study')} (no title in the registry record)"
        report.unmapped.append(Finding("identificationModule.briefTitle", "a title", "missing"))
        report.assume("identity.title", f"{title!r}", "the registry record has no title")
    phases = tuple(design.get("phases") or ())
    phase = _PHASES.get(phases)
    if phase is None:
        report.unmapped.append(Finding("designModule.phases", "a known phase list",
                                       repr(list(phases)) if phases else "missing"))
        report.assume("identity.phase", "left empty", "the registry record states no phase "
                      "(or one abscopal does not know); fill it in from the protocol")
    overall = status.get("overallStatus")
    if not overall:
        overall = "UNKNOWN"
        report.assume("identity.status", "UNKNOWN", "the registry record states no status")
    sponsor = (sponsors.get("leadSponsor", {}).get("name")
               or ident.get("organization", {}).get("fullName")
               or sponsors.get("responsibleParty", {}).get("investigatorFullName"))
    if not sponsor:
        sponsor = _NOT_STATED
        report.unmapped.append(Finding("sponsorCollaboratorsModule.leadSponsor.name",
                                       "the lead sponsor", "missing"))
        report.assume("identity.sponsor", repr(_NOT_STATED), "the registry record names no sponsor")
    count = design.get("enrollmentInfo", {}).get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
        report.unmapped.append(Finding("designModule.enrollmentInfo.count", "a positive integer",
                                       repr(count) if count is not None else "missing"))
        report.assume("identity.target_enrolment", "left empty",
                      "the registry record states no enrolment target")
        count = None
    out: dict[str, Any] = {
        "registry_id": ident.get("nctId"),
        "title": title,
        "phase": phase,
        "status": overall,
        "sponsor": sponsor,
        "target_enrolment": count,
        "conditions": list(ps.get("conditionsModule", {}).get("conditions", [])),
    }
    if ident.get("acronym"):
        out["acronym"] = ident["acronym"]
    for key, src in (("start_date", "startDateStruct"),
                     ("primary_completion_date", "primaryCompletionDateStruct"),
                     ("completion_date", "completionDateStruct"),
                     ("record_updated", "lastUpdatePostDateStruct")):
        value = _date(status.get(src), source=f"statusModule.{src}", path=f"identity.{key}",
                      report=report)
        if value:
            out[key] = value
    return out


def _design(ps: Mapping[str, Any], report: ImportReport) -> dict[str, Any]:
    info = ps.get("designModule", {}).get("designInfo", {})
    why = "the registry record's designModule.designInfo does not state it"
    for key, path, default in (("allocation", "design.allocation", "na"),
                               ("interventionModel", "design.intervention_model", "single_group"),
                               ("primaryPurpose", "design.primary_purpose", "treatment"),
                               ("maskingInfo", "design.masking.level", "none")):
        if not info.get(key):
            report.assume(path, repr(default), why)
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
        report.assume("design.masking.level", "'none' (level given without whoMasked)",
                      "abscopal needs to know who is blinded; the record does not say")
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


def _intervention(index: int, iv: Mapping[str, Any], iv_id: str,
                  report: ImportReport) -> dict[str, Any]:
    name = str(iv.get("name") or f"intervention {index + 1}")
    kind = str(iv.get("type", "OTHER"))
    description = iv.get("description")
    described = {"description": description} if description else {}
    if kind in ("DRUG", "BIOLOGICAL"):
        report.unmapped.append(Finding(f"interventions[{index}].dose",
                                       "a structured dose (amount, unit, cycle)", "free text only"))
        return {"kind": "drug", "id": iv_id, "name": name, "agent": name,
                "dosing_note": description or "dose not stated in the registry record",
                **described}
    technique = classify_radiation_technique(name) if kind in _MAY_BE_RADIATION else None
    if technique is None:
        if kind == "RADIATION":
            report.unmapped.append(Finding(
                f"interventions[{index}]", "technique, target volume and fractionation "
                "(write a 'radiation' intervention by hand)", "free text only"))
        return {"kind": "procedure", "id": iv_id, "name": name, **described}
    report.assume(f"interventions[{index}].technique", repr(technique),
                  f"read from the intervention name {name!r} (registry type {kind})")
    report.assume(f"interventions[{index}].target_volume", repr(_NOT_STATED),
                  "the registry record has no structured target volume")
    report.unmapped.append(Finding(
        f"interventions[{index}].regimens", "a structured dose (fractionation or implant "
        "prescription) and target volume", "free text only"))
    out: dict[str, Any] = {
        "kind": "radiation", "id": iv_id, "name": name, **described, "technique": technique,
        "target_volume": _NOT_STATED,
        "dose_note": description or "dose not stated in the registry record",
    }
    if technique == "i125_seed_implant":
        out["isotope"] = "I-125"
    return out


def _interventions(ps: Mapping[str, Any], report: ImportReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for index, iv in enumerate(ps.get("armsInterventionsModule", {}).get("interventions", [])):
        name = str(iv.get("name") or f"intervention {index + 1}")
        out.append(_intervention(index, iv, _unique(slugify(name, prefix="iv"), taken), report))
    if not out:
        report.unmapped.append(Finding("armsInterventionsModule.interventions",
                                       "at least one intervention", "missing"))
        report.assume("interventions[0]", f"a placeholder procedure {_NOT_STATED!r}",
                      "the registry record lists no interventions; write them by hand")
        out.append({"kind": "procedure", "id": "unstated_intervention", "name": _NOT_STATED})
    return out


def _parse_reference(ref: str) -> tuple[str | None, str]:
    """``"Drug: Name"`` → ``("DRUG", "Name")``; a reference without a known type label → None."""
    for label, kind in _TYPE_LABELS.items():
        if ref.lower().startswith(label.lower() + ": "):
            return kind, ref[len(label) + 2:]
    return None, ref


def _resolve(ref: str, label: str, records: Sequence[Mapping[str, Any]]) -> list[int]:
    kind, name = _parse_reference(ref)
    named = [i for i, iv in enumerate(records) if str(iv.get("name", "")).lower() == name.lower()]
    typed = [i for i in named if kind is None or records[i].get("type") == kind] or named
    if len(typed) > 1:  # the same name twice (NCT07277777): the arm labels decide
        own = [i for i in typed if label in records[i].get("armGroupLabels", [])]
        typed = own or typed
    return typed


def _arms(ps: Mapping[str, Any], interventions: Sequence[Mapping[str, Any]], allocation: str,
          report: ImportReport) -> list[dict[str, Any]]:
    module = ps.get("armsInterventionsModule", {})
    records = module.get("interventions", [])
    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for index, arm in enumerate(module.get("armGroups", [])):
        label = str(arm.get("label") or f"arm {index + 1}")
        refs: list[str] = []
        for ref in arm.get("interventionNames", []):
            found = _resolve(str(ref), label, records)
            if not found:
                report.unmapped.append(Finding(f"armGroups[{index}].interventionNames",
                                               "a name listed under interventions", repr(ref)))
                continue
            if len(found) > 1:
                report.assume(f"arms[{index}].interventions",
                              f"{ref!r} taken as the first of {len(found)} interventions so named",
                              "the record names several interventions alike and its arm labels "
                              "do not tell them apart")
            refs.append(str(interventions[found[0]]["id"]))
        item: dict[str, Any] = {
            "id": _unique(slugify(label, prefix="arm"), taken), "label": label,
            "type": _ARM_TYPE.get(arm.get("type", "OTHER"), "other"), "interventions": refs,
        }
        if arm.get("description"):
            item["description"] = arm["description"]
        if allocation == "randomized":
            item["assignment"] = {"kind": "randomised", "ratio": 1}
            report.assume(f"arms[{index}].assignment.ratio", "1 (registry states no ratio)",
                          "v2 records carry no allocation ratio; check the protocol")
        out.append(item)
    if not out:
        report.unmapped.append(Finding("armsInterventionsModule.armGroups", "at least one arm",
                                       "missing"))
        report.assume("arms[0]", "one placeholder arm 'All participants' with every intervention",
                      "the registry record lists no arms; write them by hand")
        out.append({"id": "all_participants", "label": "All participants", "type": "other",
                    "interventions": [str(iv["id"]) for iv in interventions]})
    return out


def _endpoints(ps: Mapping[str, Any], report: ImportReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    module = ps.get("outcomesModule", {})
    for level, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"),
                       ("exploratory", "otherOutcomes")):
        for index, outcome in enumerate(module.get(key, [])):
            title = str(outcome.get("measure", "")).strip() or f"{level} outcome {index + 1}"
            item: dict[str, Any] = {"id": f"{level[:3]}{index + 1:02d}", "level": level,
                                    "kind": classify_endpoint_kind(title), "title": title}
            if outcome.get("description"):
                item["description"] = outcome["description"]
            if outcome.get("timeFrame"):
                item["time_frame"] = outcome["timeFrame"]
            out.append(item)
    if not out:
        report.unmapped.append(Finding("outcomesModule.primaryOutcomes",
                                       "at least one outcome measure", "missing"))
        report.assume("endpoints[0]", f"a placeholder primary endpoint {_NOT_STATED!r}",
                      "the registry record has no outcome measures; take the endpoints from "
                      "the protocol (the summary may name them)")
        out.append({"id": "pri01", "level": "primary", "kind": "other", "title": _NOT_STATED})
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
        report.assume("eligibility", "left empty", "the registry record has no eligibility "
                      "criteria; screening cannot run until they are written")
    return out


def import_ctgov_record(
    record: Any, *, source: str = "<record>", imported_on: dt.date | None = None
) -> ImportResult:
    """Map a ClinicalTrials.gov API v2 study record to a validated protocol draft.

    Rules
    -----
    1. Identity, design, arms, interventions, outcomes and eligibility text are mapped as in
       docs/guides/import.md; registry wording is copied verbatim.
    2. Whatever the record lacks becomes an empty field (phase, enrolment, eligibility) or a
       clearly named placeholder (title, sponsor, arm, intervention, endpoint), listed in
       ``report.unmapped`` and written into the draft's ``assumptions``.
    3. The visit schedule (``assessments``) is never in a registry record and is always
       reported as unmapped.

    Raises
    ------
    InputError
        If the record is not a v2 study (no ``protocolSection``).
    ProtocolError
        If even the draft cannot be made valid (e.g. a randomised record with a single arm).
    """
    if not isinstance(record, Mapping) or not isinstance(record.get("protocolSection"), Mapping):
        raise InputError(f"{source}: expected a ClinicalTrials.gov API v2 study record with a "
                         f"'protocolSection' object (got {type(record).__name__})")
    ps = record["protocolSection"]
    report = ImportReport()
    report.assumptions.append({
        "path": "identity", "assumed": "draft imported from ClinicalTrials.gov",
        "why": f"imported on {(imported_on or dt.date.today()).isoformat()} from {source}; "
               "review every section before use"})
    identity = _identity(ps, report)
    design = _design(ps, report)
    interventions = _interventions(ps, report)
    arms = _arms(ps, interventions, design["allocation"], report)
    eligibility = _eligibility(ps, report)
    endpoints = _endpoints(ps, report)
    report.unmapped.append(Finding("assessments", "a visit schedule", "not in registry records"))
    document: dict[str, Any] = {
        "schema_version": "1",
        "protocol_version": "0.1-draft",
        "identity": identity,
        "design": design,
        "interventions": interventions,
        "arms": arms,
        "eligibility": eligibility,
        "endpoints": endpoints,
        "assumptions": report.assumptions,
    }
    try:
        protocol = parse_protocol(document, source=source)
    except ProtocolError as exc:
        raise ProtocolError(source, [*exc.findings, *report.unmapped]) from exc
    return ImportResult(document=document, protocol=protocol, report=report)
