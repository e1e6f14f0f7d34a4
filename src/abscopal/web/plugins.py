"""Seams for core engines that may not be installed yet: eligibility and CTCAE toxicity.

The screening page calls a :class:`ScreeningEvaluator`; the lab and AE forms call
:func:`grade_lab` and :func:`search_ae_terms`. Each uses the core engine when its package is
importable (``abscopal.eligibility``, ``abscopal.toxicity``) and otherwise says plainly that the
engine is missing — it never invents a result.

Rules
-----
1. Without the eligibility engine every criterion is "to confirm" with the protocol's text; data
   a criterion's machine rule refers to that were not entered are listed as missing.
2. With it, ``abscopal.eligibility.evaluate_protocol`` decides each criterion (met / not met /
   unknown / manual) and names the missing data. Measurements typed on the form are dated on
   the screening date, in the catalogue's unit, with the lab's LLN/ULN when given.
3. Labs are graded with ``abscopal.toxicity.grade_lab`` (``ctcae_v5``); the lab's ``test`` is the
   CTCAE term (e.g. "Lymphocyte count decreased").
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from abscopal.errors import AbscopalError
from abscopal.protocol import PATIENT_FIELDS, display_text
from abscopal.protocol import Protocol as TrialProtocol

CTCAE_VERSION = "ctcae_v5"


def _module(name: str) -> Any | None:
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


# --- screening --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputField:
    """One input of the screening form (a patient fact or a dated measurement)."""

    name: str
    label: str
    type: str  # bool | number | date | text | category
    unit: str | None = None
    group: str = "facts"


class ScreeningEvaluator(Protocol):
    """What the screening page needs from an eligibility engine."""

    @property
    def name(self) -> str: ...

    def input_fields(self) -> list[InputField]: ...

    def evaluate(self, protocol: TrialProtocol, answers: Mapping[str, Any], *,
                 as_of: dt.date) -> dict[str, Any]: ...


def _fact_fields() -> list[InputField]:
    return [InputField(f.name, f.description, f.type, f.unit) for f in PATIENT_FIELDS.values()
            if f.name != "consent_date"]


def _rule_refs(rule: Any) -> Iterator[str]:
    if isinstance(rule, Mapping):
        for key in ("field", "name", "fact", "measurement"):
            value = rule.get(key)
            if isinstance(value, str):
                yield value
        for value in rule.values():
            yield from _rule_refs(value)
    elif isinstance(rule, list | tuple):
        for item in rule:
            yield from _rule_refs(item)


def _summary(criteria: list[dict[str, Any]]) -> str:
    verdicts = {c["verdict"] for c in criteria}
    if "fail" in verdicts:
        return "not_eligible"
    if "to_confirm" in verdicts:
        return "to_confirm"
    return "eligible"


@dataclass(frozen=True)
class ProtocolTextEvaluator:
    """Fallback while ``abscopal.eligibility`` is absent (Rule 1)."""

    name: str = "protocol text (no eligibility engine installed)"

    def input_fields(self) -> list[InputField]:
        return _fact_fields()

    def evaluate(self, protocol: TrialProtocol, answers: Mapping[str, Any], *,
                 as_of: dt.date) -> dict[str, Any]:
        rows = []
        for c in protocol.eligibility:
            rule: Any = c.rule
            if rule is not None and hasattr(rule, "model_dump"):
                rule = rule.model_dump()
            refs = sorted(set(_rule_refs(rule))) if rule else []
            missing = [r for r in refs if answers.get(r) in (None, "")]
            rows.append({"id": c.id, "kind": c.kind.value, "text": display_text(c.text),
                         "status": "manual" if c.manual else "not evaluated",
                         "verdict": "to_confirm", "missing": missing, "values": [],
                         "reason": c.manual_reason})
        return {"status": _summary(rows), "engine": self.name, "criteria": rows}


@dataclass(frozen=True)
class EligibilityEngineEvaluator:
    """``abscopal.eligibility`` (Rule 2)."""

    module: Any
    name: str = "abscopal.eligibility"

    def input_fields(self) -> list[InputField]:
        fields = _fact_fields()
        for spec in getattr(self.module, "MEASUREMENTS", {}).values():
            label = getattr(spec, "label", spec.name)
            unit = getattr(spec, "unit", None)
            fields.append(InputField(f"m_{spec.name}", label, "number", unit, group="measurements"))
            if getattr(spec, "has_reference_range", False):
                fields.append(InputField(f"m_{spec.name}__lln", f"{label}: lower limit of normal", "number",
                                         unit, group="measurements"))
                fields.append(InputField(f"m_{spec.name}__uln", f"{label}: upper limit of normal", "number",
                                         unit, group="measurements"))
        return fields

    def evaluate(self, protocol: TrialProtocol, answers: Mapping[str, Any], *,
                 as_of: dt.date) -> dict[str, Any]:
        facts = {k: v for k, v in answers.items() if not k.startswith("m_") and v not in (None, "")}
        measurements = []
        for k, v in answers.items():
            if not k.startswith("m_") or "__" in k or v in (None, ""):
                continue
            row = {"name": k[2:], "value": v, "unit": getattr(self.module.MEASUREMENTS[k[2:]], "unit", None),
                   "date": as_of.isoformat()}
            for suffix, key in (("__lln", "ref_low"), ("__uln", "ref_high")):
                if answers.get(k + suffix) not in (None, ""):
                    row[key] = answers[k + suffix]
            measurements.append(row)
        patient = self.module.parse_patient({"patient_id": "screening", "facts": facts,
                                             "measurements": measurements})
        result = self.module.evaluate_protocol(protocol, patient, as_of=as_of)
        rows = [{"id": r.criterion_id, "kind": r.kind, "text": display_text(r.text),
                 "status": r.status.value, "verdict": r.verdict.value, "missing": list(r.missing),
                 "values": [f"{k}: {v}" for k, v in r.values], "reason": r.manual_reason}
                for r in result.criteria]
        return {"status": result.status.value, "engine": self.name, "criteria": rows}


def default_evaluator() -> ScreeningEvaluator:
    """The eligibility engine when installed, else the protocol-text fallback."""
    module = _module("abscopal.eligibility")
    if module is not None and hasattr(module, "evaluate_protocol"):
        return EligibilityEngineEvaluator(module)
    return ProtocolTextEvaluator()


# --- CTCAE ------------------------------------------------------------------------------------


def toxicity_available() -> bool:
    """Whether ``abscopal.toxicity`` (CTCAE grading) is installed."""
    return _module("abscopal.toxicity") is not None


def grade_lab(test: str, value: float, unit: str, *, lln: float | None,
              uln: float | None) -> dict[str, Any]:
    """The CTCAE grade of a lab value as the toxicity engine computes it (Rule 3)."""
    tox = _module("abscopal.toxicity")
    if tox is None:
        return {"grade": None, "text": "not graded: CTCAE grading (abscopal.toxicity) is not installed"}
    try:
        g = tox.grade_lab(test, value, unit, version=CTCAE_VERSION, lln=lln, uln=uln)
    except AbscopalError as exc:
        return {"grade": None, "text": f"not graded: {exc}"}
    if g.grade is None:
        return {"grade": None, "text": f"not graded: {g.not_gradable_reason}"}
    text = f"grade {g.grade} ({g.criteria_version}: {g.rule})"
    if g.needs_clinical_review:
        text += "; review: " + "; ".join(g.review_reasons)
    return {"grade": g.grade, "text": text}


def classify_lab_timepoint(labs: Sequence[tuple[dt.date, str, float, str, float | None, float | None]], *,
                           term: str, anchor_date: dt.date, offset_days: int, window_days: int,
                           min_grade: int) -> bool | None:
    """Grade >= ``min_grade`` of ``term`` at anchor + offset (± window), by the toxicity engine's
    ``classify_grade_at_timepoint`` (closest lab to the target day); None = not decidable.

    ``labs`` rows are (date, test, value, unit, LLN, ULN); rows of other tests are ignored.
    """
    tox = _module("abscopal.toxicity")
    if tox is None:
        return None
    graded = []
    for day, test, value, unit, lln, uln in labs:
        if test.strip().lower() != term.lower():
            continue
        try:
            result = tox.grade_lab(test, value, unit, version=CTCAE_VERSION, lln=lln, uln=uln)
        except AbscopalError:
            continue
        graded.append(tox.DatedLabGrade(day, result))
    outcome = tox.classify_grade_at_timepoint(
        graded, term=term, anchor_date=anchor_date, offset_days=offset_days,
        window_before_days=window_days, window_after_days=window_days, min_grade=min_grade)
    met: bool | None = outcome.met
    return met


def lab_terms() -> list[str]:
    """CTCAE terms graded from lab values (empty without the toxicity engine)."""
    tox = _module("abscopal.toxicity")
    if tox is None:
        return []
    return sorted({c.term for c in tox.load_criteria(CTCAE_VERSION).lab_criteria})


def search_ae_terms(query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """CTCAE AE terms containing ``query`` with their allowed grades."""
    tox = _module("abscopal.toxicity")
    if tox is None or not query.strip():
        return []
    q = query.strip().lower()
    hits = [t for t in tox.load_criteria(CTCAE_VERSION).terms if q in t.term.lower()]
    return [{"term": t.term, "soc": t.soc, "grades": list(t.allowed_grades)} for t in hits[:limit]]


def allowed_ae_grades(term: str) -> list[int] | None:
    """Grades a CTCAE term allows; None when the term or the engine is unknown."""
    tox = _module("abscopal.toxicity")
    if tox is None:
        return None
    try:
        return list(tox.find_term(term, version=CTCAE_VERSION).allowed_grades)
    except AbscopalError:
        return None


__all__ = [
    "CTCAE_VERSION",
    "EligibilityEngineEvaluator",
    "InputField",
    "ProtocolTextEvaluator",
    "ScreeningEvaluator",
    "allowed_ae_grades",
    "classify_lab_timepoint",
    "default_evaluator",
    "grade_lab",
    "lab_terms",
    "search_ae_terms",
    "toxicity_available",
]
