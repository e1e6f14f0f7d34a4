"""Base model and small shared pieces of the protocol schema."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from abscopal.errors import Finding


class StrictModel(BaseModel):
    """Base for every protocol model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=64)
"""Ids are short slugs so they can be referenced from other sections and from rules."""


class LocatedProblems(ValueError):
    """Raised by model validators to report problems at paths *relative to the model*.

    Pydantic keeps the exception in the error's context; the loader joins the model's own
    location with each finding's relative path, so a broken cross-reference is reported as
    ``arms[1].interventions[0]`` rather than at the document root.
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        super().__init__("; ".join(str(f) for f in self.findings))


def problem(path: str, expected: str, received: object) -> Finding:
    """A finding whose ``received`` is the ``repr`` of the value (``missing`` for None)."""
    text = "missing" if received is None else repr(received)
    return Finding(path, expected, text if len(text) <= 80 else text[:77] + "...")


def raise_if(findings: Sequence[Finding]) -> None:
    """Raise :class:`LocatedProblems` when ``findings`` is not empty."""
    if findings:
        raise LocatedProblems(findings)


class Assumption(StrictModel):
    """Something the registry record does not say, written down explicitly.

    Attributes
    ----------
    path : str
        The protocol field the assumption fills, e.g. ``assessments[0].every_days``. It must
        name a field of the model (checked on load), so an assumption cannot silently drift
        away from what it qualifies.
    assumed : str
        What was assumed.
    why : str
        Why this was assumed (and whom to ask to confirm it).
    """

    path: str = Field(min_length=1)
    assumed: str = Field(min_length=1)
    why: str = Field(min_length=1)
