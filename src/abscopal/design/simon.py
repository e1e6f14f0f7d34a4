"""Simon (1989) two-stage phase II designs: optimal, minimax and admissible (Jung et al. 2004).

A design ``(r1/n1, r/n)`` enrols ``n1`` patients, stops for futility if ``X1 <= r1`` responses
are seen, otherwise enrols ``n2 = n - n1`` more and calls the treatment promising iff the total
``X1 + X2 > r``.

The search is exhaustive over ``n <= nmax``, ``1 <= n1 < n``, ``0 <= r1 < r <= n`` and exact in
binomial arithmetic, but it never evaluates a candidate that cannot matter:

* ``n`` is skipped when even the randomised most powerful (Neyman-Pearson) test on ``n``
  patients has power below ``1 - beta``;
* ``r`` is bounded above by ``P(Bin(n, p1) > r) >= 1 - beta`` (rejection implies ``X > r``);
* ``r1`` is bounded above by ``P(Bin(n1, p1) <= r1) <= beta`` (stopping early means no rejection);
* once a feasible design with expected size ``E*`` under ``p0`` is known, any ``(n1, r1)`` at a
  larger ``n`` with ``EN0 >= E*`` is dominated (larger ``n`` and no smaller ``EN0``) and skipped.

For the survivors, rejection probabilities come from one cumulative sum over the first-stage
count, using the identity ``P(X1 > r1, X > r) = P(X > r) - sum_{x1<=r1} b(x1; n1) P(X2 > r - x1)``
(``X = X1 + X2 ~ Bin(n, p)``), vectorised over ``(n1, r1, r)`` for each ``n`` from precomputed
binomial pmf / survival tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from abscopal.design._checks import check_count, check_open_unit, check_ordered_rates
from abscopal.errors import InputError

RULE_VERSION = "simon_1989/abscopal-1"
"""Version of the search rules below; bump when a convention changes."""

NMAX_LIMIT = 1000
_TOL = 1e-12

SIMON_RULES: tuple[str, ...] = (
    "Stage 1: enrol n1; stop for futility if responses X1 <= r1 (Simon 1989, Controlled Clin "
    "Trials 10:1-10).",
    "Stage 2: enrol n - n1 more; the treatment is promising iff total responses X > r.",
    "P(reject | p) = sum_{x1=r1+1..n1} b(x1; n1, p) P(X2 > r - x1; n - n1, p); PET(p) = "
    "B(r1; n1, p); EN(p) = n1 + (1 - PET(p)) (n - n1).",
    "Constraints: P(reject | p0) <= alpha and P(reject | p1) >= 1 - beta as in Simon (1989); "
    "with allow_equality=False both must hold strictly (clinfun::ph2simon's convention).",
    "Minimax: the smallest n with a feasible design, then the smallest EN0 at that n.",
    "Optimal: the smallest EN0 over all n <= nmax; ties go to the smaller n, then the smaller n1.",
    "For a chosen (r1, n1, n) the reported r is the smallest feasible final cut-off (the most "
    "powerful); designs need 0 <= r1 < r and 1 <= n1 < n.",
    "Admissible (Jung, Lee, Kim & George 2004, J Stat Plan Inference 123:313-325): designs on the "
    "lower convex hull of (n, EN0) between minimax and optimal; each minimises q n + (1 - q) EN0 "
    "for q in its q_range.",
)

DesignLabel = Literal["optimal", "minimax", "admissible", "given"]


@dataclass(frozen=True)
class SimonDesign:
    """A Simon two-stage design with its exact operating characteristics.

    Attributes
    ----------
    r1, n1 : int
        Stop after stage 1 if at most ``r1`` responses among ``n1`` patients.
    r, n : int
        Promising iff more than ``r`` responses among all ``n`` patients.
    p0, p1 : float
        Uninteresting and target response rates the characteristics refer to.
    alpha_ : float
        Exact probability of calling the treatment promising when the rate is ``p0``.
    power_ : float
        Exact probability of calling it promising when the rate is ``p1``.
    pet0_, pet1_ : float
        Probability of early termination under ``p0`` and ``p1``.
    en0_, en1_ : float
        Expected number of patients under ``p0`` and ``p1``.
    label : str
        ``"optimal"``, ``"minimax"``, ``"admissible"`` or ``"given"``.
    q_range : tuple of float or None
        For admissible designs, the weights ``q`` for which the design minimises
        ``q n + (1 - q) EN0`` (Jung et al. 2004).
    """

    r1: int
    n1: int
    r: int
    n: int
    p0: float
    p1: float
    alpha_: float
    power_: float
    pet0_: float
    pet1_: float
    en0_: float
    en1_: float
    label: DesignLabel = "given"
    q_range: tuple[float, float] | None = None

    @property
    def n2(self) -> int:
        """Second-stage sample size ``n - n1``."""
        return self.n - self.n1

    def describe(self) -> str:
        """One readable line, e.g. ``optimal: 1/10, 5/29 (EN0 15.01, PET0 0.736, ...)``."""
        q = (
            f", q in [{self.q_range[0]:.3f}, {self.q_range[1]:.3f}]"
            if self.q_range is not None
            else ""
        )
        return (
            f"{self.label}: r1/n1 = {self.r1}/{self.n1}, r/n = {self.r}/{self.n} "
            f"(EN0 {self.en0_:.2f}, PET0 {self.pet0_:.3f}, exact alpha {self.alpha_:.4f}, "
            f"exact power {self.power_:.4f}{q})"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        data = asdict(self)
        data["n2"] = self.n2
        return data


@dataclass(frozen=True)
class SimonSearchResult:
    """Outcome of :func:`compute_simon_designs`.

    Attributes
    ----------
    p0, p1, alpha, beta : float
        The inputs.
    nmax : int
        Largest total sample size searched.
    allow_equality : bool
        Whether ``alpha`` and ``beta`` may be met with equality.
    minimax, optimal : SimonDesign
        The two classical designs.
    admissible : tuple of SimonDesign
        Jung et al. (2004) admissible designs ordered from minimax (largest ``q``) to optimal.
    frontier : tuple of SimonDesign
        For each ``n`` the best design that no smaller ``n`` dominates, ascending in ``n``.
    rules : tuple of str
        The rules applied, in words.
    rule_version : str
        Version of the rules.
    """

    p0: float
    p1: float
    alpha: float
    beta: float
    nmax: int
    allow_equality: bool
    minimax: SimonDesign
    optimal: SimonDesign
    admissible: tuple[SimonDesign, ...]
    frontier: tuple[SimonDesign, ...]
    rules: tuple[str, ...] = field(default=SIMON_RULES)
    rule_version: str = RULE_VERSION

    def describe(self) -> str:
        """Readable multi-line summary."""
        lines = [
            f"Simon two-stage designs for p0={self.p0:g}, p1={self.p1:g}, alpha={self.alpha:g}, "
            f"beta={self.beta:g} (nmax {self.nmax}, "
            f"{'<=/>=' if self.allow_equality else 'strict <'} constraints)",
            "  " + self.optimal.describe(),
            "  " + self.minimax.describe(),
        ]
        extra = [d for d in self.admissible if d.label == "admissible"]
        lines += ["  " + d.describe() for d in extra]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "inputs": {
                "p0": self.p0,
                "p1": self.p1,
                "alpha": self.alpha,
                "beta": self.beta,
                "nmax": self.nmax,
                "allow_equality": self.allow_equality,
            },
            "optimal": self.optimal.to_dict(),
            "minimax": self.minimax.to_dict(),
            "admissible": [d.to_dict() for d in self.admissible],
            "rules": list(self.rules),
            "rule_version": self.rule_version,
        }


@dataclass(frozen=True)
class SimonDecision:
    """The decision a Simon design prescribes for an observed number of responses.

    Attributes
    ----------
    stage : int
        1 (interim) or 2 (final).
    responses : int
        Responses counted so far (the stage-1 count at stage 1, the total at stage 2).
    patients : int
        Patients evaluated (``n1`` or ``n``).
    decision : str
        ``"stop_for_futility"`` or ``"continue_to_stage_2"`` at stage 1; ``"promising"`` or
        ``"not_promising"`` at stage 2.
    reason : str
        The comparison made, in words.
    """

    stage: int
    responses: int
    patients: int
    decision: Literal["stop_for_futility", "continue_to_stage_2", "promising", "not_promising"]
    reason: str


# ---------------------------------------------------------------------------- exact arithmetic


def _reject_probability(r1: int, n1: int, r: int, n: int, p: float) -> float:
    x1 = np.arange(r1 + 1, n1 + 1)
    tail = stats.binom.sf(r - x1, n - n1, p)
    return float(np.sum(stats.binom.pmf(x1, n1, p) * tail))


def _check_design(r1: int, n1: int, r: int, n: int) -> None:
    check_count("n", n, minimum=2, maximum=NMAX_LIMIT)
    check_count("n1", n1, minimum=1, maximum=n - 1)
    check_count("r1", r1, minimum=0, maximum=n1 - 1)
    check_count("r", r, minimum=r1, maximum=n - 1)


def compute_simon_characteristics(
    r1: int, n1: int, r: int, n: int, *, p0: float, p1: float, label: DesignLabel = "given"
) -> SimonDesign:
    """Exact operating characteristics of a given two-stage design.

    Parameters
    ----------
    r1, n1, r, n : int
        The design: ``0 <= r1 < n1 < n`` and ``r1 <= r < n``.
    p0, p1 : float
        Response rates (each strictly between 0 and 1) at which alpha and power are evaluated.
    label : str
        Label carried into the result.

    Returns
    -------
    SimonDesign

    Rules
    -----
    1. P(reject | p) = sum_{x1>r1} b(x1; n1, p) P(X2 > r - x1) (Simon 1989, eq. 1-2).

    Examples
    --------
    >>> d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    >>> round(d.en0_, 1), round(d.pet0_, 2)
    (15.0, 0.74)
    """
    _check_design(r1, n1, r, n)
    p0 = check_open_unit("p0", p0)
    p1 = check_open_unit("p1", p1)
    pet0 = float(stats.binom.cdf(r1, n1, p0))
    pet1 = float(stats.binom.cdf(r1, n1, p1))
    return SimonDesign(
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        p0=p0,
        p1=p1,
        alpha_=_reject_probability(r1, n1, r, n, p0),
        power_=_reject_probability(r1, n1, r, n, p1),
        pet0_=pet0,
        pet1_=pet1,
        en0_=n1 + (1.0 - pet0) * (n - n1),
        en1_=n1 + (1.0 - pet1) * (n - n1),
        label=label,
    )


# ---------------------------------------------------------------------------- search


@dataclass(frozen=True)
class _Tables:
    pmf: NDArray[np.float64]  # pmf[m, x] = P(Bin(m, p) = x), 0 for x > m
    cdf: NDArray[np.float64]  # cdf[m, x] = P(Bin(m, p) <= x)
    sf: NDArray[np.float64]  # sf[m, k + 1] = P(Bin(m, p) > k), k = -1..nmax


def _tables(p: float, nmax: int) -> _Tables:
    # log-pmf from log-gamma: one vectorised pass, ~10x faster than scipy.stats.binom on a grid
    m = np.arange(nmax + 1, dtype=np.float64)[:, None]
    x = np.arange(nmax + 1, dtype=np.float64)[None, :]
    valid = x <= m
    xs = np.where(valid, x, 0.0)
    log_pmf = (
        special.gammaln(m + 1)
        - special.gammaln(xs + 1)
        - special.gammaln(m - xs + 1)
        + xs * np.log(p)
        + (m - xs) * np.log1p(-p)
    )
    pmf = np.where(valid, np.exp(log_pmf), 0.0)
    cdf = np.minimum(np.cumsum(pmf, axis=1), 1.0)
    # upper tails summed from the top so small tail probabilities keep their relative accuracy
    upper = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]  # upper[m, x] = P(X >= x)
    sf = np.zeros((nmax + 1, nmax + 2))
    sf[:, 0] = 1.0
    sf[:, 1:] = np.concatenate([upper[:, 1:], np.zeros((nmax + 1, 1))], axis=1)
    return _Tables(pmf=pmf, cdf=cdf, sf=np.minimum(sf, 1.0))


def _ump_power_ok(
    t0: _Tables, t1: _Tables, nmax: int, alpha: float, target: float
) -> NDArray[np.bool_]:
    """Whether the randomised Neyman-Pearson test on n patients reaches ``target`` power."""
    s0 = t0.sf[:, 1:]  # s0[n, k] = P0(X > k), k = 0..nmax (0 for k >= n)
    k = np.argmax(s0 <= alpha + _TOL, axis=1)  # smallest k with P0(X > k) <= alpha
    rows = np.arange(nmax + 1)
    mass0 = t0.pmf[rows, k]
    safe = np.where(mass0 > 0, mass0, 1.0)
    gamma = np.where(mass0 > 0, np.clip((alpha - s0[rows, k]) / safe, 0.0, 1.0), 0.0)
    power = t1.sf[rows, k + 1] + gamma * t1.pmf[rows, k]
    ok: NDArray[np.bool_] = power >= target - 1e-9
    return ok


def _from_tables(
    r1: int, n1: int, r: int, n: int, t0: _Tables, t1: _Tables, p0: float, p1: float
) -> SimonDesign:
    """Characteristics from the search tables (accurate to ~1e-13), avoiding scipy overhead."""
    x1 = np.arange(r1 + 1)
    k = r - x1 + 1

    def reject(t: _Tables) -> float:
        return float(t.sf[n, r + 1] - np.sum(t.pmf[n1, x1] * t.sf[n - n1, k]))

    pet0, pet1 = float(t0.cdf[n1, r1]), float(t1.cdf[n1, r1])
    return SimonDesign(
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        p0=p0,
        p1=p1,
        alpha_=reject(t0),
        power_=reject(t1),
        pet0_=pet0,
        pet1_=pet1,
        en0_=n1 + (1.0 - pet0) * (n - n1),
        en1_=n1 + (1.0 - pet1) * (n - n1),
    )


def _best_at_n(
    n: int,
    t0: _Tables,
    t1: _Tables,
    r1cap_all: NDArray[np.int64],
    best_en: float,
    alpha: float,
    target: float,
    allow_equality: bool,
) -> tuple[int, int, int, float] | None:
    """The (r1, n1, r, EN0) with the smallest EN0 < best_en at total size n, or None."""
    n_ok = int(np.count_nonzero(t1.sf[n, 1 : n + 1] >= target - _TOL))  # r = 0..n-1
    r_hi = n_ok - 1  # largest r with P1(X > r) >= target
    if r_hi < 1:
        return None
    n1 = np.arange(1, n)
    r1cap = np.minimum(r1cap_all[1:n], r_hi - 1)
    width = int(r1cap.max()) + 1 if r1cap.size else 0
    if width <= 0:
        return None
    r1 = np.arange(width)
    en0 = n1[:, None] + (1.0 - t0.cdf[n1[:, None], r1[None, :]]) * (n - n1)[:, None]
    keep = (r1[None, :] <= r1cap[:, None]) & (en0 < best_en - _TOL)
    rows = np.flatnonzero(keep.any(axis=1))
    if rows.size == 0:
        return None
    n1 = n1[rows]
    keep = keep[rows]
    en0 = en0[rows]
    cols = np.flatnonzero(keep.any(axis=0))
    r1_lo, r1_hi = int(cols[0]), int(cols[-1])
    x1 = np.arange(r1_hi + 1)  # first-stage counts entering the cumulative sums
    r = np.arange(r1_lo + 1, r_hi + 1)
    n2 = n - n1
    k = np.clip(r[None, None, :] - x1[None, :, None] + 1, 0, None)  # index of P(X2 > r - x1)

    def reject(t: _Tables) -> NDArray[np.float64]:
        terms = t.pmf[n1[:, None, None], x1[None, :, None]] * t.sf[n2[:, None, None], k]
        # P(X1 > r1, X > r) = P(X > r) - sum_{x1 <= r1} b(x1) P(X2 > r - x1)
        out: NDArray[np.float64] = t.sf[n, r + 1][None, None, :] - np.cumsum(terms, axis=1)
        return out[:, r1_lo : r1_hi + 1, :]

    a0 = reject(t0)
    a1 = reject(t1)
    if allow_equality:
        ok = (a0 <= alpha + _TOL) & (a1 >= target - _TOL)
    else:
        ok = (a0 < alpha - _TOL) & (a1 > target + _TOL)
    r1_grid = np.arange(r1_lo, r1_hi + 1)
    ok &= r[None, None, :] > r1_grid[None, :, None]
    ok &= keep[:, r1_lo : r1_hi + 1][:, :, None]
    feasible = ok.any(axis=2)
    if not feasible.any():
        return None
    en = np.where(feasible, en0[:, r1_lo : r1_hi + 1], np.inf)
    i, j = np.unravel_index(int(np.argmin(en)), en.shape)
    r_choice = int(r[int(np.argmax(ok[i, j]))])
    return int(r1_grid[j]), int(n1[i]), r_choice, float(en[i, j])


def _admissible(frontier: list[SimonDesign]) -> list[SimonDesign]:
    """Lower convex hull of (n, EN0) over the frontier, with each vertex's q range."""
    hull: list[SimonDesign] = []
    for d in frontier:
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (a.n - o.n) * (d.en0_ - o.en0_) - (a.en0_ - o.en0_) * (d.n - o.n)
            if cross < 0:
                hull.pop()
            else:
                break
        hull.append(d)
    # q at which neighbours tie: q n_i + (1-q) E_i = q n_j + (1-q) E_j
    qs = []
    for a, b in zip(hull, hull[1:], strict=False):
        slope = (a.en0_ - b.en0_) / (b.n - a.n)
        qs.append(slope / (1.0 + slope))
    bounds = [1.0, *qs, 0.0]
    out = []
    for idx, d in enumerate(hull):
        label: DesignLabel = "admissible"
        if idx == 0:
            label = "minimax"
        if idx == len(hull) - 1:
            label = "optimal"
        out.append(_relabel(d, label, (bounds[idx + 1], bounds[idx])))
    return out


