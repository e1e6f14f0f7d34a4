"""Eligibility criteria as written in the registry, each automated by a rule or marked manual."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, model_validator

from abscopal.eligibility.language import Rule
from abscopal.protocol._common import Identifier, StrictModel, problem, raise_if


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Criterion(StrictModel):
    """One eligibility criterion.

    ``text`` is the registry's wording verbatim, *including* the Markdown backslash escapes
    ClinicalTrials.gov stores (``\\<``, ``\\>``, ``\\^``): the file keeps exactly the characters of
    the record so it can be compared with it; :func:`display_text` removes the escapes for
    people. Exactly one of ``rule`` (a machine rule in the eligibility rule language, see
    ``abscopal.eligibility``) or ``manual: true`` with a ``manual_reason`` must be given.
    """

    id: str = Identifier
    kind: CriterionKind
    text: str = Field(min_length=1, description="Registry text, verbatim (Markdown escapes kept)")
    rule: Rule | None = Field(
        default=None,
        description="Machine rule in the eligibility rule language (abscopal.eligibility), "
        "validated when the protocol loads",
    )
    manual: bool = False
    manual_reason: str | None = None

    @model_validator(mode="after")
    def _rule_or_manual(self) -> Criterion:
        found = []
        if not self.text.strip():
            found.append(problem("text", "the registry text verbatim (not blank)", self.text))
        if self.rule is None and not self.manual:
            found.append(problem("rule", "a 'rule' or 'manual: true' with a manual_reason", None))
        if self.rule is not None and self.manual:
            found.append(problem("manual", "false when a 'rule' is given (not both)", True))
        if self.manual and not (self.manual_reason and self.manual_reason.strip()):
            found.append(
                problem("manual_reason", "why the criterion needs judgement (manual: true)",
                        self.manual_reason)
            )
        raise_if(found)
        return self


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^~|])")


def display_text(text: str) -> str:
    """Registry text with Markdown backslash escapes removed (``\\<`` -> ``<``).

    Examples
    --------
    >>> display_text(r"Neutrophil \\< 1.5×10\\^9/L")
    'Neutrophil < 1.5×10^9/L'
    """
    return _MD_ESCAPE.sub(r"\1", text)
