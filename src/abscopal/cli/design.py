"""``abscopal design``: Simon, A'Hern, Fisher exact, survival sizes, and protocol design checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from abscopal.cli._common import console, handle_errors, print_json, read_text
from abscopal.datasets import list_trial_ids, load_trial
from abscopal.design import (
    SimulatedCharacteristics,
    compute_ahern_design,
    compute_fisher_power,
    compute_fisher_sample_size,
    compute_simon_designs,
    compute_survival_sample_size,
    simulate_fisher,
    simulate_simon,
    simulate_single_stage,
    simulate_survival,
    validate_statistical_design,
)
from abscopal.errors import InputError
from abscopal.protocol import Protocol, parse_protocol_text

app = typer.Typer(
    help="Trial design: Simon two-stage, A'Hern, Fisher exact power, survival; check a protocol.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
Alpha = Annotated[float, typer.Option("--alpha", help="Type I error (one-sided for Simon/A'Hern).")]


Simulate = Annotated[
    int,
    typer.Option("--simulate", help="Also simulate N trials under H0 and H1 (0 = no simulation)."),
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the simulation (reproducible).")]
DEFAULT_SEED = 20240601


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _emit(
    result: dict[str, object], text: str, sims: list[SimulatedCharacteristics], json_out: bool
) -> None:
    if json_out:
        if sims:
            result = {**result, "simulations": [s.to_dict() for s in sims]}
        print_json(result)
        return
    _say(text)
    for sim in sims:
        _say("  simulated: " + sim.describe())


@app.command("simon")
@handle_errors
def simon(
    p0: Annotated[float, typer.Option("--p0", help="Response rate of no interest (H0).")],
    p1: Annotated[float, typer.Option("--p1", help="Target response rate (H1).")],
    alpha: Alpha,
    beta: Annotated[float, typer.Option("--beta", help="Type II error (power = 1 - beta).")],
    nmax: Annotated[int, typer.Option("--nmax", help="Largest total n searched.")] = 100,
    strict: Annotated[
        bool, typer.Option("--strict", help="Require alpha/beta strictly (clinfun's convention).")
    ] = False,
    simulate: Simulate = 0,
    seed: Seed = DEFAULT_SEED,
    json_out: JsonFlag = False,
) -> None:
    """Simon (1989) optimal and minimax two-stage designs, and the admissible ones between."""
    res = compute_simon_designs(
        p0, p1, alpha=alpha, beta=beta, nmax=nmax, allow_equality=not strict
    )
    sims = (
        [
            simulate_simon(d, p=p, n_simulations=simulate, seed=seed)
            for d in (res.optimal, res.minimax)
            for p in (p0, p1)
        ]
        if simulate
        else []
    )
    _emit(res.to_dict(), res.describe(), sims, json_out)


@app.command("ahern")
@handle_errors
def ahern(
    p0: Annotated[float, typer.Option("--p0", help="Response rate of no interest (H0).")],
    p1: Annotated[float, typer.Option("--p1", help="Target response rate (H1).")],
    alpha: Alpha,
    beta: Annotated[float, typer.Option("--beta", help="Type II error (power = 1 - beta).")],
    nmax: Annotated[int, typer.Option("--nmax", help="Largest n searched.")] = 500,
    stable: Annotated[
        bool, typer.Option("--stable", help="Smallest n from which all larger n also qualify.")
    ] = False,
    simulate: Simulate = 0,
    seed: Seed = DEFAULT_SEED,
    json_out: JsonFlag = False,
) -> None:
    """A'Hern (2001) exact single-stage design."""
    res = compute_ahern_design(
        p0, p1, alpha=alpha, beta=beta, nmax=nmax, convention="stable" if stable else "smallest_n"
    )
    sims = (
        [simulate_single_stage(res, p=p, n_simulations=simulate, seed=seed) for p in (p0, p1)]
        if simulate
        else []
    )
    _emit(res.to_dict(), res.describe(), sims, json_out)


