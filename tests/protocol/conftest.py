"""A small valid protocol document that the broken-protocol table mutates."""

from __future__ import annotations

import copy
from typing import Any

import pytest

MINIMAL: dict[str, Any] = {
    "identity": {
        "registry_id": "NCT00000001",
        "title": "Minimal two-arm RT + IO trial",
        "phase": "PHASE2",
        "status": "RECRUITING",
        "sponsor": "Test Centre",
        "target_enrolment": 40,
    },
    "design": {"allocation": "randomized", "intervention_model": "parallel"},
    "interventions": [
        {
            "kind": "radiation",
            "id": "sbrt",
            "name": "SBRT",
            "technique": "sbrt",
            "target_volume": "one metastasis",
            "regimens": [{"dose_per_fraction_gy": 8, "fractions": 3, "total_dose_gy": 24}],
            "delivery": {"weekdays_only": True, "max_span_days": 14},
        },
        {
            "kind": "drug",
            "id": "pd1",
            "name": "Anti-PD-1",
            "agent": "sintilimab",
            "dose": {"amount": 200, "unit": "mg"},
            "cycle_length_days": 21,
            "start": {"event": "rt_last_fraction", "offset_days": 1},
        },
    ],
    "arms": [
        {
            "id": "combo",
            "label": "SBRT + PD-1",
            "type": "experimental",
            "interventions": ["sbrt", "pd1"],
            "assignment": {"kind": "randomised", "ratio": 1},
        },
        {
            "id": "io",
            "label": "PD-1 alone",
            "type": "active_comparator",
            "interventions": ["pd1"],
            "assignment": {"kind": "randomised", "ratio": 1},
        },
    ],
    "eligibility": [
        {"id": "inc01", "kind": "inclusion", "text": "Age ≥ 18", "manual": True,
         "manual_reason": "test"},
    ],
    "endpoints": [{"id": "orr", "level": "primary", "kind": "orr", "title": "ORR"}],
}


@pytest.fixture
def minimal_doc() -> dict[str, Any]:
    """A fresh deep copy of the minimal valid protocol document."""
    return copy.deepcopy(MINIMAL)