def _relabel(d: SimonDesign, label: DesignLabel, q: tuple[float, float] | None) -> SimonDesign:
    return SimonDesign(**{**asdict(d), "label": label, "q_range": q})


def compute_simon_designs(
    p0: float,
    p1: float,
    *,
    alpha: float,
    beta: float,
    nmax: int = 100,
    allow_equality: bool = True,
) -> SimonSearchResult:
    """Find Simon's optimal and minimax two-stage designs and the admissible ones between.

    Parameters
    ----------
    p0 : float
        Response rate of no interest (H0), strictly between 0 and 1.
    p1 : float
        Target response rate (H1), ``p0 < p1 < 1``.
    alpha : float
        Maximum probability of calling the treatment promising under ``p0`` (one-sided).
    beta : float
        Maximum probability of rejecting the treatment under ``p1`` (power ``1 - beta``).
    nmax : int
        Largest total sample size searched (2..1000). Default 100, as clinfun.
    allow_equality : bool
        ``True`` (default, Simon 1989): ``alpha_ <= alpha`` and ``power_ >= 1 - beta`` suffice.
        ``False``: both strictly (clinfun::ph2simon).

    Returns
    -------
    SimonSearchResult

    Raises
    ------
    InputError
        Bad arguments, or no feasible design with ``n <= nmax`` (the message says to raise nmax).

    Rules
    -----
    See :data:`SIMON_RULES` (Simon 1989; Jung et al. 2004).

    Examples
    --------
    >>> res = compute_simon_designs(0.1, 0.3, alpha=0.05, beta=0.2)
    >>> (res.optimal.r1, res.optimal.n1, res.optimal.r, res.optimal.n)
    (1, 10, 5, 29)
    >>> (res.minimax.r1, res.minimax.n1, res.minimax.r, res.minimax.n)
    (1, 15, 5, 25)
    """
    p0 = check_open_unit("p0", p0)
    p1 = check_open_unit("p1", p1)
    check_ordered_rates(p0, p1)
    alpha = check_open_unit("alpha", alpha)
    beta = check_open_unit("beta", beta)
    check_count("nmax", nmax, minimum=2, maximum=NMAX_LIMIT)
    target = 1.0 - beta

    t0 = _tables(p0, nmax)
    t1 = _tables(p1, nmax)
    # r1 <= r1cap(n1): P1(X1 <= r1) <= beta, else power < 1 - beta
    r1cap_all = np.count_nonzero(t1.cdf <= beta + _TOL, axis=1).astype(np.int64) - 1
    r1cap_all = np.minimum(r1cap_all, np.arange(nmax + 1) - 1)
    ump_ok = _ump_power_ok(t0, t1, nmax, alpha, target)

    frontier: list[SimonDesign] = []
    best_en = np.inf
    for n in range(2, nmax + 1):
        if not ump_ok[n]:
            continue
        found = _best_at_n(n, t0, t1, r1cap_all, best_en, alpha, target, allow_equality)
        if found is None:
            continue
        r1, n1, r, en = found
        best_en = en
        frontier.append(_from_tables(r1, n1, r, n, t0, t1, p0, p1))
    if not frontier:
        raise InputError(
            f"no Simon two-stage design with n <= nmax={nmax} meets alpha={alpha:g} and "
            f"power={target:g} for p0={p0:g}, p1={p1:g}; increase 'nmax'"
        )
    # the reported designs are recomputed with scipy's binomial, independently of the tables
    exact = {
        d.n: compute_simon_characteristics(d.r1, d.n1, d.r, d.n, p0=p0, p1=p1)
        for d in _admissible(frontier)
    }
    frontier = [exact.get(d.n, d) for d in frontier]
    admissible = _admissible(frontier)
    return SimonSearchResult(
        p0=p0,
        p1=p1,
        alpha=alpha,
        beta=beta,
        nmax=nmax,
        allow_equality=allow_equality,
        minimax=admissible[0] if len(admissible) > 1 else _relabel(frontier[0], "minimax", None),
        optimal=admissible[-1] if len(admissible) > 1 else _relabel(frontier[-1], "optimal", None),
        admissible=tuple(admissible),
        frontier=tuple(frontier),
    )


