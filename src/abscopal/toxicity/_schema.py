"""Typed building blocks of a CTCAE criteria table (the data lives in ``_ctcae_v5.py``).

A lab criterion is a list of *branches* (one per native unit, or one per baseline state for
the liver terms). A branch is a list of :class:`GradeRule` ordered from the highest grade down;
each rule holds one or more :class:`Condition` joined by "or" (CTCAE's ";").

Conditions are written in a tiny notation that is parsed with a regular expression (never
``eval``): ``"<0.8"`` (absolute), ``"<LLN"``, ``">ULN"``, ``">3.0xULN"``, ``">=1.5xbaseline"``;
alternatives are separated by ``" | "``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Ref(StrEnum):
    """What a threshold is relative to."""

    ABS = "abs"
    LLN = "LLN"
    ULN = "ULN"
    BASELINE = "baseline"


class Op(StrEnum):
    """Comparison operators that occur in CTCAE v5.0 lab text."""

    LT = "<"
    GT = ">"
    GE = ">="


@dataclass(frozen=True)
class Condition:
    """One numeric test: ``value <op> factor`` (absolute) or ``value <op> factor x ref``.

    Attributes
    ----------
    op : Op
        ``<``, ``>`` or ``>=``.
    factor : Decimal
        The absolute threshold (``ref`` = ABS) or the multiplier of LLN/ULN/baseline.
    ref : Ref
        ABS, LLN, ULN or baseline.
    """

    op: Op
    factor: Decimal
    ref: Ref

    def describe(self, unit: str | None = None) -> str:
        """Readable form, e.g. ``"value < 0.8 10^9/L"`` or ``"value > 3.0 x ULN"``."""
        if self.ref is Ref.ABS:
            return f"value {self.op.value} {self.factor}" + (f" {unit}" if unit else "")
        if self.factor == 1:
            return f"value {self.op.value} {self.ref.value}"
        return f"value {self.op.value} {self.factor} x {self.ref.value}"

    def __str__(self) -> str:
        return self.describe()


_COND = re.compile(
    r"^(?P<op><|>=|>)\s*(?:(?P<num>\d+(?:\.\d+)?)\s*(?:x\s*(?P<ref1>ULN|LLN|baseline))?"
    r"|(?P<ref2>ULN|LLN|baseline))$"
)


def parse_conditions(text: str) -> tuple[Condition, ...]:
    """Parse ``"<0.8"``, ``">3.0xULN | >3.0xbaseline"`` etc. into conditions.

    Raises
    ------
    ValueError
        If the notation is not recognised (a bug in the criteria table, caught at import).
    """
    out: list[Condition] = []
    for part in text.split("|"):
        m = _COND.match(part.strip())
        if m is None:
            raise ValueError(f"unrecognised CTCAE condition {part.strip()!r} in {text!r}")
        ref_name = m.group("ref1") or m.group("ref2")
        ref = Ref(ref_name) if ref_name else Ref.ABS
        num = m.group("num")
        out.append(Condition(op=Op(m.group("op")), factor=Decimal(num or "1"), ref=ref))
    return tuple(out)


@dataclass(frozen=True)
class GradeRule:
    """The numeric criteria of one grade cell (for one branch).

    Attributes
    ----------
    grade : int
        1-4.
    conditions : tuple of Condition
        Alternatives ("or"); the first one that holds is reported.
    review : str or None
        Why a result landing on this grade needs clinical review (overlapping numeric ranges,
        or a higher grade that only clinical facts can give), else None.
    """

    grade: int
    conditions: tuple[Condition, ...]
    review: str | None = None


@dataclass(frozen=True)
class Branch:
    """One set of grade rules: for one native unit, or for one baseline state.

    Attributes
    ----------
    name : str
        ``"10^9/L"``, ``"/mm^3"``, ``"baseline normal"``, ``"baseline abnormal"``, ``"any unit"``.
    unit : str or None
        The native unit the absolute thresholds are written in (pint syntax), or None when
        every threshold is a multiple of ULN/LLN/baseline (unit-free).
    rules : tuple of GradeRule
        Highest grade first.
    """

    name: str
    unit: str | None
    rules: tuple[GradeRule, ...]


@dataclass(frozen=True)
class Analyte:
    """A measured quantity and what is needed to convert its units.

    Attributes
    ----------
    name : str
        E.g. ``"Lymphocytes"``, ``"Corrected serum calcium"``.
    unit_family : str
        A unit (pint syntax) whose dimension every accepted unit must share, unless a molar
        mass allows mass <-> substance conversion.
    molar_mass_g_per_mol : Decimal or None
        For mass <-> molar conversion; None forbids it.
    valence : int or None
        For mEq/L (mmol/L = mEq/L / valence); None forbids mEq.
    examples : str
        Unit examples for error messages.
    """

    name: str
    unit_family: str
    molar_mass_g_per_mol: Decimal | None = None
    valence: int | None = None
    examples: str = ""


@dataclass(frozen=True)
class LabCriterion:
    """How one CTCAE term is graded from a lab value.

    Attributes
    ----------
    key : str
        Stable identifier, e.g. ``"lymphocyte_count_decreased"``.
    term : str
        The CTCAE term, verbatim.
    analyte : Analyte
        What is measured.
    branches : tuple of Branch
        Unit branches, or ``(baseline normal, baseline abnormal)`` when
        ``baseline_branches`` is true; empty for clinical-only terms.
    text : dict of int to str
        The NCI grade cells verbatim (grade -> text), "-" where the grade does not exist.
    baseline_branches : bool
        True for terms with v5.0's "if baseline was normal / abnormal" wording.
    clinical_only_reason : str or None
        Set when CTCAE defines no numeric thresholds (e.g. Hyperglycemia in v5.0).
    """

    key: str
    term: str
    analyte: Analyte
    branches: tuple[Branch, ...]
    text: dict[int, str] = field(default_factory=dict, hash=False, compare=False)
    baseline_branches: bool = False
    clinical_only_reason: str | None = None


@dataclass(frozen=True)
class TermSpec:
    """A CTCAE term for AE recording: its SOC and the grades it allows.

    Attributes
    ----------
    term : str
        Verbatim CTCAE term.
    soc : str
        MedDRA system organ class as printed in CTCAE.
    allowed_grades : tuple of int
        Grades whose cell is not "-".
    meddra_code : str or None
        MedDRA code when the source at hand states it; None otherwise (not guessed).
    """

    term: str
    soc: str
    allowed_grades: tuple[int, ...]
    meddra_code: str | None = None


def rules(*pairs: tuple[int, str] | tuple[int, str, str]) -> tuple[GradeRule, ...]:
    """Build grade rules from ``(grade, "cond | cond"[, review])`` tuples (highest first)."""
    out: list[GradeRule] = []
    for pair in pairs:
        review = pair[2] if len(pair) == 3 else None
        out.append(GradeRule(grade=pair[0], conditions=parse_conditions(pair[1]), review=review))
    grades = [r.grade for r in out]
    if grades != sorted(grades, reverse=True):
        raise ValueError(f"grade rules must be ordered highest first (got {grades})")
    return tuple(out)
