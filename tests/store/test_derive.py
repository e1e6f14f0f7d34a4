"""The derivation seam: hooks registered per record type run on write, errors are kept."""

from __future__ import annotations

from typing import Any

from abscopal.errors import CriteriaError
from abscopal.protocol import parse_protocol_text
from abscopal.store.derive import (
    DerivationContext,
    DerivationRegistry,
    derive_cumulative_dose,
    derive_on_write,
)
from service_support import TEST_PROTOCOL

PROTOCOL = parse_protocol_text(TEST_PROTOCOL.read_text())


def ctx(record: dict[str, Any], others: list[dict[str, Any]] | None = None, kind: str = "labs") -> DerivationContext:
    return DerivationContext(kind, record, others or [], PROTOCOL)


def test_no_hooks_means_no_derived_value() -> None:
    assert DerivationRegistry().derive(ctx({"value": 1})) is None


def test_hooks_run_in_order_with_provenance() -> None:
    reg = DerivationRegistry()

    @derive_on_write("labs", registry=reg, rule_version="ctcae_v5")
    def grade(c: DerivationContext) -> dict[str, Any]:
        return {"grade": 2}

    out = reg.derive(ctx({"value": 1}))
    assert out is not None
    assert out["grade"]["value"] == {"grade": 2}
    assert out["grade"]["rule_version"] == "ctcae_v5" and out["grade"]["hook"] == "grade"


def test_domain_error_is_stored_not_raised() -> None:
    reg = DerivationRegistry()

    def bor(c: DerivationContext) -> dict[str, Any]:
        raise CriteriaError("no baseline assessment (RECIST 1.1 §4.1)")

    reg.register("lesion_assessments", bor)
    out = reg.derive(ctx({}, kind="lesion_assessments"))
    assert out is not None and out["bor"]["error"] == "no baseline assessment (RECIST 1.1 §4.1)"


def test_reregistering_a_name_replaces_the_hook() -> None:
    reg = DerivationRegistry()
    reg.register("labs", lambda c: {"v": 1}, name="h")
    reg.register("labs", lambda c: {"v": 2}, name="h")
    out = reg.derive(ctx({}))
    assert out is not None and out["h"]["value"] == {"v": 2}
    reg.unregister("labs", "h")
    assert not reg.has_hooks("labs")


def test_cumulative_dose_counts_same_target_up_to_this_fraction() -> None:
    others = [
        {"id": 1, "intervention_id": "seeds", "target": "liver", "fraction_number": 1, "dose_gy": 8.0},
        {"id": 2, "intervention_id": "seeds", "target": "lung", "fraction_number": 1, "dose_gy": 8.0},
        {"id": 4, "intervention_id": "seeds", "target": "liver", "fraction_number": 3, "dose_gy": 8.0},
    ]
    rec = {"id": 3, "intervention_id": "seeds", "target": "liver", "fraction_number": 2, "dose_gy": 7.5}
    assert derive_cumulative_dose(ctx(rec, others, "rt_deliveries")) == {
        "cumulative_dose_gy": 15.5, "fractions_counted": 2}