# ---------------------------------------------------------------------------- decisions


def _check_decision_design(design: SimonDesign) -> None:
    _check_design(design.r1, design.n1, design.r, design.n)


def classify_simon_stage1(responses: int, *, design: SimonDesign) -> SimonDecision:
    """Stage-1 decision: stop for futility iff ``responses <= r1``.

    Parameters
    ----------
    responses : int
        Responses among the first ``n1`` evaluable patients (0..n1).
    design : SimonDesign

    Examples
    --------
    >>> d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    >>> classify_simon_stage1(1, design=d).decision
    'stop_for_futility'
    """
    _check_decision_design(design)
    check_count("responses", responses, minimum=0, maximum=design.n1)
    if responses <= design.r1:
        return SimonDecision(
            1,
            responses,
            design.n1,
            "stop_for_futility",
            f"{responses} responses in {design.n1} <= r1={design.r1}: stop for futility",
        )
    return SimonDecision(
        1,
        responses,
        design.n1,
        "continue_to_stage_2",
        f"{responses} responses in {design.n1} > r1={design.r1}: enrol {design.n2} more",
    )


def classify_simon_final(responses: int, *, design: SimonDesign) -> SimonDecision:
    """Final decision: the treatment is promising iff total ``responses > r``.

    Parameters
    ----------
    responses : int
        Total responses among all ``n`` evaluable patients (0..n).
    design : SimonDesign

    Examples
    --------
    >>> d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    >>> classify_simon_final(6, design=d).decision
    'promising'
    """
    _check_decision_design(design)
    check_count("responses", responses, minimum=0, maximum=design.n)
    if responses > design.r:
        return SimonDecision(
            2,
            responses,
            design.n,
            "promising",
            f"{responses} responses in {design.n} > r={design.r}: reject H0 (p <= {design.p0:g})",
        )
    return SimonDecision(
        2,
        responses,
        design.n,
        "not_promising",
        f"{responses} responses in {design.n} <= r={design.r}: do not reject H0",
    )


__all__ = [
    "NMAX_LIMIT",
    "RULE_VERSION",
    "SIMON_RULES",
    "SimonDecision",
    "SimonDesign",
    "SimonSearchResult",
    "classify_simon_final",
    "classify_simon_stage1",
    "compute_simon_characteristics",
    "compute_simon_designs",
]
