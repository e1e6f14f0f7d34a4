"""Seeded demo data for the five seed trials (shell: used by `make run` and reports)."""

from abscopal.demo.simulate import SimulationSettings, simulate_trial

__all__ = ["SimulationSettings", "simulate_trial"]
