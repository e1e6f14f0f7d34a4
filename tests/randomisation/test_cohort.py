"""Cohort assignment by rule: NCT05628038 cohorts A and B."""

from __future__ import annotations

import pytest

from abscopal.datasets import load_trial
from abscopal.errors import InputError
from abscopal.randomisation import assign_cohort


@pytest.fixture(scope="module")
def nct05628038():  # type: ignore[no-untyped-def]
    return load_trial("NCT05628038")


@pytest.mark.parametrize(
    ("facts", "status", "arm_id"),
    [
        ({"prior_first_line_chemotherapy": False}, "assigned", "cohort_a"),
        ({"prior_first_line_chemotherapy": True,
          "progressed_after_first_line_chemotherapy": True}, "assigned", "cohort_b"),
        # Treated but not progressed: neither cohort (cannot be enrolled).
        ({"prior_first_line_chemotherapy": True,
          "progressed_after_first_line_chemotherapy": False}, "no_match", None),
        # Treated, progression unknown: ask for the missing fact.
        ({"prior_first_line_chemotherapy": True}, "unknown", None),
        ({}, "unknown", None),
    ],
)
def test_cohort_a_b(nct05628038, facts, status, arm_id) -> None:  # type: ignore[no-untyped-def]
    result = assign_cohort(nct05628038, facts)
    assert (result.status, result.arm_id) == (status, arm_id)


def test_unknown_lists_the_facts_to_collect(nct05628038) -> None:  # type: ignore[no-untyped-def]
    result = assign_cohort(nct05628038, {"prior_first_line_chemotherapy": True})
    assert result.missing_fields == ("progressed_after_first_line_chemotherapy",)


def test_trial_without_cohort_rules_is_refused() -> None:
    with pytest.raises(InputError, match="no arm assigned by cohort rule"):
        assign_cohort(load_trial("NCT07277777"), {})


def test_uncomparable_fact_is_an_input_error(nct05628038) -> None:  # type: ignore[no-untyped-def]
    from abscopal.protocol import Protocol

    data = nct05628038.model_dump(mode="json")
    data["arms"][0]["assignment"]["when"] = [{"field": "ecog", "op": "<=", "value": 1}]
    protocol = Protocol.model_validate(data)
    with pytest.raises(InputError, match="cannot be compared"):
        assign_cohort(protocol, {"ecog": "one"})
