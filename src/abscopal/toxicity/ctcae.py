"""CTCAE lab grading, one value at a time, in exact decimal arithmetic.

The criteria are data (``_ctcae_v5``); this module is the small engine that applies them.
See ``docs/guides/ctcae.md`` for every policy choice.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from abscopal.errors import InputError
from abscopal.toxicity import _ctcae_v5
from abscopal.toxicity._schema import Branch, Condition, LabCriterion, Op, Ref, TermSpec
from abscopal.toxicity.units import resolve_unit

SUPPORTED_VERSIONS = ("ctcae_v5",)


@dataclass(frozen=True)
class CriteriaTable:
    """One CTCAE version's criteria: lab criteria, AE term table, names that are not terms."""

    version: str
    version_key: str
    source: str
    lab_criteria: tuple[LabCriterion, ...]
    terms: tuple[TermSpec, ...]
    not_a_term: MappingProxyType[str, str]


def _build_v5() -> CriteriaTable:
    return CriteriaTable(
        version=_ctcae_v5.VERSION,
        version_key=_ctcae_v5.VERSION_KEY,
        source=_ctcae_v5.SOURCE,
        lab_criteria=_ctcae_v5.LAB_CRITERIA,
        terms=_ctcae_v5.TERMS,
        not_a_term=MappingProxyType(_ctcae_v5.NOT_A_TERM),
    )


_TABLES = {"ctcae_v5": _build_v5()}


def load_criteria(version: str) -> CriteriaTable:
    """Return the criteria table of a CTCAE version (``"ctcae_v5"``).

    Raises
    ------
    InputError
        If the version is not supported.
    """
    key = version.strip().lower() if isinstance(version, str) else version
    if key not in _TABLES:
        raise InputError(f"'version' must be one of {list(SUPPORTED_VERSIONS)} (got {version!r})")
    return _TABLES[key]


def _lab_index(table: CriteriaTable) -> dict[str, LabCriterion]:
    idx: dict[str, LabCriterion] = {}
    for c in table.lab_criteria:
        idx.setdefault(c.key, c)
        idx.setdefault(c.term.lower(), c)
        idx.setdefault(f"{c.term} ({c.analyte.name})".lower(), c)
    return idx


_LAB_INDEX = {k: _lab_index(t) for k, t in _TABLES.items()}


def find_lab_criterion(term: str, *, version: str) -> LabCriterion:
    """Look up the lab criterion for a CTCAE term (case-insensitive; key or verbatim name).

    ``"Hypocalcemia"`` is albumin-corrected serum calcium; ionized calcium is
    ``"Hypocalcemia (Ionized calcium)"`` or ``"hypocalcemia_ionized"``.

    Raises
    ------
    InputError
        If the term is unknown, is not graded from a lab value, or is not a v5.0 term.
    """
    table = load_criteria(version)
    if not isinstance(term, str) or not term.strip():
        raise InputError(f"'term' must be a CTCAE term name (got {term!r})")
    t = " ".join(term.split()).lower()
    found = _LAB_INDEX[table.version_key].get(t)
    if found is not None:
        return found
    if t in table.not_a_term:
        raise InputError(f"'term' {term!r} is not a {table.version} lab term: "
                         f"{table.not_a_term[t]}")
    if any(s.term.lower() == t for s in table.terms):
        raise InputError(f"'term' {term!r} is graded on clinical criteria in {table.version}, "
                         f"not from a lab value; record it as an AdverseEvent with its grade")
    names = sorted({c.term for c in table.lab_criteria})
    raise InputError(f"'term' must be a {table.version} lab term, one of {names} (got {term!r})")