@app.command("fisher")
@handle_errors
def fisher(
    p_control: Annotated[float, typer.Option("--p-control", help="Control-arm rate.")],
    p_treatment: Annotated[float, typer.Option("--p-treatment", help="Treatment-arm rate.")],
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")],
    one_sided: Annotated[bool, typer.Option("--one-sided", help="One-sided test.")] = False,
    n_per_arm: Annotated[
        int | None, typer.Option("--n-per-arm", help="Compute exact power at this n per arm.")
    ] = None,
    power: Annotated[
        float | None, typer.Option("--power", help="Find the smallest n per arm for this power.")
    ] = None,
    simulate: Simulate = 0,
    seed: Seed = DEFAULT_SEED,
    json_out: JsonFlag = False,
) -> None:
    """Exact power of Fisher's exact test, or the smallest n per arm for a target power."""
    if (n_per_arm is None) == (power is None):
        raise InputError("give exactly one of '--n-per-arm' or '--power'")
    sides = 1 if one_sided else 2
    if n_per_arm is not None:
        res_p = compute_fisher_power(
            n_per_arm, p_treatment=p_treatment, p_control=p_control, alpha=alpha, sides=sides
        )
        result, text, n = res_p.to_dict(), res_p.describe(), n_per_arm
    else:
        assert power is not None
        res_n = compute_fisher_sample_size(
            p_treatment, p_control, alpha=alpha, power=power, sides=sides
        )
        result, text, n = res_n.to_dict(), res_n.describe(), res_n.n_per_arm
    sims = (
        [
            simulate_fisher(
                n,
                p_treatment=p_t,
                p_control=p_control,
                alpha=alpha,
                sides=sides,
                lower=p_treatment < p_control,
                n_simulations=simulate,
                seed=seed,
            )
            for p_t in (p_control, p_treatment)
        ]
        if simulate
        else []
    )
    _emit(result, text, sims, json_out)


@app.command("survival")
@handle_errors
def survival(
    median_control: Annotated[
        float, typer.Option("--median-control", help="Control median, months (exponential).")
    ],
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")],
    power: Annotated[float, typer.Option("--power", help="Target power.")],
    accrual: Annotated[float, typer.Option("--accrual", help="Uniform accrual period, months.")],
    follow_up: Annotated[
        float, typer.Option("--follow-up", help="Follow-up after last patient enrolled, months.")
    ],
    hazard_ratio: Annotated[
        float | None, typer.Option("--hazard-ratio", help="Treatment vs control hazard ratio.")
    ] = None,
    median_treatment: Annotated[
        float | None, typer.Option("--median-treatment", help="Treatment median, months.")
    ] = None,
    one_sided: Annotated[bool, typer.Option("--one-sided", help="One-sided test.")] = False,
    allocation: Annotated[
        float, typer.Option("--allocation", help="Fraction allocated to treatment.")
    ] = 0.5,
    dropout_rate: Annotated[
        float, typer.Option("--dropout-rate", help="Probability of dropout by 12 months.")
    ] = 0.0,
    lachin_foulkes: Annotated[
        bool, typer.Option("--lachin-foulkes", help="Lachin-Foulkes instead of Schoenfeld.")
    ] = False,
    simulate: Simulate = 0,
    seed: Seed = DEFAULT_SEED,
    json_out: JsonFlag = False,
) -> None:
    """Events (Schoenfeld) and patients for a log-rank comparison with accrual and follow-up."""
    res = compute_survival_sample_size(
        hazard_ratio,
        median_control_months=median_control,
        median_treatment_months=median_treatment,
        alpha=alpha,
        power=power,
        sides=1 if one_sided else 2,
        accrual_months=accrual,
        follow_up_months=follow_up,
        allocation=allocation,
        dropout_rate=dropout_rate,
        method="lachin_foulkes" if lachin_foulkes else "schoenfeld",
    )
    sims = (
        [
            simulate_survival(res, hazard_ratio=hr, n_simulations=simulate, seed=seed)
            for hr in (1.0, res.hazard_ratio)
        ]
        if simulate
        else []
    )
    _emit(res.to_dict(), res.describe(), sims, json_out)


def _builtin_ids() -> list[str]:
    try:
        return list_trial_ids()
    except FileNotFoundError:  # no built-in protocols packaged yet
        return []


def _load_protocol(ref: str) -> Protocol:
    if ref in _builtin_ids():
        return load_trial(ref)
    if ref == "-" or Path(ref).is_file():
        return parse_protocol_text(read_text(ref), source=ref)
    raise InputError(
        f"'PROTOCOL' must be a built-in registry id {_builtin_ids()} or a protocol YAML/JSON "
        f"file (got {ref!r}, which is neither)"
    )


@app.command("check")
@handle_errors
def check(
    protocol: Annotated[
        str, typer.Argument(help="Built-in registry id (e.g. NCT06439888) or a protocol file.")
    ],
    json_out: JsonFlag = False,
) -> None:
    """Recompute a protocol's stated sample-size claims and report agreement or discrepancy."""
    res = validate_statistical_design(_load_protocol(protocol))
    if json_out:
        print_json(res.to_dict())
        return
    _say(res.describe())
