"""HTML forms from the API's own request schemas: field lists, parsing and per-field errors.

The web validates with exactly the pydantic models the REST API uses (``api.schemas``), so a
value the API would refuse is refused here with the same rule; the message is shown next to its
field and the typed input is kept.

Rules
-----
1. An empty text box means "not given" (the field is left out, so optional fields stay null
   and required ones report "Field required").
2. A checkbox is true when present in the submission.
3. A mapping field (``dose_metrics``) is typed as ``name=value`` pairs separated by ``;``.
4. Lesion rows are named ``lesion-<i>-<field>``; a row whose every box is empty is ignored.
5. A lesion's ``in_field`` is a select: "yes", "no" or empty (not recorded). When the caller may
   not see it (blinded), the form has no such box and the key is left out, so an edit keeps the
   stored value.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

LESION_FIELDS = ("lesion_label", "category", "organ", "is_nodal", "diameter_mm", "status", "in_field")
_IN_FIELD = {"yes": True, "no": False}


@dataclass(frozen=True)
class FieldSpec:
    """One input of a generated form."""

    name: str
    label: str
    input: str  # "text" | "number" | "date" | "select" | "checkbox" | "pairs"
    required: bool
    choices: tuple[str, ...] = ()
    step: str | None = None
    hint: str | None = None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated wrappers down to the base type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def form_fields(model: type[BaseModel], *, labels: Mapping[str, str] | None = None,
                hints: Mapping[str, str] | None = None,
                skip: Sequence[str] = ("version", "reason")) -> list[FieldSpec]:
    """The inputs of a form for ``model`` (a ``XCreate`` schema), in declaration order."""
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        base = _unwrap(info.annotation)
        label = (labels or {}).get(name, name.replace("_", " ").capitalize())
        hint = (hints or {}).get(name)
        required = info.is_required()
        if typing.get_origin(base) is Literal:
            out.append(FieldSpec(name, label, "select", required,
                                 tuple(str(a) for a in typing.get_args(base)), hint=hint))
        elif base is bool:
            out.append(FieldSpec(name, label, "checkbox", False, hint=hint))
        elif base is dt.date:
            out.append(FieldSpec(name, label, "date", required, hint=hint))
        elif base is int:
            out.append(FieldSpec(name, label, "number", required, step="1", hint=hint))
        elif base is float:
            out.append(FieldSpec(name, label, "number", required, step="any", hint=hint))
        elif typing.get_origin(base) is dict:
            out.append(FieldSpec(name, label, "pairs", required,
                                 hint=hint or "name=value pairs separated by ';', e.g. D90=120; V100=95"))
        else:
            out.append(FieldSpec(name, label, "text", required, hint=hint))
    return out


def _parse_pairs(text: str) -> dict[str, str] | str:
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            return f"write name=value pairs separated by ';' (got {part.strip()!r})"
        out[key.strip()] = value.strip()
    return out


def collect(fields: Sequence[FieldSpec], form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Raw values for the schema from a submission, plus errors found while parsing."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        raw = form.get(f.name, "")
        if f.input == "checkbox":
            values[f.name] = raw not in ("", "0", "false", "off")
        elif f.input == "pairs":
            parsed = _parse_pairs(raw)
            if isinstance(parsed, str):
                errors[f.name] = parsed
            elif parsed:
                values[f.name] = parsed
        elif raw.strip():
            values[f.name] = raw.strip()
    return values, errors


def _clean(message: str) -> str:
    return message[len("Value error, "):] if message.startswith("Value error, ") else message


def errors_by_field(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors keyed by form field name (lesion rows: ``lesion-<i>-<field>``)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if len(loc) >= 3 and loc[0] == "lesions":
            key = f"lesion-{loc[1]}-{loc[2]}"
        elif loc:
            key = loc[0]
        else:
            key = "__all__"
        out.setdefault(key, _clean(str(err.get("msg", "invalid"))))
    return out


def validate(model: type[BaseModel], values: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Validate with the API schema; (python values, {}) or (None, {field: message})."""
    try:
        obj = model.model_validate(dict(values))
    except ValidationError as exc:
        return None, errors_by_field(exc)
    return obj.model_dump(), {}


def collect_lesions(form: Mapping[str, str], *, rows: int) -> list[dict[str, Any]]:
    """Lesion rows of a lesion-assessment form (blank rows dropped, row numbers kept dense)."""
    out: list[dict[str, Any]] = []
    for i in range(rows):
        raw = {k: form.get(f"lesion-{i}-{k}", "").strip() for k in LESION_FIELDS}
        if not any(v for k, v in raw.items() if k not in ("category", "is_nodal", "in_field")):
            continue
        row: dict[str, Any] = {k: v for k, v in raw.items() if v and k not in ("is_nodal", "in_field")}
        row["is_nodal"] = raw["is_nodal"] not in ("", "0", "false", "off")
        if f"lesion-{i}-in_field" in form:
            row["in_field"] = _IN_FIELD.get(raw["in_field"].lower(), raw["in_field"] or None)
        out.append(row)
    return out


def echo_lesions(rows: Sequence[Mapping[str, Any]], *, minimum: int) -> list[dict[str, Any]]:
    """Rows to show in the form: the given ones padded with blanks to ``minimum``."""
    shown: list[dict[str, Any]] = [{k: ("" if r.get(k) is None else r.get(k)) for k in LESION_FIELDS} for r in rows]
    for r in shown:
        if isinstance(r["in_field"], bool):
            r["in_field"] = "yes" if r["in_field"] else "no"
    while len(shown) < minimum:
        shown.append({k: "" for k in LESION_FIELDS} | {"category": "target"})
    return shown


__all__ = [
    "LESION_FIELDS",
    "FieldSpec",
    "collect",
    "collect_lesions",
    "echo_lesions",
    "errors_by_field",
    "form_fields",
    "validate",
]
