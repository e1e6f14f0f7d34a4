"""Factory for small test protocols (the five seed trials are tested separately)."""

from __future__ import annotations

from typing import Any

from abscopal.protocol import Protocol, parse_protocol


def protocol_document(criteria: list[dict[str, Any]], *, registry_id: str = "NCT00000001") -> dict[str, Any]:
    """A minimal valid protocol document with the given eligibility criteria."""
    return {
        "identity": {
            "registry_id": registry_id,
            "title": "Test trial",
            "phase": "PHASE2",
            "status": "RECRUITING",
            "sponsor": "Test sponsor",
            "target_enrolment": 10,
        },
        "design": {"allocation": "na", "intervention_model": "single_group"},
        "interventions": [
            {"kind": "procedure", "id": "proc", "name": "A procedure"},
        ],
        "arms": [
            {"id": "a", "label": "Arm A", "type": "experimental", "interventions": ["proc"]},
        ],
        "eligibility": criteria,
        "endpoints": [{"id": "orr", "level": "primary", "kind": "orr", "title": "ORR"}],
    }


def make_protocol(criteria: list[dict[str, Any]], *, registry_id: str = "NCT00000001") -> Protocol:
    return parse_protocol(protocol_document(criteria, registry_id=registry_id), source="test")


def inclusion(cid: str, rule: dict[str, Any], text: str = "criterion text") -> dict[str, Any]:
    return {"id": cid, "kind": "inclusion", "text": text, "rule": rule}


def exclusion(cid: str, rule: dict[str, Any], text: str = "criterion text") -> dict[str, Any]:
    return {"id": cid, "kind": "exclusion", "text": text, "rule": rule}
