"""Bundled data: the five seed trials' protocols (and later small reference tables)."""

from __future__ import annotations

from importlib import resources

from abscopal.errors import InputError
from abscopal.protocol import Protocol, parse_protocol_text

_TRIALS = resources.files("abscopal.datasets") / "trials"


def list_trial_ids() -> list[str]:
    """Registry ids of the built-in protocols, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in _TRIALS.iterdir() if p.name.endswith(".yaml"))


def load_trial_text(registry_id: str) -> str:
    """The YAML text of a built-in protocol."""
    ids = list_trial_ids()
    if registry_id not in ids:
        raise InputError(
            f"'registry_id' must be one of the built-in trials {ids} (got {registry_id!r})"
        )
    return (_TRIALS / f"{registry_id}.yaml").read_text(encoding="utf-8")


def load_trial(registry_id: str) -> Protocol:
    """Load and validate a built-in protocol by registry id."""
    return parse_protocol_text(load_trial_text(registry_id), source=f"{registry_id}.yaml")


def load_trials() -> list[Protocol]:
    """All built-in protocols, in registry-id order."""
    return [load_trial(i) for i in list_trial_ids()]


__all__ = ["list_trial_ids", "load_trial", "load_trial_text", "load_trials"]
