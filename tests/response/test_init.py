"""The public API of abscopal.response: a sorted __all__ whose every name exists."""

from __future__ import annotations

import abscopal.response as response


def test_all_is_sorted_and_complete() -> None:
    assert response.__all__ == sorted(response.__all__)
    missing = [name for name in response.__all__ if not hasattr(response, name)]
    assert missing == []


def test_rule_tables_are_named_by_version() -> None:
    assert response.RULES["recist_1_1"] is response.RECIST_1_1_RULES
    assert response.RULES["irecist"] is response.IRECIST_RULES
