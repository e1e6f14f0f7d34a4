"""A minimal protocol factory for design checks (tests/design and tests/cli)."""

from __future__ import annotations

from typing import Any

from abscopal.protocol import Protocol

NCT06439888_TEXT = (
    "At a one-sided level of statistical significance of 0.07, the randomization of 52 patients "
    "(26 patients in each arm) will provide 85% power to detect a decrease in this rate to 15% in "
    "the SBRT+ATRA arm, using Fisher's exact test."
)


def minimal_protocol(statistical_design: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "identity": {
            "registry_id": "NCT06439888",
            "title": "SBRT with or without ATRA (design-check fixture)",
            "phase": "PHASE1_PHASE2",
            "status": "RECRUITING",
            "sponsor": "test",
            "target_enrolment": 52,
        },
        "design": {"allocation": "randomized", "intervention_model": "parallel"},
        "interventions": [{"id": "sbrt", "name": "ATRA", "kind": "drug", "agent": "tretinoin",
                           "dosing_note": "fixture"}],
        "arms": [
            {"id": "a", "label": "SBRT + ATRA", "type": "experimental", "interventions": ["sbrt"],
             "assignment": {"kind": "randomised"}},
            {"id": "b", "label": "SBRT", "type": "active_comparator", "interventions": ["sbrt"],
             "assignment": {"kind": "randomised"}},
        ],
        "eligibility": [{"id": "age", "kind": "inclusion", "text": "Adults", "manual": True,
                         "manual_reason": "fixture"}],
        "endpoints": [{"id": "lymphopenia", "level": "primary",
                       "kind": "lymphopenia_grade2_at_timepoint", "title": "Lymphopenia G2+"}],
        "statistical_design": statistical_design,
    }


NCT06439888_FISHER = {
    "method": "fisher_exact", "endpoint": "lymphopenia", "p_control": 0.5, "p_treatment": 0.15,
    "alpha": 0.07, "sides": 1, "power": 0.85, "n_per_arm": 26, "registry_text": NCT06439888_TEXT,
}


def make_protocol(designs: list[dict[str, Any]]) -> Protocol:
    return Protocol.model_validate(minimal_protocol(designs))
