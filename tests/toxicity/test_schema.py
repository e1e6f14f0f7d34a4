"""The criteria notation is parsed by a regular expression and validated at import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from abscopal.toxicity._schema import Op, Ref, parse_conditions, rules


@pytest.mark.parametrize(("text", "expected"), [
    ("<0.8", [(Op.LT, Decimal("0.8"), Ref.ABS)]),
    ("<LLN", [(Op.LT, Decimal(1), Ref.LLN)]),
    (">3.0xULN", [(Op.GT, Decimal("3.0"), Ref.ULN)]),
    (">=1.5xbaseline", [(Op.GE, Decimal("1.5"), Ref.BASELINE)]),
    (">3.0xULN | >3.0xbaseline", [(Op.GT, Decimal("3.0"), Ref.ULN),
                                  (Op.GT, Decimal("3.0"), Ref.BASELINE)]),
])
def test_parse(text: str, expected: list[tuple[Op, Decimal, Ref]]) -> None:
    assert [(c.op, c.factor, c.ref) for c in parse_conditions(text)] == expected


@pytest.mark.parametrize("text", ["<=0.8", "0.8", "<x", "<0.8; >1", "__import__('os')"])
def test_parse_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="unrecognised CTCAE condition"):
        parse_conditions(text)


def test_rules_must_be_ordered_highest_first() -> None:
    with pytest.raises(ValueError, match="highest first"):
        rules((1, "<LLN"), (2, "<0.8"))


def test_describe() -> None:
    c = parse_conditions(">3.0xULN")[0]
    assert c.describe() == "value > 3.0 x ULN" and str(parse_conditions("<LLN")[0]) == \
        "value < LLN"
