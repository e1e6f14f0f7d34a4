"""Vectorised CTCAE lab grading of a table (numpy), agreeing row for row with :func:`grade_lab`.

Strategy: each (term, unit) group is graded with float64 numpy comparisons. Comparisons that
float64 cannot be trusted with (products such as ``1.5 * 1.2``, or anything after a unit
conversion) mark a row as "near" when its value lies within a relative ``1e-9`` of the
threshold; near rows are re-graded with the exact decimal engine shared with the scalar grader.
Away from thresholds float64 and decimal comparisons agree, so the result equals the scalar
grader's on every row (tested property).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from abscopal.errors import InputError, MissingColumnError
from abscopal.toxicity._schema import Branch, LabCriterion, Op, Ref
from abscopal.toxicity.ctcae import (
    CriteriaTable,
    ExactOutcome,
    exact_outcome,
    find_lab_criterion,
    load_criteria,
)
from abscopal.toxicity.units import resolve_unit

REQUIRED_COLUMNS = ("term", "value", "unit")
OPTIONAL_COLUMNS = ("lln", "uln", "baseline", "baseline_uln", "is_baseline_record",
                    "clinical_grade")
NEAR_RELATIVE = 1e-9
_WITHIN = "value is inside the lab's reference range yet meets a CTCAE criterion; graded literally"

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class _Codes:
    """Interns rule ids so each row stores a small integer."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.review: list[str] = []
        self.describe: list[str] = []

    def code(self, rule_id: str, *, review: str = "", describe: str = "") -> int:
        found = self.index.get(rule_id)
        if found is None:
            found = len(self.ids)
            self.index[rule_id] = found
            self.ids.append(rule_id)
            self.review.append(review)
            self.describe.append(describe)
        return found


def _near(v: FloatArray, t: FloatArray | float) -> BoolArray:
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(v), np.abs(t))
        out: BoolArray = np.abs(v - t) <= NEAR_RELATIVE * scale
    return out


def _compare(op: Op, v: FloatArray, t: FloatArray | float) -> BoolArray:
    with np.errstate(invalid="ignore"):
        if op is Op.LT:
            return np.less(v, t)
        if op is Op.GT:
            return np.greater(v, t)
        return np.greater_equal(v, t)


