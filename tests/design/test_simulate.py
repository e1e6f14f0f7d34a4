"""Simulated operating characteristics: reproducible and consistent with the exact figures."""

from __future__ import annotations

from abscopal.design.fisher import compute_fisher_power
from abscopal.design.simon import compute_simon_characteristics
from abscopal.design.simulate import (
    simulate_fisher,
    simulate_simon,
    simulate_single_stage,
    simulate_survival,
)
from abscopal.design.single_stage import compute_ahern_design
from abscopal.design.survival import compute_survival_sample_size


def test_same_seed_same_result_and_different_seed_differs() -> None:
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    a = simulate_simon(d, p=0.3, n_simulations=5000, seed=7)
    b = simulate_simon(d, p=0.3, n_simulations=5000, seed=7)
    c = simulate_simon(d, p=0.3, n_simulations=5000, seed=8)
    assert a == b
    assert a.reject_rate_ != c.reject_rate_


def test_simon_simulation_agrees_with_exact_characteristics() -> None:
    d = compute_simon_characteristics(1, 10, 5, 29, p0=0.1, p1=0.3)
    sim = simulate_simon(d, p=0.1, n_simulations=200_000, seed=1)
    assert abs(sim.reject_rate_ - d.alpha_) < 4 * sim.reject_rate_se_
    assert sim.early_stop_rate_ is not None
    assert abs(sim.early_stop_rate_ - d.pet0_) < 0.005
    assert abs(sim.mean_sample_size_ - d.en0_) < 0.1


def test_single_stage_simulation_agrees_with_exact_power() -> None:
    d = compute_ahern_design(0.1, 0.3, alpha=0.05, beta=0.2)
    sim = simulate_single_stage(d, p=0.3, n_simulations=100_000, seed=3)
    assert abs(sim.reject_rate_ - d.power_) < 4 * sim.reject_rate_se_


def test_fisher_simulation_agrees_with_exact_power() -> None:
    exact = compute_fisher_power(26, p_treatment=0.15, p_control=0.5, alpha=0.07, sides=1)
    sim = simulate_fisher(26, p_treatment=0.15, p_control=0.5, alpha=0.07, sides=1,
                          n_simulations=100_000, seed=11)
    assert abs(sim.reject_rate_ - exact.power_) < 4 * sim.reject_rate_se_


def test_survival_simulation_reaches_planned_power_and_keeps_alpha() -> None:
    d = compute_survival_sample_size(0.6, median_control_months=10, alpha=0.05, power=0.8,
                                     accrual_months=30, follow_up_months=18)
    alt = simulate_survival(d, n_simulations=600, seed=5)
    null = simulate_survival(d, hazard_ratio=1.0, n_simulations=600, seed=6)
    assert abs(alt.reject_rate_ - 0.8) < 4 * alt.reject_rate_se_
    assert abs(null.reject_rate_ - 0.05) < 4 * 0.0089  # s.e. of 0.05 with 600 runs
