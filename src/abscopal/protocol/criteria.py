"""Eligibility criteria as written in the registry, each automated by a rule or marked manual."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.eligibility.language import Rule
from abscopal.protocol._common import Identifier, StrictModel


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Criterion(StrictModel):
    """One eligibility criterion.

    ``text`` is the registry's wording verbatim. Exactly one of ``rule`` (a machine rule in the
    eligibility rule language, see ``abscopal.eligibility``) or ``manual: true`` with a
    ``manual_reason`` must be given.
    """

    id: str = Identifier
    kind: CriterionKind
    text: str = Field(min_length=1, description="Registry text, verbatim")
    rule: Rule | None = Field(
        default=None,
        description="Machine rule in the eligibility rule language (abscopal.eligibility), "
        "validated when the protocol loads",
    )
    manual: bool = False
    manual_reason: str | None = None

    @model_validator(mode="after")
    def _rule_or_manual(self) -> Criterion:
        if self.rule is None and not self.manual:
            raise ValueError("a criterion needs a 'rule' or 'manual: true' with a manual_reason")
        if self.rule is not None and self.manual:
            raise ValueError("a criterion cannot have both a 'rule' and 'manual: true'")
        if self.manual and not (self.manual_reason and self.manual_reason.strip()):
            raise ValueError("'manual: true' needs a manual_reason saying why it needs judgement")
        return self
