"""``abscopal randomisation``: balance simulation before go-live."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from abscopal.cli._common import console, handle_errors, print_json
from abscopal.datasets import load_trial
from abscopal.errors import InputError
from abscopal.protocol import PATIENT_FIELDS, Protocol, Randomised
from abscopal.randomisation import (
    METHODS,
    derive_allocation_ratio,
    derive_strata,
    simulate_balance,
)

app = typer.Typer(help="Randomisation: balance simulation.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _default_stage(protocol: Protocol) -> str | None:
    """The first stage with randomised arms (None when the trial has no stages)."""
    for stage in protocol.design.stages:
        arms = [a for a in protocol.arms if not a.stages or stage.id in a.stages]
        if sum(isinstance(a.assignment, Randomised) for a in arms) >= 2:
            return stage.id
    return None


def _parse_factors(specs: list[str], strata: tuple[str, ...]) -> dict[str, list[object]]:
    levels: dict[str, list[object]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        if not sep or not name or not values:
            raise InputError(f"'--factor' must look like name=level1,level2 (got {spec!r})")
        levels[name] = [v for v in values.split(",") if v]
    for field in strata:
        if field in levels:
            continue
        info = PATIENT_FIELDS.get(field)
        if info is not None and info.type == "bool":
            levels[field] = [False, True]
        else:
            raise InputError(
                f"stratum {field!r} of the protocol needs its levels: --factor {field}=a,b"
            )
    return levels


@app.command("simulate")
@handle_errors
def simulate(
    protocol_id: Annotated[str, typer.Option("--protocol", help="Built-in trial registry id.")],
    n: Annotated[int, typer.Option("--n", help="Participants per simulated trial.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")],
    method: Annotated[str, typer.Option(help=f"One of {', '.join(METHODS)}.")] = "permuted_blocks",
    trials: Annotated[int, typer.Option("--trials", help="Simulated trials.")] = 1000,
    stage: Annotated[str | None, typer.Option(help="Stage id (default: first randomised).")] = None,
    factor: Annotated[
        list[str] | None,
        typer.Option(help="Prognostic factor and levels, e.g. ecog=0,1 (repeatable)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Simulate allocation balance for a trial's randomised arms."""
    protocol = load_trial(protocol_id)
    stage_id = stage if stage is not None else _default_stage(protocol)
    ratio = derive_allocation_ratio(protocol, stage_id=stage_id)
    levels = _parse_factors(factor or [], derive_strata(protocol, stage_id=stage_id))
    if method not in METHODS:
        raise InputError(f"'--method' must be one of {list(METHODS)} (got {method!r})")
    summary = simulate_balance(
        ratio, n=n, seed=seed, method=method, n_trials=trials,
        factor_levels=levels,
    )
    data = {"protocol": protocol_id, "stage": stage_id, **asdict(summary)}
    if json_out:
        print_json(data)
        return
    console.print(
        f"[bold]{protocol_id}[/] stage {stage_id or '-'}: {summary.method}, ratio "
        + ":".join(str(w) for _, w in summary.ratio) + f" ({', '.join(a for a, _ in summary.ratio)})"
    )
    console.print(f"{summary.n_trials} simulated trials of n={summary.n}, seed {seed}"
                  + (f", factors {', '.join(summary.factors)}" if summary.factors else ""))
    console.print(f"total imbalance: mean {summary.mean_total_imbalance:.2f}, "
                  f"95th percentile {summary.p95_total_imbalance:.0f}, "
                  f"max {summary.max_total_imbalance:.0f}")
    for threshold, share in summary.p_total_imbalance_over:
        console.print(f"  P(imbalance > {threshold}) = {share:.3f}")
    if summary.factors:
        console.print(f"mean worst within-stratum imbalance: "
                      f"{summary.mean_max_stratum_imbalance:.2f}; mean worst factor-level "
                      f"imbalance: {summary.mean_max_marginal_imbalance:.2f}")
    console.print("mean arm sizes: " + ", ".join(f"{a} {c:.1f}" for a, c in summary.mean_arm_counts))
