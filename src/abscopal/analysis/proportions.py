"""Response proportions (ORR, DCR, ...): confidence intervals, differences, Fisher's exact test.

Every result names the interval method it used; nothing is computed with an unstated default.
scipy does the arithmetic (``binomtest(...).proportion_ci``, ``fisher_exact``,
``contingency.odds_ratio``); this module checks the inputs, chooses the method by name and
packages the answer with its provenance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats

from abscopal.errors import InputError

ProportionMethod = Literal["clopper-pearson", "wilson"]
DifferenceMethod = Literal["newcombe"]
Alternative = Literal["two-sided", "greater", "less"]

PROPORTION_METHODS: tuple[str, ...] = ("clopper-pearson", "wilson")
DIFFERENCE_METHODS: tuple[str, ...] = ("newcombe",)
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")

_METHOD_REFERENCES = {
    "clopper-pearson": "Clopper CJ, Pearson ES. Biometrika 1934;26:404-13 (exact, beta quantiles)",
    "wilson": "Wilson EB. J Am Stat Assoc 1927;22:209-12 (score interval, no continuity correction)",
    "newcombe": "Newcombe RG. Stat Med 1998;17:873-90, method 10 (hybrid score from Wilson limits)",
}


@dataclass(frozen=True)
class ProportionResult:
    """A proportion with its confidence interval.

    Attributes
    ----------
    events, n : int
        The inputs: number of subjects with the outcome and number evaluated.
    estimate_ : float
        ``events / n``.
    ci_lower_, ci_upper_ : float
        Interval limits.
    confidence : float
        Two-sided confidence level, e.g. 0.95.
    method : str
        ``"clopper-pearson"`` or ``"wilson"``.
    reference : str
        Citation of the interval method.
    """

    events: int
    n: int
    estimate_: float
    ci_lower_: float
    ci_upper_: float
    confidence: float
    method: str
    reference: str

    @property
    def summary(self) -> str:
        """One readable line, e.g. ``5/16 = 31.2% (95% CI 11.0% to 58.7%, Clopper-Pearson)``."""
        return (
            f"{self.events}/{self.n} = {100 * self.estimate_:.1f}% "
            f"({100 * self.confidence:g}% CI {100 * self.ci_lower_:.1f}% to "
            f"{100 * self.ci_upper_:.1f}%, {_pretty(self.method)})"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form for JSON output."""
        return {
            "events": self.events,
            "n": self.n,
            "estimate": self.estimate_,
            "ci_lower": self.ci_lower_,
            "ci_upper": self.ci_upper_,
            "confidence": self.confidence,
            "method": self.method,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class ProportionDifferenceResult:
    """Difference of two independent proportions, ``p1 - p2``, with its interval."""

    events_1: int
    n_1: int
    events_2: int
    n_2: int
    difference_: float
    ci_lower_: float
    ci_upper_: float
    confidence: float
    method: str
    reference: str

    @property
    def summary(self) -> str:
        """One readable line."""
        return (
            f"{self.events_1}/{self.n_1} vs {self.events_2}/{self.n_2}: difference "
            f"{100 * self.difference_:+.1f} percentage points ({100 * self.confidence:g}% CI "
            f"{100 * self.ci_lower_:+.1f} to {100 * self.ci_upper_:+.1f}, {_pretty(self.method)})"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form for JSON output."""
        return {
            "events_1": self.events_1,
            "n_1": self.n_1,
            "events_2": self.events_2,
            "n_2": self.n_2,
            "difference": self.difference_,
            "ci_lower": self.ci_lower_,
            "ci_upper": self.ci_upper_,
            "confidence": self.confidence,
            "method": self.method,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class FisherExactResult:
    """Fisher's exact test on the 2x2 table ``[[events_1, n_1 - events_1], [events_2, ...]]``.

    ``odds_ratio_`` is the conditional maximum-likelihood estimate (as R ``fisher.test``), and its
    interval is the exact conditional interval; ``sample_odds_ratio_`` is ``ad / bc``.
    """

    events_1: int
    n_1: int
    events_2: int
    n_2: int
    p_value_: float
    alternative: str
    odds_ratio_: float
    odds_ratio_ci_lower_: float
    odds_ratio_ci_upper_: float
    sample_odds_ratio_: float
    confidence: float
    method: str = "fisher-exact (conditional; two-sided p sums tables no more likely than observed)"

    @property
    def summary(self) -> str:
        """One readable line."""
        return (
            f"Fisher's exact test {self.events_1}/{self.n_1} vs {self.events_2}/{self.n_2}: "
            f"p = {self.p_value_:.4g} ({self.alternative}); conditional MLE odds ratio "
            f"{self.odds_ratio_:.3g} ({100 * self.confidence:g}% CI {self.odds_ratio_ci_lower_:.3g}"
            f" to {self.odds_ratio_ci_upper_:.3g})"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form for JSON output."""
        return {
            "events_1": self.events_1,
            "n_1": self.n_1,
            "events_2": self.events_2,
            "n_2": self.n_2,
            "p_value": self.p_value_,
            "alternative": self.alternative,
            "odds_ratio": self.odds_ratio_,
            "odds_ratio_ci_lower": self.odds_ratio_ci_lower_,
            "odds_ratio_ci_upper": self.odds_ratio_ci_upper_,
            "sample_odds_ratio": self.sample_odds_ratio_,
            "confidence": self.confidence,
            "method": self.method,
        }


def _pretty(method: str) -> str:
    return {"clopper-pearson": "Clopper-Pearson", "wilson": "Wilson", "newcombe": "Newcombe"}.get(
        method, method
    )


def check_counts(events: int, n: int, *, name: str = "events") -> None:
    """Raise InputError unless ``0 <= events <= n`` and ``n >= 1`` are integers."""
    for label, value in ((name, events), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"'{label}' must be an integer (got {value!r})")
    if n < 1:
        raise InputError(f"'n' must be >= 1 (got {n})")
    if not 0 <= events <= n:
        raise InputError(f"'{name}' must be between 0 and n = {n} (got {events})")


def _check_confidence(confidence: float) -> None:
    if not isinstance(confidence, float | int) or not 0.0 < float(confidence) < 1.0:
        raise InputError(f"'confidence' must be strictly between 0 and 1 (got {confidence!r})")


def _norm_choice(value: str, *, name: str, options: tuple[str, ...]) -> str:
    key = str(value).strip().lower().replace("_", "-")
    if key not in options:
        raise InputError(f"'{name}' must be one of {list(options)} (got {value!r})")
    return key


def compute_proportion_ci(
    events: int,
    n: int,
    *,
    method: ProportionMethod | str = "clopper-pearson",
    confidence: float = 0.95,
) -> ProportionResult:
    """Proportion ``events / n`` with a two-sided confidence interval.

    Parameters
    ----------
    events : int
        Subjects with the outcome (e.g. confirmed CR or PR for ORR). Non-negative, <= n.
    n : int
        Subjects evaluated (the analysis set's denominator). Positive integer.
    method : {"clopper-pearson", "wilson"}
        Interval method, case-insensitive. Default Clopper-Pearson (exact), the usual choice for
        phase II response rates.
    confidence : float
        Two-sided confidence level in (0, 1); default 0.95.

    Returns
    -------
    ProportionResult

    Raises
    ------
    InputError
        Non-integer or out-of-range counts, unknown method, confidence outside (0, 1).

    Rules
    -----
    1. Clopper-Pearson: limits are beta quantiles ``Beta(a/2; x, n-x+1)`` and
       ``Beta(1-a/2; x+1, n-x)``, with lower = 0 at x = 0 and upper = 1 at x = n (equal to R
       ``binom.test(x, n)$conf.int``).
    2. Wilson: score interval without continuity correction (equal to R
       ``prop.test(x, n, correct = FALSE)$conf.int``).

    Examples
    --------
    >>> r = compute_proportion_ci(5, 16)
    >>> round(r.ci_lower_, 4), round(r.ci_upper_, 4)
    (0.1102, 0.5866)
    """
    check_counts(events, n)
    key = _norm_choice(method, name="method", options=PROPORTION_METHODS)
    _check_confidence(confidence)
    scipy_method = "exact" if key == "clopper-pearson" else "wilson"
    ci = stats.binomtest(events, n).proportion_ci(
        confidence_level=float(confidence), method=scipy_method
    )
    return ProportionResult(
        events=events,
        n=n,
        estimate_=events / n,
        ci_lower_=float(ci.low),
        ci_upper_=float(ci.high),
        confidence=float(confidence),
        method=key,
        reference=_METHOD_REFERENCES[key],
    )


def compute_proportion_difference(
    events_1: int,
    n_1: int,
    events_2: int,
    n_2: int,
    *,
    method: DifferenceMethod | str = "newcombe",
    confidence: float = 0.95,
) -> ProportionDifferenceResult:
    """Difference ``events_1/n_1 - events_2/n_2`` with Newcombe's hybrid score interval.

    Parameters
    ----------
    events_1, n_1 : int
        Outcome count and denominator of group 1 (e.g. the experimental arm).
    events_2, n_2 : int
        Outcome count and denominator of group 2 (e.g. the control arm).
    method : {"newcombe"}
        Newcombe (1998) method 10, built from the two Wilson score intervals. It has near-nominal
        coverage at the sample sizes of phase II trials; the Wald interval does not.
    confidence : float
        Two-sided confidence level; default 0.95.

    Returns
    -------
    ProportionDifferenceResult

    Rules
    -----
    1. With Wilson limits (l1, u1), (l2, u2) and d = p1 - p2 (Newcombe 1998, eq. 10):
       lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).

    Examples
    --------
    >>> r = compute_proportion_difference(13, 26, 4, 26)
    >>> round(r.difference_, 4), round(r.ci_lower_, 4), round(r.ci_upper_, 4)
    (0.3462, 0.091, 0.5479)
    """
    check_counts(events_1, n_1, name="events_1")
    check_counts(events_2, n_2, name="events_2")
    key = _norm_choice(method, name="method", options=DIFFERENCE_METHODS)
    _check_confidence(confidence)
    w1 = compute_proportion_ci(events_1, n_1, method="wilson", confidence=confidence)
    w2 = compute_proportion_ci(events_2, n_2, method="wilson", confidence=confidence)
    p1, p2 = w1.estimate_, w2.estimate_
    d = p1 - p2
    lower = d - math.sqrt((p1 - w1.ci_lower_) ** 2 + (w2.ci_upper_ - p2) ** 2)
    upper = d + math.sqrt((w1.ci_upper_ - p1) ** 2 + (p2 - w2.ci_lower_) ** 2)
    return ProportionDifferenceResult(
        events_1=events_1,
        n_1=n_1,
        events_2=events_2,
        n_2=n_2,
        difference_=d,
        ci_lower_=max(-1.0, lower),
        ci_upper_=min(1.0, upper),
        confidence=float(confidence),
        method=key,
        reference=_METHOD_REFERENCES[key],
    )


def compute_fisher_exact(
    events_1: int,
    n_1: int,
    events_2: int,
    n_2: int,
    *,
    alternative: Alternative | str = "two-sided",
    confidence: float = 0.95,
) -> FisherExactResult:
    """Fisher's exact test comparing two proportions, with the conditional odds ratio.

    Parameters
    ----------
    events_1, n_1, events_2, n_2 : int
        Counts and denominators of the two groups.
    alternative : {"two-sided", "greater", "less"}
        "greater" tests whether group 1's proportion (odds) exceeds group 2's.
    confidence : float
        Level of the odds-ratio interval; default 0.95.

    Returns
    -------
    FisherExactResult

    Rules
    -----
    1. The p-value conditions on both margins (hypergeometric); two-sided p sums the
       probabilities of all tables no more likely than the observed one (R ``fisher.test``).
    2. The odds ratio is the conditional MLE with its exact conditional interval (R
       ``fisher.test``), via ``scipy.stats.contingency.odds_ratio(kind="conditional")``.

    Examples
    --------
    >>> round(compute_fisher_exact(13, 26, 4, 26).p_value_, 6)
    0.016701
    """
    check_counts(events_1, n_1, name="events_1")
    check_counts(events_2, n_2, name="events_2")
    alt = _norm_choice(alternative, name="alternative", options=ALTERNATIVES)
    _check_confidence(confidence)
    table = [[events_1, n_1 - events_1], [events_2, n_2 - events_2]]
    p_value = float(stats.fisher_exact(table, alternative=alt).pvalue)
    ores = stats.contingency.odds_ratio(table, kind="conditional")
    ci = ores.confidence_interval(confidence_level=float(confidence), alternative="two-sided")
    b, c = n_1 - events_1, events_2
    a, dd = events_1, n_2 - events_2
    sample_or = math.inf if b * c == 0 and a * dd > 0 else (a * dd / (b * c) if b * c else math.nan)
    return FisherExactResult(
        events_1=events_1,
        n_1=n_1,
        events_2=events_2,
        n_2=n_2,
        p_value_=min(1.0, p_value),
        alternative=alt,
        odds_ratio_=float(ores.statistic),
        odds_ratio_ci_lower_=float(ci.low),
        odds_ratio_ci_upper_=float(ci.high),
        sample_odds_ratio_=float(sample_or),
        confidence=float(confidence),
    )
