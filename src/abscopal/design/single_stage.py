"""Single-stage exact binomial phase II designs (A'Hern 2001)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

from abscopal.design._checks import check_count, check_open_unit, check_ordered_rates
from abscopal.errors import InputError

RULE_VERSION = "ahern_2001/abscopal-1"

AHERN_RULES: tuple[str, ...] = (
    "Enrol n patients; the treatment is promising iff at least r respond (A'Hern 2001, Stat Med "
    "20:859-866; r is A'Hern's 'minimum number of successes').",
    "Constraints on the exact binomial: P(X >= r | p0) <= alpha and P(X >= r | p1) >= 1 - beta.",
    "convention='smallest_n' (A'Hern, clinfun::ph2single): the smallest n for which some r meets "
    "both; convention='stable' (rpact's exact one-sample sizing): the smallest n from which every "
    "larger n up to nmax also meets them (binomial power is saw-toothed in n).",
    "For the chosen n, r is the smallest cut-off meeting alpha (the most powerful).",
)

Convention = Literal["smallest_n", "stable"]


@dataclass(frozen=True)
class SingleStageDesign:
    """An exact single-stage design: promising iff ``X >= r`` of ``n``.

    Attributes
    ----------
    n : int
        Patients.
    r : int
        Minimum number of responses to call the treatment promising.
    p0, p1, alpha, beta : float
        Inputs.
    alpha_, power_ : float
        Exact ``P(X >= r | p0)`` and ``P(X >= r | p1)``.
    convention : str
        How ``n`` was chosen (see :data:`AHERN_RULES`).
    """

    n: int
    r: int
    p0: float
    p1: float
    alpha: float
    beta: float
    alpha_: float
    power_: float
    convention: Convention
    rules: tuple[str, ...] = field(default=AHERN_RULES)
    rule_version: str = RULE_VERSION

    def describe(self) -> str:
        """One readable line."""
        return (
            f"A'Hern single-stage: n = {self.n}, promising iff >= {self.r} responses "
            f"(exact alpha {self.alpha_:.4f}, exact power {self.power_:.4f}; "
            f"{self.convention.replace('_', ' ')} convention)"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        data = asdict(self)
        data["rules"] = list(self.rules)
        return data


def _feasible_r(
    n: int, p0: float, p1: float, alpha: float, beta: float
) -> tuple[int, float, float] | None:
    r = np.arange(0, n + 2)
    a = stats.binom.sf(r - 1, n, p0)  # P(X >= r)
    ok_alpha = np.flatnonzero(a <= alpha + 1e-12)
    r_min = int(ok_alpha[0])
    power = float(stats.binom.sf(r_min - 1, n, p1))
    if power >= 1.0 - beta - 1e-12:
        return r_min, float(a[r_min]), power
    return None


def compute_ahern_design(
    p0: float,
    p1: float,
    *,
    alpha: float,
    beta: float,
    nmax: int = 500,
    convention: Convention = "smallest_n",
) -> SingleStageDesign:
    """Smallest exact single-stage design (A'Hern 2001).

    Parameters
    ----------
    p0 : float
        Response rate of no interest, strictly between 0 and 1.
    p1 : float
        Target response rate, ``p0 < p1 < 1``.
    alpha : float
        One-sided type I error bound.
    beta : float
        Type II error bound (power ``1 - beta``).
    nmax : int
        Largest ``n`` searched (default 500).
    convention : {"smallest_n", "stable"}
        See Rules.

    Returns
    -------
    SingleStageDesign

    Raises
    ------
    InputError
        Bad arguments or no design with ``n <= nmax``.

    Rules
    -----
    See :data:`AHERN_RULES`.

    Examples
    --------
    >>> d = compute_ahern_design(0.1, 0.3, alpha=0.05, beta=0.2)
    >>> (d.n, d.r)
    (25, 6)
    """
    p0 = check_open_unit("p0", p0)
    p1 = check_open_unit("p1", p1)
    check_ordered_rates(p0, p1)
    alpha = check_open_unit("alpha", alpha)
    beta = check_open_unit("beta", beta)
    check_count("nmax", nmax, minimum=1, maximum=5000)
    if convention not in ("smallest_n", "stable"):
        raise InputError(f"'convention' must be 'smallest_n' or 'stable' (got {convention!r})")
    found: dict[int, tuple[int, float, float] | None] = {}
    for n in range(1, nmax + 1):
        found[n] = _feasible_r(n, p0, p1, alpha, beta)
        if convention == "smallest_n" and found[n] is not None:
            break
    no_design = InputError(
        f"no single-stage design with n <= nmax={nmax} meets alpha={alpha:g}, "
        f"power={1 - beta:g} for p0={p0:g}, p1={p1:g} under the {convention!r} convention; "
        "increase 'nmax'"
    )
    last = max(found)
    if found[last] is None:
        raise no_design
    n_star = last
    if convention == "stable":
        while n_star > 1 and found[n_star - 1] is not None:
            n_star -= 1
    chosen = found[n_star]
    assert chosen is not None
    r, a, pw = chosen
    return SingleStageDesign(
        n=n_star,
        r=r,
        p0=p0,
        p1=p1,
        alpha=alpha,
        beta=beta,
        alpha_=a,
        power_=pw,
        convention=convention,
    )


__all__ = ["AHERN_RULES", "RULE_VERSION", "SingleStageDesign", "compute_ahern_design"]
