"""Base model and small shared pieces of the protocol schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Base for every protocol model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=64)
"""Ids are short slugs so they can be referenced from other sections and from rules."""


class Assumption(StrictModel):
    """Something the registry record does not say, written down explicitly.

    Attributes
    ----------
    path : str
        The protocol field the assumption fills, e.g. ``assessments[0].every_days``.
    assumed : str
        What was assumed.
    why : str
        Why this was assumed (and whom to ask to confirm it).
    """

    path: str = Field(min_length=1)
    assumed: str = Field(min_length=1)
    why: str = Field(min_length=1)
