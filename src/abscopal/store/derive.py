"""The derivation seam: hooks that recompute derived outcomes whenever a record is written.

The core engines (RECIST 1.1/iRECIST in ``abscopal.response``, CTCAE grading in
``abscopal.toxicity``, calendars in ``abscopal.calendar``) plug in here with
:func:`derive_on_write`; the store calls :meth:`DerivationRegistry.derive` inside the write
transaction and saves the result in the record's read-only ``derived`` column, so the derived value
and its provenance are audited together with the data they came from.

Rules
-----
1. Hooks are pure: they receive the record's image, the subject's other live records of the same
   type and the protocol version the record was captured under, and return a JSON-able mapping
   (or None for "nothing to derive").
2. Each result is stored under the hook's name with provenance: ``{"value": ..., "hook": name,
   "rule_version": ..., "computed_at": ...}``.
3. A hook raising an :class:`~abscopal.errors.AbscopalError` (e.g. a RECIST rule cannot be applied
   to incomplete data) does not block data capture: ``{"error": message}`` is stored instead.
   Any other exception is a bug and aborts the write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from abscopal.errors import AbscopalError
from abscopal.protocol import Protocol


@dataclass(frozen=True)
class DerivationContext:
    """What a hook sees.

    Attributes
    ----------
    record_type : str
        Table name, e.g. ``"lesion_assessments"``, ``"labs"``.
    record : Mapping
        The record's audited image (dates as ISO strings), without ``derived``.
    subject_records : Sequence of Mapping
        The subject's other live records of the same type, oldest first.
    protocol : Protocol
        The protocol version the record was captured under.
    """

    record_type: str
    record: Mapping[str, Any]
    subject_records: Sequence[Mapping[str, Any]]
    protocol: Protocol


DeriveHook = Callable[[DerivationContext], Mapping[str, Any] | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    rule_version: str
    hook: DeriveHook
    uses_history: bool = True


@dataclass
class DerivationRegistry:
    """Hooks per record type, run in registration order."""

    hooks: dict[str, list[_Registered]] = field(default_factory=dict)

    def register(
        self, record_type: str, hook: DeriveHook, *, name: str | None = None, rule_version: str = "1",
        uses_history: bool = True,
    ) -> None:
        """Register ``hook`` for ``record_type`` (a table name).

        ``uses_history=False`` declares that the hook reads only ``context.record``: when no hook of
        the record type needs it, ``subject_records`` is left empty and the subject's other
        records are not loaded (the per-write cost stays flat as a subject's records grow).
        """
        hook_name = str(name or getattr(hook, "__name__", "hook"))
        entries = self.hooks.setdefault(record_type, [])
        entries[:] = [e for e in entries if e.name != hook_name]
        entries.append(_Registered(hook_name, rule_version, hook, uses_history))

    def unregister(self, record_type: str, name: str) -> None:
        """Remove a hook by name (no error if absent)."""
        self.hooks[record_type] = [e for e in self.hooks.get(record_type, []) if e.name != name]

    def has_hooks(self, record_type: str) -> bool:
        return bool(self.hooks.get(record_type))

    def needs_history(self, record_type: str) -> bool:
        """Whether some hook of ``record_type`` reads the subject's other records."""
        return any(e.uses_history for e in self.hooks.get(record_type, []))

    def derive(self, context: DerivationContext) -> dict[str, Any] | None:
        """Run every hook for the context's record type; None when there are none."""
        entries = self.hooks.get(context.record_type, [])
        if not entries:
            return None
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        out: dict[str, Any] = {}
        for e in entries:
            try:
                value = e.hook(context)
            except AbscopalError as exc:
                out[e.name] = {"error": str(exc), "hook": e.name, "rule_version": e.rule_version,
                               "computed_at": now}
                continue
            if value is not None:
                out[e.name] = {"value": dict(value), "hook": e.name, "rule_version": e.rule_version,
                               "computed_at": now}
        return out or None


DEFAULT_REGISTRY = DerivationRegistry()


def derive_on_write(
    record_type: str, *, name: str | None = None, rule_version: str = "1",
    registry: DerivationRegistry = DEFAULT_REGISTRY,
) -> Callable[[DeriveHook], DeriveHook]:
    """Decorator: register a hook that recomputes a derived outcome when ``record_type`` is written.

    Examples
    --------
    >>> reg = DerivationRegistry()
    >>> @derive_on_write("labs", registry=reg)
    ... def doubled(ctx):
    ...     return {"twice": ctx.record["value"] * 2}
    >>> reg.has_hooks("labs")
    True
    """

    def decorate(hook: DeriveHook) -> DeriveHook:
        registry.register(record_type, hook, name=name, rule_version=rule_version)
        return hook

    return decorate


@derive_on_write("rt_deliveries", name="cumulative_dose", rule_version="1")
def derive_cumulative_dose(context: DerivationContext) -> Mapping[str, Any]:
    """Cumulative physical dose to this fraction for the same intervention and target.

    Rules
    -----
    1. Sum ``dose_gy`` over the subject's live deliveries with the same ``intervention_id`` and
       ``target`` and ``fraction_number`` <= this one, plus this one.
    """
    rec = context.record
    same = [
        r for r in context.subject_records
        if r["intervention_id"] == rec["intervention_id"] and r["target"] == rec["target"]
        and r["fraction_number"] <= rec["fraction_number"] and r["id"] != rec["id"]
    ]
    total = sum(float(r["dose_gy"]) for r in same) + float(rec["dose_gy"])
    return {"cumulative_dose_gy": round(total, 4), "fractions_counted": len(same) + 1}


__all__ = [
    "DEFAULT_REGISTRY",
    "DerivationContext",
    "DerivationRegistry",
    "DeriveHook",
    "derive_cumulative_dose",
    "derive_on_write",
]
