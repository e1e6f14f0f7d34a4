"""Recompute what a protocol's statistical-design section claims, and report agreement."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

from abscopal.design.fisher import compute_fisher_power, compute_fisher_sample_size
from abscopal.design.simon import compute_simon_characteristics, compute_simon_designs
from abscopal.design.survival import (
    compute_logrank_power,
    compute_schoenfeld_events,
    compute_survival_sample_size,
)
from abscopal.errors import AbscopalError, InputError
from abscopal.protocol import (
    FisherExactDesign,
    Protocol,
    SimonTwoStageDesign,
    SurvivalDesign,
    UnstatedDesign,
)

RULE_VERSION = "design_check/abscopal-1"

POWER_ROUNDING_TOLERANCE = 0.005
"""A stated power counts as met 'within rounding' when the exact power is at most this far below
it (registries state powers as whole percentages, so 85 % covers 84.5 %..85.5 %)."""

CHECK_RULES: tuple[str, ...] = (
    "fisher_exact: exact power of Fisher's exact test at the stated n per arm by full "
    "enumeration; 'agrees' if exact power >= stated power, 'agrees_within_rounding' if it is at "
    "most 0.5 percentage points below, otherwise 'discrepancy'. The attained size at a common "
    "rate p_control and the smallest n per arm reaching the stated power are reported.",
    "simon_two_stage: with r1/n1, r/n stated, the exact alpha and power of that design are "
    "compared with the stated alpha (must not exceed) and power (same rounding rule); the "
    "optimal and minimax designs for the stated p0, p1, alpha, power are shown for comparison.",
    "logrank: Schoenfeld events and patients (uniform accrual, exponential survival, rpact's "
    "conversion) are compared with the stated total; 'agrees' if the stated total is at least "
    "the requirement.",
    "unstated: the registry gives a sample size but no calculation; nothing can be recomputed.",
)

Status = Literal["agrees", "agrees_within_rounding", "discrepancy", "incomplete", "not_checkable"]


@dataclass(frozen=True)
class DesignCheck:
    """The check of one statistical-design entry.

    Attributes
    ----------
    index : int
        Position in ``protocol.statistical_design``.
    method : str
        ``fisher_exact``, ``simon_two_stage``, ``logrank`` or ``unstated``.
    endpoint : str or None
        Endpoint id the design refers to.
    status : str
        ``agrees``, ``agrees_within_rounding``, ``discrepancy``, ``incomplete`` or
        ``not_checkable``.
    stated : dict
        What the registry states (the protocol fields).
    computed : dict
        The exact figures abscopal computed.
    reasons : tuple of str
        The reasoning, in words.
    registry_text : str
        The registry sentence the design was taken from.
    """

    index: int
    method: str
    endpoint: str | None
    status: Status
    stated: dict[str, object]
    computed: dict[str, object]
    reasons: tuple[str, ...]
    registry_text: str

    def describe(self) -> str:
        """Readable multi-line text."""
        head = f"[{self.index}] {self.method}" + (f" ({self.endpoint})" if self.endpoint else "")
        lines = [f"{head}: {self.status.upper().replace('_', ' ')}"]
        lines += [f"  - {r}" for r in self.reasons]
        lines.append(f'  registry: "{self.registry_text}"')
        return "\n".join(lines)


@dataclass(frozen=True)
class ProtocolDesignCheck:
    """All design checks of one protocol."""

    registry_id: str
    checks: tuple[DesignCheck, ...]
    rules: tuple[str, ...] = field(default=CHECK_RULES)
    rule_version: str = RULE_VERSION

    @property
    def has_discrepancy(self) -> bool:
        """True if any stated figure disagrees with the exact computation."""
        return any(c.status == "discrepancy" for c in self.checks)

    def describe(self) -> str:
        """Readable multi-line text."""
        if not self.checks:
            return f"{self.registry_id}: no statistical design stated"
        return "\n".join(
            [f"{self.registry_id}: statistical design check"] + [c.describe() for c in self.checks]
        )

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "registry_id": self.registry_id,
            "has_discrepancy": self.has_discrepancy,
            "checks": [asdict(c) for c in self.checks],
            "rules": list(self.rules),
            "rule_version": self.rule_version,
        }


def _power_status(exact: float, stated: float) -> Status:
    if exact >= stated - 1e-12:
        return "agrees"
    if exact >= stated - POWER_ROUNDING_TOLERANCE - 1e-12:
        return "agrees_within_rounding"
    return "discrepancy"


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _check_fisher(index: int, d: FisherExactDesign) -> DesignCheck:
    side = "one-sided" if d.sides == 1 else "two-sided"
    res = compute_fisher_power(
        d.n_per_arm, p_treatment=d.p_treatment, p_control=d.p_control, alpha=d.alpha, sides=d.sides
    )
    status = _power_status(res.power_, d.power)
    reasons = [
        f"Exact power of the {side} Fisher exact test at alpha {d.alpha:g} with {d.n_per_arm} per "
        f"arm for {d.p_control:g} (control) vs {d.p_treatment:g} (treatment), by enumerating all "
        f"{(d.n_per_arm + 1) ** 2} outcomes: {_pct(res.power_)} (stated {_pct(d.power)}).",
    ]
    gap = res.power_ - d.power
    if status == "agrees_within_rounding":
        reasons.append(
            f"The exact power is {-100 * gap:.2f} percentage points below the stated power: "
            "within the rounding of a whole percentage, but not at or above it."
        )
    elif status == "discrepancy":
        reasons.append(
            f"The exact power falls short of the stated power by {-100 * gap:.2f} "
            "percentage points."
        )
    reasons.append(
        f"Attained size: {_pct(res.size_at_control_rate_)} when both arms have rate "
        f"{d.p_control:g} (nominal {side} alpha {_pct(d.alpha)}); at most "
        f"{_pct(res.size_max_)} over all common rates. Fisher's test is conservative."
    )
    reasons.append(
        f"Normal approximation (no continuity correction) would claim "
        f"{_pct(res.normal_power_)} power."
    )
    computed: dict[str, object] = {
        "exact_power": res.power_,
        "attained_alpha_at_control_rate": res.size_at_control_rate_,
        "attained_alpha_max": res.size_max_,
        "normal_approximation_power": res.normal_power_,
    }
    try:
        ss = compute_fisher_sample_size(
            d.p_treatment, d.p_control, alpha=d.alpha, power=d.power, sides=d.sides
        )
    except AbscopalError:
        pass
    else:
        computed["smallest_n_per_arm_for_stated_power"] = ss.n_per_arm
        computed["exact_power_at_that_n"] = ss.power_at_n_
        reasons.append(
            f"Smallest n per arm whose exact power reaches {_pct(d.power)}: {ss.n_per_arm} "
            f"(exact power {_pct(ss.power_at_n_)})."
        )
    return DesignCheck(
        index=index,
        method=d.method,
        endpoint=d.endpoint,
        status=status,
        stated=d.model_dump(exclude={"registry_text", "method", "endpoint"}),
        computed=computed,
        reasons=tuple(reasons),
        registry_text=d.registry_text,
    )


def _check_simon(index: int, d: SimonTwoStageDesign) -> DesignCheck:
    stated = d.model_dump(exclude={"registry_text", "method", "endpoint"})
    if d.p0 is None or d.p1 is None:
        missing = [k for k in ("p0", "p1") if stated[k] is None]
        return DesignCheck(
            index=index,
            method=d.method,
            endpoint=d.endpoint,
            status="incomplete",
            stated=stated,
            computed={},
            registry_text=d.registry_text,
            reasons=(
                f"The registry does not state {' and '.join(missing)}; operating "
                "characteristics cannot be computed.",
            ),
        )
    reasons: list[str] = []
    computed: dict[str, object] = {}
    status: Status = "incomplete"
    if None not in (d.r1, d.n1, d.r, d.n):
        assert d.r1 is not None and d.n1 is not None and d.r is not None and d.n is not None
        try:
            given = compute_simon_characteristics(d.r1, d.n1, d.r, d.n, p0=d.p0, p1=d.p1)
        except InputError as exc:
            return DesignCheck(
                index=index,
                method=d.method,
                endpoint=d.endpoint,
                status="discrepancy",
                stated=stated,
                computed={},
                reasons=(f"The stated design is not a valid two-stage rule: {exc}",),
                registry_text=d.registry_text,
            )
        computed["stated_design"] = given.to_dict()
        reasons.append("Stated design " + given.describe().removeprefix("given: "))
        statuses: list[Status] = []
        if d.alpha is not None:
            ok = given.alpha_ <= d.alpha + 1e-12
            statuses.append("agrees" if ok else "discrepancy")
            reasons.append(
                f"Exact alpha {given.alpha_:.4f} {'<=' if ok else '>'} stated {d.alpha:g}."
            )
        if d.power is not None:
            st = _power_status(given.power_, d.power)
            statuses.append(st)
            reasons.append(
                f"Exact power {_pct(given.power_)} vs stated {_pct(d.power)}: "
                f"{st.replace('_', ' ')}."
            )
        if statuses:
            order: tuple[Status, ...] = ("discrepancy", "agrees_within_rounding", "agrees")
            status = next(s for s in order if s in statuses)
    if d.alpha is not None and d.power is not None:
        try:
            search = compute_simon_designs(d.p0, d.p1, alpha=d.alpha, beta=1 - d.power, nmax=200)
        except InputError as exc:
            reasons.append(f"No Simon design found: {exc}")
        else:
            computed["optimal"] = search.optimal.to_dict()
            computed["minimax"] = search.minimax.to_dict()
            reasons.append("For these inputs Simon's " + search.optimal.describe())
            reasons.append("and the " + search.minimax.describe())
            stated_rule = (d.r1, d.n1, d.r, d.n)
            for found in search.admissible:
                if (found.r1, found.n1, found.r, found.n) == stated_rule:
                    reasons.append(f"The stated design is the {found.label} design.")
    else:
        reasons.append("alpha and/or power are not stated, so no design search was run.")
    return DesignCheck(
        index=index,
        method=d.method,
        endpoint=d.endpoint,
        status=status,
        stated=stated,
        computed=computed,
        reasons=tuple(reasons),
        registry_text=d.registry_text,
    )


def _check_survival(index: int, d: SurvivalDesign) -> DesignCheck:
    stated = d.model_dump(exclude={"registry_text", "method", "endpoint"})
    needed = {"alpha": d.alpha, "power": d.power, "median_control_months": d.median_control_months}
    missing = [k for k, v in needed.items() if v is None]
    if d.hazard_ratio is None and d.median_treatment_months is None:
        missing.append("hazard_ratio or median_treatment_months")
    if missing:
        return DesignCheck(
            index=index,
            method=d.method,
            endpoint=d.endpoint,
            status="incomplete",
            stated=stated,
            computed={},
            registry_text=d.registry_text,
            reasons=(f"Not stated: {', '.join(missing)}; nothing to recompute.",),
        )
    assert d.alpha is not None and d.power is not None and d.median_control_months is not None
    sides = d.sides or 2
    reasons: list[str] = []
    if d.sides is None:
        reasons.append("Sidedness not stated; assumed two-sided.")
    if d.accrual_months is None or d.follow_up_months is None:
        hr = d.hazard_ratio or d.median_control_months / (d.median_treatment_months or 1.0)
        events = compute_schoenfeld_events(hr, alpha=d.alpha, power=d.power, sides=sides)
        reasons.append(
            f"Schoenfeld events for HR {hr:.3g}: {math.ceil(events)}; accrual and "
            "follow-up are not stated, so patients cannot be derived."
        )
        return DesignCheck(
            index=index,
            method=d.method,
            endpoint=d.endpoint,
            status="incomplete",
            stated=stated,
            computed={"events": events},
            reasons=tuple(reasons),
            registry_text=d.registry_text,
        )
    res = compute_survival_sample_size(
        d.hazard_ratio if d.median_treatment_months is None else None,
        median_control_months=d.median_control_months,
        median_treatment_months=d.median_treatment_months,
        alpha=d.alpha,
        power=d.power,
        sides=sides,
        accrual_months=d.accrual_months,
        follow_up_months=d.follow_up_months,
        dropout_rate=d.dropout_rate or 0.0,
    )
    reasons.append(res.describe())
    computed: dict[str, object] = {"events": res.events_, "n_total": res.n_total_}
    status: Status = "incomplete"
    if d.n_total is not None:
        expected_events = d.n_total * res.events_ / res.n_total_
        power_at_n = compute_logrank_power(
            expected_events, hazard_ratio=res.hazard_ratio, alpha=d.alpha, sides=sides
        )
        computed["power_at_stated_n"] = power_at_n
        status = "agrees" if d.n_total >= res.n_total else _power_status(power_at_n, d.power)
        reasons.append(
            f"Stated total {d.n_total} vs required {res.n_total}; with "
            f"{d.n_total} patients (~{expected_events:.1f} events) the power is "
            f"{_pct(power_at_n)}."
        )
    return DesignCheck(
        index=index,
        method=d.method,
        endpoint=d.endpoint,
        status=status,
        stated=stated,
        computed=computed,
        reasons=tuple(reasons),
        registry_text=d.registry_text,
    )


def _check_unstated(index: int, d: UnstatedDesign) -> DesignCheck:
    return DesignCheck(
        index=index,
        method=d.method,
        endpoint=None,
        status="not_checkable",
        stated={"n_total": d.n_total},
        computed={},
        registry_text=d.registry_text,
        reasons=(
            f"The registry states n = {d.n_total} without a calculation (no rates, alpha or "
            "power); nothing can be recomputed.",
        ),
    )


def validate_statistical_design(protocol: Protocol) -> ProtocolDesignCheck:
    """Recompute each statistical-design claim of a protocol and report agreement.

    Parameters
    ----------
    protocol : Protocol
        A validated protocol; its ``statistical_design`` entries are checked in order.

    Returns
    -------
    ProtocolDesignCheck
        One :class:`DesignCheck` per entry, with the exact figures and the reasoning.

    Rules
    -----
    See :data:`CHECK_RULES`.
    """
    if not isinstance(protocol, Protocol):
        raise InputError(f"'protocol' must be an abscopal.protocol.Protocol (got {type(protocol)})")
    checks: list[DesignCheck] = []
    for index, d in enumerate(protocol.statistical_design):
        if isinstance(d, FisherExactDesign):
            checks.append(_check_fisher(index, d))
        elif isinstance(d, SimonTwoStageDesign):
            checks.append(_check_simon(index, d))
        elif isinstance(d, SurvivalDesign):
            checks.append(_check_survival(index, d))
        else:
            checks.append(_check_unstated(index, d))
    return ProtocolDesignCheck(registry_id=protocol.identity.registry_id, checks=tuple(checks))


__all__ = [
    "CHECK_RULES",
    "POWER_ROUNDING_TOLERANCE",
    "RULE_VERSION",
    "DesignCheck",
    "ProtocolDesignCheck",
    "validate_statistical_design",
]