@dataclass(frozen=True)
class LabGrade:
    """The CTCAE grade of one lab value, with how it was reached.

    Attributes
    ----------
    term : str
        CTCAE term, verbatim.
    criterion : str
        Criterion key (distinguishes corrected vs ionized calcium).
    analyte : str
        What was measured.
    grade : int or None
        Final grade: max(value grade, clinical grade); None = not gradable.
    value_grade : int or None
        Grade from the number alone (0 = no criterion met); None = not gradable.
    clinical_grade : int or None
        Grade supplied from clinical facts (transfusion, symptoms, ...), if any.
    not_gradable_reason : str or None
        Why ``value_grade`` is None (e.g. missing LLN), never a silent 0.
    grade_at_most : int or None
        When not gradable: the highest grade the value could still have.
    rule_id : str
        Stable identifier of the rule that fired, ``key|branch|G<n>|c<i>``.
    rule : str
        Readable description of the rule that fired.
    rule_text : str or None
        The NCI grade cell, verbatim, for the grade reached.
    branch : str or None
        Criteria branch used (native unit, or baseline normal/abnormal).
    needs_clinical_review : bool
        True when ranges overlap, the grade depends on clinical facts, or the value lies inside
        the lab's own reference range yet meets a CTCAE criterion.
    review_reasons : tuple of str
        Why review is needed.
    value : Decimal
        The value as reported.
    unit : str
        The unit as reported (LLN/ULN/baseline are in the same unit).
    graded_value : Decimal
        The value in the unit the criteria are written in.
    graded_unit : str or None
        That unit (None for unit-free multiple-of-ULN criteria).
    unit_converted : bool
        True when a conversion was applied.
    criteria_version : str
        E.g. ``"CTCAE v5.0"``.
    """

    term: str
    criterion: str
    analyte: str
    grade: int | None
    value_grade: int | None
    clinical_grade: int | None
    not_gradable_reason: str | None
    grade_at_most: int | None
    rule_id: str
    rule: str
    rule_text: str | None
    branch: str | None
    needs_clinical_review: bool
    review_reasons: tuple[str, ...]
    value: Decimal
    unit: str
    graded_value: Decimal
    graded_unit: str | None
    unit_converted: bool
    criteria_version: str

    @property
    def is_gradable(self) -> bool:
        """True when a final grade exists."""
        return self.grade is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (Decimals as strings)."""
        d = asdict(self)
        for k in ("value", "graded_value"):
            d[k] = str(d[k])
        d["review_reasons"] = list(self.review_reasons)
        return d


def to_decimal(name: str, x: object, *, allow_none: bool = False) -> Decimal | None:
    """Read a number exactly: floats through their shortest repr, strings as written.

    Raises
    ------
    InputError
        If ``x`` is not a finite number (or None when allowed).
    """
    if x is None or (isinstance(x, float) and math.isnan(x) and allow_none):
        if allow_none:
            return None
        raise InputError(f"'{name}' is required (got None)")
    if isinstance(x, bool):
        raise InputError(f"'{name}' must be a number (got {x!r})")
    try:
        if isinstance(x, Decimal):
            d = x
        elif isinstance(x, numbers.Integral):
            d = Decimal(int(x))
        elif isinstance(x, numbers.Real):
            d = Decimal(repr(float(x)))
        elif isinstance(x, str):
            d = Decimal(x.strip())
        else:
            raise InputError(f"'{name}' must be a number (got {x!r})")
    except InvalidOperation:
        raise InputError(f"'{name}' must be a number (got {x!r})") from None
    if not d.is_finite():
        raise InputError(f"'{name}' must be a finite number (got {x!r})")
    return d


def _holds(cond: Condition, v: Decimal, ref_value: Decimal) -> bool:
    threshold = cond.factor if cond.ref is Ref.ABS else cond.factor * ref_value
    if cond.op is Op.LT:
        return v < threshold
    if cond.op is Op.GT:
        return v > threshold
    return v >= threshold


@dataclass(frozen=True)
class BranchOutcome:
    grade: int | None  # None = not gradable
    rule_index: int | None
    cond_index: int | None
    missing: Ref | None


def evaluate_branch(branch: Branch, v: Decimal, refs: dict[Ref, Decimal | None]) -> BranchOutcome:
    """Apply one branch's rules, highest grade first; the first grade with a true condition wins.

    LLN/ULN are required: if a needed one is missing before any grade is reached the result is
    not gradable. A missing baseline only switches its conditions off (creatinine).
    """
    for ri, rule in enumerate(branch.rules):
        missing: Ref | None = None
        for ci, cond in enumerate(rule.conditions):
            if cond.ref is Ref.ABS:
                if _holds(cond, v, Decimal(0)):
                    return BranchOutcome(rule.grade, ri, ci, None)
                continue
            ref_value = refs.get(cond.ref)
            if ref_value is None:
                if cond.ref is not Ref.BASELINE and missing is None:
                    missing = cond.ref
                continue
            if _holds(cond, v, ref_value):
                return BranchOutcome(rule.grade, ri, ci, None)
        if missing is not None:
            return BranchOutcome(None, ri, None, missing)
    return BranchOutcome(0, None, None, None)


def _is_low_term(criterion: LabCriterion) -> bool:
    first = criterion.branches[0].rules[0].conditions[0]
    return first.op is Op.LT


def select_branch(criterion: LabCriterion, branch_index: int | None,
                  uln: Decimal | None, baseline: Decimal | None,
                  baseline_uln: Decimal | None = None) -> int:
    """Pick the branch: the unit branch, or v5.0's baseline normal (0) / abnormal (1).

    Baseline abnormal means baseline > the ULN of the baseline sample's lab (``baseline_uln``,
    falling back to the current ``uln``); otherwise the ULN branch is used.
    """
    if criterion.baseline_branches:
        ref = baseline_uln if baseline_uln is not None else uln
        return 1 if (baseline is not None and ref is not None and baseline > ref) else 0
    return branch_index if branch_index is not None else 0


def grade_lab(
    term: str,
    value: float | int | str | Decimal,
    unit: str,
    *,
    version: str,
    lln: float | int | str | Decimal | None = None,
    uln: float | int | str | Decimal | None = None,
    baseline: float | int | str | Decimal | None = None,
    baseline_uln: float | int | str | Decimal | None = None,
    is_baseline_record: bool = False,
    clinical_grade: int | None = None,
) -> LabGrade:
    """Grade one lab value with CTCAE.

    Parameters
    ----------
    term : str
        CTCAE term (case-insensitive), e.g. ``"Lymphocyte count decreased"``; for ionized
        calcium ``"Hypocalcemia (Ionized calcium)"``.
    value : number or decimal string
        Non-negative. Strings and Decimals are used exactly; floats through ``repr``.
    unit : str
        Unit of ``value`` and of ``lln``, ``uln``, ``baseline``, e.g. ``"10^9/L"``, ``"/mm3"``,
        ``"g/dL"``, ``"mmol/L"``, ``"umol/L"``, ``"U/L"``.
    version : str
        Criteria version; ``"ctcae_v5"``. Never implicit.
    lln, uln : number, optional
        The reporting lab's reference limits (same unit). Required where CTCAE uses them.
    baseline : number, optional
        The subject's baseline value (same unit): last non-missing pre-treatment value.
    baseline_uln : number, optional
        ULN of the lab that measured the baseline (same unit), used only to decide whether the
        baseline was abnormal (liver terms); defaults to ``uln``.
    is_baseline_record : bool
        True when ``value`` *is* the baseline: it is graded against LLN/ULN only.
    clinical_grade : int, optional
        Grade from clinical facts (e.g. 3 for "transfusion indicated"); the final grade is the
        higher of this and the value grade (CTCAE ";" means "or").

    Returns
    -------
    LabGrade

    Raises
    ------
    InputError
        Unknown term or version, negative or non-numeric value, bad limits, bad clinical grade.
    UnitError
        Unknown unit, or a unit of the wrong dimension for the analyte.

    Rules
    -----
    1. "<A - B" cells: the value belongs to the grade whose cell lists the lower number
       (value == A is the lower grade); ">a - b x ULN": the upper number is inclusive
       (CTCAE v5.0 text; spec §1).
    2. A value exactly at LLN or ULN is grade 0.
    3. Absolute thresholds apply whatever the lab's LLN/ULN (value 0.75 x 10^9/L with LLN 0.7
       is lymphocyte G2) and such cases are flagged for review.
    4. Liver terms: baseline > ULN selects the "x baseline" criteria (v5.0 "if baseline was
       abnormal"); otherwise the "x ULN" criteria. The baseline record itself uses ULN.
    5. Creatinine: the "x baseline" and "x ULN" criteria are alternatives; the higher grade wins.
    6. Missing LLN/ULN where needed gives "not gradable" unless an absolute threshold already
       grades the value.
    7. Exact decimal arithmetic: creatinine 1.8 mg/dL with ULN 1.2 is G1 (1.5 x 1.2 = 1.8).

    Examples
    --------
    >>> grade_lab("Lymphocyte count decreased", "0.8", "10^9/L", version="ctcae_v5", lln=1.0).grade
    1
    >>> grade_lab("Creatinine increased", 1.8, "mg/dL", version="ctcae_v5", uln=1.2).grade
    1
    """
    table = load_criteria(version)
    criterion = find_lab_criterion(term, version=version)
    v = to_decimal("value", value)
    assert v is not None
    if v < 0:
        raise InputError(f"'value' must be >= 0 for {criterion.term!r} (got {value!r})")
    res = resolve_unit(criterion, unit)
    lln_d = to_decimal("lln", lln, allow_none=True)
    uln_d = to_decimal("uln", uln, allow_none=True)
    base_d = to_decimal("baseline", baseline, allow_none=True)
    buln_d = to_decimal("baseline_uln", baseline_uln, allow_none=True)
    if lln_d is not None and lln_d < 0:
        raise InputError(f"'lln' must be >= 0 (got {lln!r})")
    if uln_d is not None and uln_d <= 0:
        raise InputError(f"'uln' must be > 0 (got {uln!r})")
    if lln_d is not None and uln_d is not None and lln_d > uln_d:
        raise InputError(f"'lln' must not exceed 'uln' (got lln={lln!r}, uln={uln!r})")
    if base_d is not None and base_d <= 0:
        raise InputError(f"'baseline' must be > 0 (got {baseline!r})")
    if buln_d is not None and buln_d <= 0:
        raise InputError(f"'baseline_uln' must be > 0 (got {baseline_uln!r})")
    spec = next((s for s in table.terms if s.term == criterion.term), None)
    if clinical_grade is not None:
        allowed = (0, *(spec.allowed_grades if spec else (1, 2, 3, 4, 5)))
        if isinstance(clinical_grade, bool) or clinical_grade not in allowed:
            raise InputError(f"'clinical_grade' for {criterion.term!r} must be one of "
                             f"{list(allowed)} (got {clinical_grade!r})")
    if is_baseline_record:
        base_d = None
    return _grade_resolved(table, criterion, v, str(unit), res.branch_index, res.factor,
                           res.native_unit, res.converted, lln_d, uln_d, base_d, clinical_grade,
                           baseline_uln=buln_d)


@dataclass(frozen=True)
class ExactOutcome:
    """The decimal engine's verdict for one value (shared by the scalar and batch graders)."""

    branch: Branch
    outcome: BranchOutcome
    graded_value: Decimal
    rule_id: str
    at_most: int | None
    within_reference_range: bool


def exact_outcome(
    criterion: LabCriterion, branch_index: int | None, factor: Decimal, v: Decimal,
    lln: Decimal | None, uln: Decimal | None, baseline: Decimal | None,
    baseline_uln: Decimal | None = None,
) -> ExactOutcome:
    """Convert to the native unit, pick the branch and evaluate it, all in Decimal."""
    gv = v * factor
    lln_n = None if lln is None else lln * factor
    uln_n = None if uln is None else uln * factor
    base_n = None if baseline is None else baseline * factor
    buln_n = None if baseline_uln is None else baseline_uln * factor
    bi = select_branch(criterion, branch_index, uln_n, base_n, buln_n)
    branch = criterion.branches[bi]
    out = evaluate_branch(branch, gv, {Ref.LLN: lln_n, Ref.ULN: uln_n, Ref.BASELINE: base_n})
    prefix = f"{criterion.key}|{branch.name}"
    if out.grade is None:
        assert out.missing is not None and out.rule_index is not None
        return ExactOutcome(branch, out, gv, f"{prefix}|NG:{out.missing.value}",
                            branch.rules[out.rule_index].grade, False)
    if out.grade == 0:
        return ExactOutcome(branch, out, gv, f"{prefix}|G0", None, False)
    return ExactOutcome(branch, out, gv, f"{prefix}|G{out.grade}|c{out.cond_index}", None,
                        _within_reference_range(criterion, gv, lln_n, uln_n))


def _grade_resolved(
    table: CriteriaTable, criterion: LabCriterion, v: Decimal, unit: str,
    branch_index: int | None, factor: Decimal, native_unit: str | None, converted: bool,
    lln: Decimal | None, uln: Decimal | None, baseline: Decimal | None,
    clinical_grade: int | None, *, baseline_uln: Decimal | None = None,
) -> LabGrade:
    key = criterion.key
    common: dict[str, Any] = dict(
        term=criterion.term, criterion=key, analyte=criterion.analyte.name,
        clinical_grade=clinical_grade, value=v, unit=unit, criteria_version=table.version,
    )
    if criterion.clinical_only_reason is not None:
        rule = f"clinical only: {criterion.clinical_only_reason}"
        return LabGrade(
            grade=clinical_grade, value_grade=None,
            not_gradable_reason=criterion.clinical_only_reason, grade_at_most=None,
            rule_id=f"{key}|clinical-only", rule=rule,
            rule_text=criterion.text.get(clinical_grade) if clinical_grade else None,
            branch=None, needs_clinical_review=True,
            review_reasons=(criterion.clinical_only_reason,), graded_value=v,
            graded_unit=None, unit_converted=False, **common,
        )
    ex = exact_outcome(criterion, branch_index, factor, v, lln, uln, baseline, baseline_uln)
    branch, out, gv = ex.branch, ex.outcome, ex.graded_value
    reasons: list[str] = []
    rule_text: str | None = None
    at_most: int | None = ex.at_most
    reason: str | None = None
    rule_id = ex.rule_id
    if out.grade is None:
        assert out.missing is not None
        reason = (f"missing {out.missing.value}: {criterion.term} grade {at_most} and below "
                  f"need the lab's {out.missing.value}")
        rule = f"not gradable ({branch.name}): {reason}"
    elif out.grade == 0:
        rule = f"G0 ({branch.name}): no {table.version} grade criterion met"
    else:
        assert out.rule_index is not None and out.cond_index is not None
        grule = branch.rules[out.rule_index]
        cond = grule.conditions[out.cond_index]
        rule_text = criterion.text.get(grule.grade)
        rule = (f"G{grule.grade} ({branch.name}): {cond.describe(branch.name)}; "
                f"NCI G{grule.grade}: '{rule_text}'")
        if grule.review:
            reasons.append(grule.review)
        if ex.within_reference_range:
            side = f"LLN {lln}" if _is_low_term(criterion) else f"ULN {uln}"
            reasons.append(f"value is inside the lab's reference range ({side} {unit}) yet meets "
                           f"a {table.version} criterion; graded literally")
    value_grade = out.grade
    if value_grade is not None:
        grade: int | None = max(value_grade, clinical_grade or 0)
    elif clinical_grade is not None and at_most is not None and clinical_grade >= at_most:
        grade = clinical_grade
    else:
        grade = None
    if grade is not None and clinical_grade is not None and clinical_grade > (value_grade or 0):
        rule_text = criterion.text.get(clinical_grade)
        rule += f"; raised to G{clinical_grade} by clinical criteria"
    return LabGrade(
        grade=grade, value_grade=value_grade, not_gradable_reason=reason,
        grade_at_most=at_most, rule_id=rule_id, rule=rule, rule_text=rule_text,
        branch=branch.name, needs_clinical_review=bool(reasons), review_reasons=tuple(reasons),
        graded_value=gv, graded_unit=native_unit, unit_converted=converted, **common,
    )


def compute_corrected_calcium_mg_dl(
    calcium_mg_dl: float | str | Decimal, *, albumin_g_dl: float | str | Decimal,
    normal_albumin_g_dl: float | str | Decimal = "4.0",
) -> Decimal:
    """Albumin-corrected serum calcium (Payne): Ca + 0.8 x (normal albumin - albumin).

    CTCAE v5.0 grades Hypo-/Hypercalcemia on corrected calcium but gives no formula; Payne
    (BMJ 1973) is the usual choice, and the normal albumin (4.0 g/dL) is a parameter.

    Examples
    --------
    >>> compute_corrected_calcium_mg_dl("7.6", albumin_g_dl="2.5")
    Decimal('8.80')
    """
    ca = to_decimal("calcium_mg_dl", calcium_mg_dl)
    alb = to_decimal("albumin_g_dl", albumin_g_dl)
    ref = to_decimal("normal_albumin_g_dl", normal_albumin_g_dl)
    assert ca is not None and alb is not None and ref is not None
    if ca < 0 or alb < 0:
        raise InputError(f"'calcium_mg_dl' and 'albumin_g_dl' must be >= 0 "
                         f"(got {calcium_mg_dl!r}, {albumin_g_dl!r})")
    return ca + Decimal("0.8") * (ref - alb)


def _within_reference_range(criterion: LabCriterion, v: Decimal, lln: Decimal | None,
                            uln: Decimal | None) -> bool:
    if _is_low_term(criterion):
        return lln is not None and v >= lln
    return uln is not None and v <= uln


__all__ = [
    "SUPPORTED_VERSIONS",
    "CriteriaTable",
    "compute_corrected_calcium_mg_dl",
    "LabGrade",
    "evaluate_branch",
    "find_lab_criterion",
    "grade_lab",
    "load_criteria",
    "select_branch",
    "to_decimal",
]
