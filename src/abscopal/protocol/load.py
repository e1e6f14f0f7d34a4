"""Parse and validate protocol documents, turning every problem into a located finding."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from abscopal.errors import Finding, ProtocolError
from abscopal.protocol._common import LocatedProblems
from abscopal.protocol.model import Protocol

# Tags of discriminated unions appear in pydantic's error locations; they are not paths.
_UNION_TAGS = frozenset(
    {
        "radiation",
        "drug",
        "procedure",
        "randomised",
        "cohort_rule",
        "all",
        "simon_two_stage",
        "safety_run_in",
        "investigator_review",
        "fisher_exact",
        "logrank",
        "unstated",
        # eligibility rule language node kinds (abscopal.eligibility.language.RULE_KINDS)
        "fact",
        "measurement",
        "age",
        "creatinine_clearance",
        "bsa",
        "event",
        "any",
        "not",
        "if",
    }
)


def format_location(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as ``arms[1].interventions[0].dose_per_fraction_gy``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _UNION_TAGS or part.startswith("function-"):
            continue
        else:
            out += f".{part}" if out else part
    return out or "(document)"


def _received(error: Mapping[str, Any]) -> str:
    if error.get("type") == "missing":
        return "missing"
    value = error.get("input")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expected(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "a valid value"))
    for prefix in ("Value error, ", "Input should be "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg[0].lower() + msg[1:] if msg else msg


def findings_from_validation(exc: ValidationError) -> list[Finding]:
    """Translate a pydantic ``ValidationError`` into findings with readable paths.

    Problems raised by model validators as :class:`LocatedProblems` keep their own paths,
    joined to the model's location.
    """
    findings = []
    errors = exc.errors(include_url=False)
    nested = {e["loc"][:n] for e in errors for n in range(len(e["loc"]))}
    for error in errors:
        # A list whose items failed is also reported "too short"; the item errors say it all.
        if error["type"] == "too_short" and error["loc"] in nested:
            continue
        located = error.get("ctx", {}).get("error")
        if isinstance(located, LocatedProblems):
            base = format_location(error["loc"])
            for f in located.findings:
                path = f.path if base == "(document)" else f"{base}.{f.path}"
                findings.append(Finding(path, f.expected, f.received))
            continue
        if error["type"] == "missing":
            expected = "this field (required)"
        elif error["type"] == "extra_forbidden":
            expected = "no such field (unknown key; check spelling)"
        else:
            expected = _expected(error)
        findings.append(Finding(format_location(error["loc"]), expected, _received(error)))
    return findings


def parse_protocol(document: Any, *, source: str = "<protocol>") -> Protocol:
    """Validate a parsed document (mapping) as a protocol.

    Raises
    ------
    ProtocolError
        With one finding per problem, each naming the path inside the document.
    """
    if not isinstance(document, Mapping):
        raise ProtocolError(
            source, [Finding("(document)", "a mapping at the top level", type(document).__name__)]
        )
    try:
        return Protocol.model_validate(document)
    except ValidationError as exc:
        raise ProtocolError(source, findings_from_validation(exc)) from exc


def parse_protocol_text(text: str, *, source: str = "<protocol>") -> Protocol:
    """Parse YAML (or JSON, a subset of YAML) text and validate it as a protocol.

    YAML is read with the safe loader: no tags, no code.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        raise ProtocolError(
            source, [Finding(where, "well-formed YAML", str(getattr(exc, "problem", exc)))]
        ) from exc
    return parse_protocol(document, source=source)


def dump_protocol(protocol: Protocol) -> str:
    """Serialise a protocol to YAML text that ``parse_protocol_text`` reads back equal.

    Every field is written, defaults included: union tags (``kind``, ``method``) have defaults
    yet are needed to read the document back, and an explicit file is easier to audit.
    """
    data = json.loads(protocol.model_dump_json(by_alias=True))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def protocol_json_schema() -> dict[str, Any]:
    """The JSON Schema of the protocol format."""
    return Protocol.model_json_schema()