def _eval_branch(
    criterion: LabCriterion, branch: Branch, v: FloatArray, refs: dict[Ref, FloatArray],
    codes: _Codes, table: CriteriaTable, *, exact_unit: bool,
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Vector twin of ``ctcae.evaluate_branch``: (grade or -1, code, at_most or -1, near).

    With no unit conversion (``exact_unit``), comparing a value with an absolute threshold or
    with LLN/ULN itself is exact in float64 (shortest-repr decimals keep their order), so only
    products such as ``1.5 x ULN`` can differ from decimal arithmetic and mark rows as near.
    """
    n = v.shape[0]
    grade = np.zeros(n, dtype=np.int64)
    at_most = np.full(n, -1, dtype=np.int64)
    code = np.full(n, codes.code(f"{criterion.key}|{branch.name}|G0",
                                 describe=f"G0 ({branch.name}): no {table.version} grade "
                                          f"criterion met"), dtype=np.int64)
    decided = np.zeros(n, dtype=np.bool_)
    near = np.zeros(n, dtype=np.bool_)
    for rule in branch.rules:
        open_ = ~decided
        hit = np.zeros(n, dtype=np.bool_)
        missing = np.zeros(n, dtype=np.bool_)
        for ci, cond in enumerate(rule.conditions):
            t: FloatArray | float
            if cond.ref is Ref.ABS:
                t = float(cond.factor)
            else:
                r = refs[cond.ref]
                t = float(cond.factor) * r
                if cond.ref is not Ref.BASELINE:
                    missing |= np.isnan(r)
            h = _compare(cond.op, v, t)
            if not exact_unit or (cond.ref is not Ref.ABS and cond.factor != 1):
                near |= _near(v, t)
            first = open_ & h & ~hit
            text = criterion.text.get(rule.grade)
            code[first] = codes.code(
                f"{criterion.key}|{branch.name}|G{rule.grade}|c{ci}", review=rule.review or "",
                describe=f"G{rule.grade} ({branch.name}): {cond.describe(branch.name)}; "
                         f"NCI G{rule.grade}: '{text}'")
            hit |= h
        got = open_ & hit
        grade[got] = rule.grade
        decided |= got
        ng = open_ & ~hit & missing
        if ng.any():
            ref_name = next(c.ref.value for c in rule.conditions
                            if c.ref in (Ref.LLN, Ref.ULN) and np.isnan(refs[c.ref][ng]).any())
            grade[ng] = -1
            at_most[ng] = rule.grade
            code[ng] = codes.code(
                f"{criterion.key}|{branch.name}|NG:{ref_name}",
                describe=f"not gradable ({branch.name}): missing {ref_name}")
            decided |= ng
    return grade, code, at_most, near


def _float_column(df: pd.DataFrame, name: str) -> FloatArray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    raw = df[name]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        out: FloatArray = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        return out
    col = pd.to_numeric(raw, errors="coerce")
    candidates = (col.isna() & raw.notna()).to_numpy()
    if candidates.any():  # only non-numeric cells need the (slow) string check
        texts = raw[candidates].astype(str).str.strip()
        bad_texts = texts[texts != ""]
        if len(bad_texts):
            raise InputError(f"column {name!r} must be numeric; rows {list(bad_texts.index[:5])} "
                             f"hold {list(raw[bad_texts.index][:5])}")
    out = col.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _check(ok: BoolArray, df: pd.DataFrame, name: str, expectation: str, values: Any) -> None:
    if not ok.all():
        bad = ~ok
        rows = list(df.index[bad][:5])
        raise InputError(f"column {name!r} must be {expectation}; rows {rows} hold "
                         f"{np.asarray(values, dtype=object)[bad][:5].tolist()}")


def grade_labs(labs: pd.DataFrame, *, version: str) -> pd.DataFrame:
    """Grade every row of a lab table with CTCAE, vectorised.

    Parameters
    ----------
    labs : pandas.DataFrame
        Required columns ``term``, ``value``, ``unit``; optional ``lln``, ``uln``,
        ``baseline``, ``baseline_uln`` (same unit as the value), ``is_baseline_record`` (bool),
        ``clinical_grade`` (int). Other columns are ignored.
    version : str
        ``"ctcae_v5"``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``labs``; columns ``criterion``, ``grade``, ``value_grade``,
        ``grade_at_most`` (nullable Int64), ``needs_clinical_review`` (bool), ``rule_id``,
        ``rule``, ``review_reasons``, ``criteria_version``.

    Raises
    ------
    MissingColumnError
        A required column is absent.
    InputError, UnitError
        The first problem found, naming the column and the offending rows.

    Rules
    -----
    As :func:`abscopal.toxicity.ctcae.grade_lab`, row by row (same engine, same table).
    """
    table = load_criteria(version)
    for col in REQUIRED_COLUMNS:
        if col not in labs.columns:
            raise MissingColumnError(f"lab table needs column {col!r} (has {list(labs.columns)})")
    n = len(labs)
    value = _float_column(labs, "value")
    _check(np.isfinite(value) & (value >= 0), labs, "value", "a non-negative number",
           labs["value"])
    lln = _float_column(labs, "lln")
    uln = _float_column(labs, "uln")
    base = _float_column(labs, "baseline")
    _check(~(lln < 0), labs, "lln", ">= 0", lln)
    _check(~(uln <= 0), labs, "uln", "> 0", uln)
    _check(~(lln > uln), labs, "lln", "<= uln", lln)
    _check(~(base <= 0), labs, "baseline", "> 0", base)
    buln = _float_column(labs, "baseline_uln")
    _check(~(buln <= 0), labs, "baseline_uln", "> 0", buln)
    if "is_baseline_record" in labs.columns:
        flag = labs["is_baseline_record"].map(_truthy).to_numpy(dtype=np.bool_)
        base = np.where(flag, np.nan, base)
    clinical = _float_column(labs, "clinical_grade")
    _check(np.isnan(clinical) | np.isin(clinical, [0, 1, 2, 3, 4, 5]), labs, "clinical_grade",
           "an integer 0-5 or empty", clinical)

    grade = np.full(n, -1, dtype=np.int64)
    at_most = np.full(n, -1, dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    within = np.zeros(n, dtype=np.bool_)
    criterion_key = np.empty(n, dtype=object)
    codes = _Codes()
    terms = labs["term"].astype(str).to_numpy()
    units = labs["unit"].astype(str).to_numpy()
    groups = pd.DataFrame({"t": terms, "u": units}).groupby(["t", "u"], sort=False).indices
    for (term, unit), idx in groups.items():
        crit = find_lab_criterion(term, version=version)
        res = resolve_unit(crit, unit)
        criterion_key[idx] = crit.key
        spec = next((s for s in table.terms if s.term == crit.term), None)
        cg = clinical[idx]
        if spec is not None:
            allowed = np.isnan(cg) | np.isin(cg, [0, *spec.allowed_grades])
            _check(allowed, labs.iloc[idx], "clinical_grade",
                   f"one of {[0, *spec.allowed_grades]} for {crit.term!r}", cg)
        if crit.clinical_only_reason is not None:
            code[idx] = codes.code(f"{crit.key}|clinical-only", review=crit.clinical_only_reason,
                                   describe=f"clinical only: {crit.clinical_only_reason}")
            continue
        f = float(res.factor)
        v, lo, hi, b = value[idx] * f, lln[idx] * f, uln[idx] * f, base[idx] * f
        g = np.empty(len(idx), dtype=np.int64)
        c = np.empty(len(idx), dtype=np.int64)
        am = np.empty(len(idx), dtype=np.int64)
        nr = np.zeros(len(idx), dtype=np.bool_)
        if crit.baseline_branches:
            bref = np.where(np.isnan(buln[idx]), hi, buln[idx] * f)
            with np.errstate(invalid="ignore"):
                abnormal = ~np.isnan(b) & ~np.isnan(bref) & (b > bref)
            if f != 1.0:
                nr |= _near(b, bref)
            parts: list[tuple[int, BoolArray]] = [(0, ~abnormal), (1, abnormal)]
        else:
            parts = [(res.branch_index or 0, np.ones(len(idx), dtype=np.bool_))]
        for bi, sel in parts:
            if not sel.any():
                continue
            refs = {Ref.LLN: lo[sel], Ref.ULN: hi[sel], Ref.BASELINE: b[sel]}
            gg, cc, aa, nn = _eval_branch(crit, crit.branches[bi], v[sel], refs, codes, table,
                                          exact_unit=f == 1.0)
            g[sel], c[sel], am[sel] = gg, cc, aa
            nr[sel] |= nn
        low = crit.branches[0].rules[0].conditions[0].op is Op.LT
        with np.errstate(invalid="ignore"):
            inside = (~np.isnan(lo) & (v >= lo)) if low else (~np.isnan(hi) & (v <= hi))
        if f != 1.0:
            nr |= _near(v, lo) if low else _near(v, hi)
        grade[idx], code[idx], at_most[idx] = g, c, am
        within[idx] = inside & (g >= 1)
        for j in np.flatnonzero(nr):  # exact re-grade near thresholds
            row = idx[j]
            ex = exact_outcome(crit, res.branch_index, res.factor,
                               Decimal(repr(float(value[row]))), _dec(lln[row]), _dec(uln[row]),
                               _dec(base[row]), _dec(buln[row]))
            grade[row] = -1 if ex.outcome.grade is None else ex.outcome.grade
            at_most[row] = -1 if ex.at_most is None else ex.at_most
            known = codes.index.get(ex.rule_id)
            code[row] = known if known is not None else codes.code(
                ex.rule_id, review=_rule_review(ex), describe=_describe(crit, ex, table))
            within[row] = ex.within_reference_range
    return _assemble(labs, table, codes, grade, at_most, code, within, clinical, criterion_key)


def _rule_review(ex: ExactOutcome) -> str:
    if ex.outcome.rule_index is None or ex.outcome.grade is None:
        return ""
    return ex.branch.rules[ex.outcome.rule_index].review or ""


def _describe(crit: LabCriterion, ex: ExactOutcome, table: CriteriaTable) -> str:
    out, branch = ex.outcome, ex.branch
    if out.grade is None:
        assert out.missing is not None
        return f"not gradable ({branch.name}): missing {out.missing.value}"
    if out.grade == 0:
        return f"G0 ({branch.name}): no {table.version} grade criterion met"
    assert out.rule_index is not None and out.cond_index is not None
    cond = branch.rules[out.rule_index].conditions[out.cond_index]
    return (f"G{out.grade} ({branch.name}): {cond.describe(branch.name)}; "
            f"NCI G{out.grade}: '{crit.text.get(out.grade)}'")


def _dec(x: float) -> Decimal | None:
    return None if np.isnan(x) else Decimal(repr(float(x)))


def _truthy(x: object) -> bool:
    if isinstance(x, str):
        return x.strip().lower() in ("1", "true", "yes", "y", "t")
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return False
    return bool(x)


def _assemble(
    labs: pd.DataFrame, table: CriteriaTable, codes: _Codes, vgrade: IntArray,
    at_most: IntArray, code: IntArray, within: BoolArray, clinical: FloatArray,
    criterion_key: npt.NDArray[np.object_],
) -> pd.DataFrame:
    ids = np.array(codes.ids, dtype=object)
    review_txt = np.array(codes.review, dtype=object)
    describe = np.array(codes.describe, dtype=object)
    clinical_only = np.array([i.endswith("|clinical-only") for i in codes.ids], dtype=np.bool_)
    is_co = clinical_only[code]
    has_clin = ~np.isnan(clinical)
    cg = np.where(has_clin, clinical, -1).astype(np.int64)
    final = np.where(vgrade >= 0, np.maximum(vgrade, cg), -1)
    final = np.where((vgrade < 0) & has_clin & (at_most >= 0) & (cg >= at_most), cg, final)
    final = np.where(is_co, cg, final)
    rule_review = review_txt[code]
    has_rule_review = rule_review != ""
    reasons = rule_review.copy()
    both = has_rule_review & within
    reasons[within & ~has_rule_review] = _WITHIN
    if both.any():
        reasons[both] = rule_review[both] + "; " + _WITHIN
    value_grade = np.where(is_co, -1, vgrade)
    out = pd.DataFrame(
        {
            "criterion": criterion_key,
            "grade": pd.arrays.IntegerArray(final, final < 0),
            "value_grade": pd.arrays.IntegerArray(value_grade, value_grade < 0),
            "grade_at_most": pd.arrays.IntegerArray(at_most, at_most < 0),
            "needs_clinical_review": has_rule_review | within,
            "rule_id": pd.Categorical.from_codes(code, categories=ids),
            "rule": describe[code],
            "review_reasons": reasons,
            "criteria_version": table.version,
        },
        index=labs.index,
    )
    return out


__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "grade_labs"]
