"""Shared type aliases: units live in the names."""

from __future__ import annotations

from typing import NewType

Gy = NewType("Gy", float)
Days = NewType("Days", int)
Mm = NewType("Mm", float)
SubjectId = NewType("SubjectId", str)
TrialId = NewType("TrialId", str)

__all__ = ["Days", "Gy", "Mm", "SubjectId", "TrialId"]
