"""``abscopal dose``: BED/EQD2, I-125 implants, EDIC and DVH metrics from DICOM-RT."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from abscopal.cli._common import console, handle_errors, print_json
from abscopal.errors import InputError
from abscopal.radiation.dvh import INTERPOLATION, DvhSummary, compute_dvh_summary
from abscopal.radiation.implant import (
    I125_HALF_LIFE_DAYS,
    ImplantRepopulation,
    compute_implant_bed,
)
from abscopal.radiation.lq import (
    Course,
    LQResult,
    Repopulation,
    compute_dose_per_fraction_for_bed,
    compute_eqdx,
    compute_lq,
    compute_summed_bed,
    compute_summed_eqd2,
)
from abscopal.radiation.lymphocyte import compute_edic

app = typer.Typer(
    help="Radiobiology and dose metrics: BED/EQD2, I-125 implants, EDIC, DVH from DICOM-RT.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
DosePerFraction = Annotated[
    float, typer.Option("--dose-per-fraction-gy", help="Physical dose per fraction (Gy).")
]
Fractions = Annotated[int, typer.Option("--fractions", help="Number of fractions.")]
AlphaBeta = Annotated[
    float, typer.Option("--alpha-beta-gy", help="alpha/beta (Gy); 'inf' allowed. No default.")
]
OverallTime = Annotated[
    float | None,
    typer.Option("--overall-time-days", help="Overall treatment time T (days) for repopulation."),
]
Kickoff = Annotated[
    float | None, typer.Option("--kickoff-days", help="Repopulation kick-off time Tk (days).")
]
Tpot = Annotated[
    float | None, typer.Option("--tpot-days", help="Potential doubling time Tpot (days).")
]
AlphaPerGy = Annotated[
    float | None, typer.Option("--alpha-per-gy", help="LQ alpha (1/Gy), with --tpot-days.")
]
Dprolif = Annotated[
    float | None,
    typer.Option("--dprolif-gy-per-day", help="BED lost per day beyond Tk (instead of Tpot)."),
]


def _repopulation(
    overall_time_days: float | None,
    kickoff_days: float | None,
    tpot_days: float | None,
    alpha_per_gy: float | None,
    dprolif_gy_per_day: float | None,
) -> Repopulation | None:
    given = [v is not None for v in (kickoff_days, tpot_days, alpha_per_gy, dprolif_gy_per_day)]
    if not any(given) and overall_time_days is None:
        return None
    if overall_time_days is None or kickoff_days is None:
        raise InputError(
            "repopulation needs --overall-time-days and --kickoff-days, plus either "
            "--dprolif-gy-per-day or both --tpot-days and --alpha-per-gy"
        )
    if dprolif_gy_per_day is not None:
        if tpot_days is not None or alpha_per_gy is not None:
            raise InputError("give --dprolif-gy-per-day or --tpot-days/--alpha-per-gy, not both")
        if not (math.isfinite(dprolif_gy_per_day) and dprolif_gy_per_day >= 0):
            raise InputError(f"'dprolif_gy_per_day' must be >= 0 (got {dprolif_gy_per_day!r})")
        return Repopulation(kickoff_days=kickoff_days, dprolif_gy_per_day=dprolif_gy_per_day,
                            description=f"Tk={kickoff_days:g} d, Dprolif="
                            f"{dprolif_gy_per_day:g} Gy/d")
    if tpot_days is None or alpha_per_gy is None:
        raise InputError("repopulation needs --dprolif-gy-per-day or both --tpot-days and "
                         "--alpha-per-gy")
    return Repopulation.from_tpot(kickoff_days=kickoff_days, tpot_days=tpot_days,
                                  alpha_per_gy=alpha_per_gy)


def _lq_dict(r: LQResult) -> dict[str, Any]:
    return {
        "model": r.model,
        "dose_per_fraction_gy": r.dose_per_fraction_gy,
        "fractions": r.fractions,
        "total_dose_gy": r.total_dose_gy,
        "alpha_beta_gy": r.alpha_beta_gy if math.isfinite(r.alpha_beta_gy) else "inf",
        "bed_gy": r.bed_gy,
        "bed_label": r.bed_label,
        "eqd2_gy": r.eqd2_gy,
        "eqd2_label": r.eqd2_label,
        "repopulation_gy": r.repopulation_gy,
        "caveats": list(r.caveats),
        "source": r.source,
    }


def _print_lq(r: LQResult, *, first: str) -> None:
    bed = f"{r.bed_label} = {r.bed_gy:.3f} Gy"
    eqd2 = f"{r.eqd2_label} = {r.eqd2_gy:.3f} Gy"
    console.print(f"{r.dose_per_fraction_gy:g} Gy x {r.fractions} = {r.total_dose_gy:g} Gy "
                  f"({r.model})", highlight=False)
    console.print("  " + (bed if first == "bed" else eqd2), highlight=False)
    console.print("  " + (eqd2 if first == "bed" else bed), highlight=False)
    if r.repopulation_gy:
        console.print(f"  repopulation: -{r.repopulation_gy:.3f} Gy BED", highlight=False)
    for c in r.caveats:
        console.print(f"  [yellow]caveat:[/] {c}", highlight=False)


def _lq_command(
    first: str,
    dose_per_fraction_gy: float,
    fractions: int,
    alpha_beta_gy: float,
    json_out: bool,
    repop_args: tuple[float | None, ...],
) -> LQResult:
    overall, kickoff, tpot, alpha, dprolif = repop_args
    repop = _repopulation(overall, kickoff, tpot, alpha, dprolif)
    r = compute_lq(dose_per_fraction_gy, fractions, alpha_beta_gy=alpha_beta_gy,
                   repopulation=repop, overall_time_days=overall if repop else None)
    if json_out:
        print_json(_lq_dict(r))
    else:
        _print_lq(r, first=first)
    return r


@app.command("bed")
@handle_errors
def bed(
    dose_per_fraction_gy: DosePerFraction,
    fractions: Fractions,
    alpha_beta_gy: AlphaBeta,
    overall_time_days: OverallTime = None,
    kickoff_days: Kickoff = None,
    tpot_days: Tpot = None,
    alpha_per_gy: AlphaPerGy = None,
    dprolif_gy_per_day: Dprolif = None,
    json_out: JsonFlag = False,
) -> None:
    """Biologically effective dose of n fractions of d Gy (LQ, optional repopulation)."""
    _lq_command("bed", dose_per_fraction_gy, fractions, alpha_beta_gy, json_out,
                (overall_time_days, kickoff_days, tpot_days, alpha_per_gy, dprolif_gy_per_day))


@app.command("eqd2")
@handle_errors
def eqd2(
    dose_per_fraction_gy: DosePerFraction,
    fractions: Fractions,
    alpha_beta_gy: AlphaBeta,
    reference_dose_per_fraction_gy: Annotated[
        float, typer.Option("--reference-dose-per-fraction-gy",
                            help="Reference fraction size x for EQDx (default 2 Gy).")
    ] = 2.0,
    overall_time_days: OverallTime = None,
    kickoff_days: Kickoff = None,
    tpot_days: Tpot = None,
    alpha_per_gy: AlphaPerGy = None,
    dprolif_gy_per_day: Dprolif = None,
    json_out: JsonFlag = False,
) -> None:
    """Equivalent dose in 2 Gy fractions (or EQDx with --reference-dose-per-fraction-gy)."""
    if reference_dose_per_fraction_gy != 2.0:
        if overall_time_days is not None:
            raise InputError("EQDx with x != 2 is computed without repopulation; drop "
                             "--overall-time-days or use x = 2")
        value = compute_eqdx(dose_per_fraction_gy, fractions, alpha_beta_gy=alpha_beta_gy,
                             reference_dose_per_fraction_gy=reference_dose_per_fraction_gy)
        label = f"EQD{reference_dose_per_fraction_gy:g}"
        if json_out:
            print_json({"eqdx_gy": value, "reference_dose_per_fraction_gy":
                        reference_dose_per_fraction_gy, "label": label, "model": "LQ",
                        "alpha_beta_gy": alpha_beta_gy if math.isfinite(alpha_beta_gy)
                        else "inf"})
        else:
            console.print(f"{label}(a/b={alpha_beta_gy:g}) = {value:.3f} Gy", highlight=False)
        return
    _lq_command("eqd2", dose_per_fraction_gy, fractions, alpha_beta_gy, json_out,
                (overall_time_days, kickoff_days, tpot_days, alpha_per_gy, dprolif_gy_per_day))


@app.command("fraction-size")
@handle_errors
def fraction_size(
    bed_gy: Annotated[float, typer.Option("--bed-gy", help="Target BED (Gy).")],
    fractions: Fractions,
    alpha_beta_gy: AlphaBeta,
    json_out: JsonFlag = False,
) -> None:
    """Dose per fraction that reaches a target BED in n fractions (inverse LQ)."""
    d = compute_dose_per_fraction_for_bed(bed_gy, fractions=fractions, alpha_beta_gy=alpha_beta_gy)
    if json_out:
        print_json({"dose_per_fraction_gy": d, "fractions": fractions, "bed_gy": bed_gy,
                    "alpha_beta_gy": alpha_beta_gy, "model": "LQ"})
    else:
        console.print(f"{d:.4f} Gy x {fractions} reaches BED{alpha_beta_gy:g} = {bed_gy:g} Gy",
                      highlight=False)


def _parse_course(text: str) -> Course:
    parts = text.lower().replace(" ", "").split("x")
    try:
        if len(parts) != 2:
            raise ValueError
        return Course(float(parts[0]), int(parts[1]), label=text)
    except ValueError:
        raise InputError(
            f"'--course' must look like DOSExFRACTIONS, e.g. 2x25 (got {text!r})"
        ) from None


@app.command("sum")
@handle_errors
def sum_(
    courses: Annotated[
        list[str], typer.Option("--course", help="A course as DOSExFRACTIONS (repeat).")
    ],
    alpha_beta_gy: AlphaBeta,
    json_out: JsonFlag = False,
) -> None:
    """Sum several courses as BED and EQD2 at one alpha/beta."""
    parsed = [_parse_course(c) for c in courses]
    total_bed = compute_summed_bed(parsed, alpha_beta_gy=alpha_beta_gy)
    total_eqd2 = compute_summed_eqd2(parsed, alpha_beta_gy=alpha_beta_gy)
    per = [compute_lq(c.dose_per_fraction_gy, c.fractions, alpha_beta_gy=alpha_beta_gy)
           for c in parsed]
    if json_out:
        print_json({"courses": [_lq_dict(r) for r in per], "bed_gy": total_bed,
                    "eqd2_gy": total_eqd2, "alpha_beta_gy": alpha_beta_gy})
        return
    for r in per:
        _print_lq(r, first="bed")
    console.print(f"total: BED{alpha_beta_gy:g} = {total_bed:.3f} Gy, EQD2 = {total_eqd2:.3f} Gy",
                  highlight=False)


@app.command("implant")
@handle_errors
def implant(
    d90_gy: Annotated[
        float, typer.Option("--d90-gy", help="Total dose to complete decay, e.g. D90 (Gy).")
    ],
    alpha_beta_gy: Annotated[
        float, typer.Option("--alpha-beta-gy", help="alpha/beta (Gy).")
    ] = 10.0,
    repair_half_time_h: Annotated[
        float, typer.Option("--repair-half-time-h", help="Repair half-time T_rep (h).")
    ] = 1.5,
    half_life_days: Annotated[
        float, typer.Option("--half-life-days", help="Source half-life (I-125 59.4 d).")
    ] = I125_HALF_LIFE_DAYS,
    days: Annotated[
        float | None, typer.Option("--days", help="Also report dose and BED by this day.")
    ] = None,
    alpha_per_gy: AlphaPerGy = None,
    tpot_days: Tpot = None,
    json_out: JsonFlag = False,
) -> None:
    """Permanent I-125 implant: initial dose rate, dose by day T, BED and EQD2 (Dale 1985)."""
    repop = None
    if (alpha_per_gy is None) != (tpot_days is None):
        raise InputError("repopulation needs both --alpha-per-gy and --tpot-days")
    if alpha_per_gy is not None and tpot_days is not None:
        repop = ImplantRepopulation(alpha_per_gy=alpha_per_gy, tpot_days=tpot_days)
    kwargs: dict[str, Any] = {"alpha_beta_gy": alpha_beta_gy,
                              "repair_half_time_h": repair_half_time_h,
                              "half_life_days": half_life_days}
    full = compute_implant_bed(d90_gy, repopulation=repop, **kwargs)
    by_day = compute_implant_bed(d90_gy, days=days, repopulation=repop, **kwargs) \
        if days is not None else None

    def as_dict(r: Any) -> dict[str, Any]:
        return {"evaluated_at_days": r.evaluated_at_days if math.isfinite(r.evaluated_at_days)
                else "inf", "dose_delivered_gy": r.dose_delivered_gy, "bed_gy": r.bed_gy,
                "eqd2_gy": r.eqd2_gy, "repopulation_gy": r.repopulation_gy}

    if json_out:
        print_json({
            "total_dose_gy": full.total_dose_gy,
            "initial_dose_rate_cgy_per_h": full.initial_dose_rate_gy_per_h * 100,
            "alpha_beta_gy": alpha_beta_gy, "repair_half_time_h": repair_half_time_h,
            "half_life_days": half_life_days,
            "repopulation": None if repop is None else {"alpha_per_gy": repop.alpha_per_gy,
                                                        "tpot_days": repop.tpot_days},
            "model": full.model, "source": full.source,
            "result": as_dict(full),
            "by_day": None if by_day is None else as_dict(by_day),
        })
        return
    console.print(f"I-125 implant, D = {full.total_dose_gy:g} Gy, R0 = "
                  f"{full.initial_dose_rate_gy_per_h * 100:.4f} cGy/h (T1/2 {half_life_days:g} d)",
                  highlight=False)
    console.print(f"  a/b = {alpha_beta_gy:g} Gy, T_rep = {repair_half_time_h:g} h; {full.model}",
                  highlight=False)
    when = ("complete decay" if math.isinf(full.evaluated_at_days)
            else f"Teff = {full.evaluated_at_days:.1f} d")
    console.print(f"  BED = {full.bed_gy:.3f} Gy, EQD2 = {full.eqd2_gy:.3f} Gy ({when})",
                  highlight=False)
    if by_day is not None:
        console.print(f"  by day {days:g}: dose {by_day.dose_delivered_gy:.3f} Gy, "
                      f"BED {by_day.bed_gy:.3f} Gy, EQD2 {by_day.eqd2_gy:.3f} Gy", highlight=False)


@app.command("edic")
@handle_errors
def edic(
    mean_lung_dose_gy: Annotated[float, typer.Option("--mean-lung-dose-gy", help="MLD (Gy).")],
    mean_heart_dose_gy: Annotated[float, typer.Option("--mean-heart-dose-gy", help="MHD (Gy).")],
    mean_body_dose_gy: Annotated[
        float, typer.Option("--mean-body-dose-gy", help="Mean dose of the External/Body ROI (Gy).")
    ],
    fractions: Fractions,
    json_out: JsonFlag = False,
) -> None:
    """Effective dose to circulating immune cells (EDIC, Jin et al.; thorax model)."""
    r = compute_edic(mean_lung_dose_gy, mean_heart_dose_gy=mean_heart_dose_gy,
                     mean_body_dose_gy=mean_body_dose_gy, fractions=fractions)
    if json_out:
        print_json({"edic_gy": r.edic_gy, "lung_component_gy": r.lung_component_gy,
                    "heart_component_gy": r.heart_component_gy,
                    "body_component_gy": r.body_component_gy, "fractions": r.fractions,
                    "model": r.model, "formula": r.formula, "references": list(r.references)})
        return
    console.print(f"EDIC = {r.edic_gy:.3f} Gy  ({r.formula})", highlight=False)
    console.print(f"  lung {r.lung_component_gy:.3f} + heart {r.heart_component_gy:.3f} + body "
                  f"{r.body_component_gy:.3f} Gy", highlight=False)


def _summary_dict(s: DvhSummary, extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": s.name, "volume_cc": s.volume_cc, "mean_gy": s.mean_gy, "min_gy": s.min_gy,
        "max_gy": s.max_gy,
    }
    out.update({f"D{k:g}_gy": v for k, v in s.dose_at_volume_percent_gy.items()})
    out.update({f"D{k:g}cc_gy": v for k, v in s.dose_at_volume_cc_gy.items()})
    out.update({f"V{k:g}_percent": v for k, v in s.volume_percent_of_prescription.items()})
    out.update({f"V{k:g}Gy_cc": v for k, v in s.volume_cc_at_dose_gy.items()})
    out.update(extra)
    out.update({"dose_units": s.dose_units, "source": s.source, "notes": list(s.notes)})
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def _header(key: str) -> str:
    for suffix, unit in (("_gy", ""), ("_percent", " %"), ("_cc", " cc")):
        if key.endswith(suffix):
            return key[: -len(suffix)].replace("volume", "vol") + unit
    return key


@app.command("dvh")
@handle_errors
def dvh(
    rtdose: Annotated[str, typer.Option("--rtdose", help="RT Dose DICOM file.")],
    rtstruct: Annotated[str, typer.Option("--rtstruct", help="RT Structure Set DICOM file.")],
    prescription_gy: Annotated[
        float | None, typer.Option("--prescription-gy", help="Prescription for V100/V150 (Gy).")
    ] = None,
    structures: Annotated[
        list[str] | None,
        typer.Option("--structure", help="ROI name or number (repeat; default all)."),
    ] = None,
    d_percent: Annotated[
        list[float] | None, typer.Option("--d-percent", help="Dx% to report (default 90).")
    ] = None,
    d_cc: Annotated[
        list[float] | None, typer.Option("--d-cc", help="Dxcc to report (default 2).")
    ] = None,
    v_gy: Annotated[
        list[float] | None, typer.Option("--v-gy", help="VxGy (cm3) to report.")
    ] = None,
    v_percent: Annotated[
        list[float] | None,
        typer.Option("--v-percent", help="V% of prescription (default 100, 150)."),
    ] = None,
    bin_width_gy: Annotated[
        float, typer.Option("--bin-width-gy", help="Histogram bin width (Gy).")
    ] = 0.01,
    embedded: Annotated[
        bool, typer.Option("--embedded", help="Also report the TPS DVH embedded in the RT Dose.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """DVH metrics per structure from an RT Dose + RT Structure Set (abscopal voxel method)."""
    # pydicom is a shell-only dependency, imported here so the other commands work without it.
    from abscopal.exchange.dicom_rt import (
        compute_structure_dvhs,
        read_rt_dose,
        read_rt_structure_set,
    )

    dose = read_rt_dose(rtdose)
    rtss = read_rt_structure_set(rtstruct)
    results = compute_structure_dvhs(dose, rtss, structures=structures, bin_width_gy=bin_width_gy)
    metric_args: dict[str, Any] = {
        "prescription_gy": prescription_gy,
        "volume_percents": tuple(d_percent) if d_percent else (90.0,),
        "volume_ccs": tuple(d_cc) if d_cc else (2.0,),
        "prescription_percents": tuple(v_percent) if v_percent else (100.0, 150.0),
        "dose_levels_gy": tuple(v_gy) if v_gy else (),
    }
    rows: list[dict[str, Any]] = []
    for number, r in results.items():
        s = compute_dvh_summary(r.dvh, **metric_args)
        rows.append(_summary_dict(s, {
            "roi_number": number, "dvh": "calculated",
            "voxel_mean_gy": r.mean_gy, "voxel_min_gy": r.min_gy, "voxel_max_gy": r.max_gy,
            "slab_thickness_mm": r.slab_thickness_mm,
            "extends_outside_dose_grid": r.extends_outside_grid,
        }))
        if embedded and number in dose.embedded_dvhs:
            e = compute_dvh_summary(dose.embedded_dvhs[number], **metric_args)
            rows.append(_summary_dict(e, {"roi_number": number, "dvh": "embedded",
                                          "name": s.name}))
    if json_out:
        print_json({"rtdose": rtdose, "rtstruct": rtstruct, "dose_units": dose.dose_units,
                    "dose_summation_type": dose.summation_type, "interpolation": INTERPOLATION,
                    "structures": rows})
        return
    if dose.dose_units != "GY":
        console.print(f"[yellow]note:[/] dose units are {dose.dose_units}, not Gy")
    if not rows:
        console.print("no structure with contours")
        return
    skip = {"roi_number", "name", "dvh", "dose_units", "source", "notes", "voxel_mean_gy",
            "voxel_min_gy", "voxel_max_gy", "slab_thickness_mm", "extends_outside_dose_grid"}
    cols = [k for k in rows[0] if k not in skip]
    console.print(f"DVH metrics (Gy, cm3; {INTERPOLATION})", highlight=False)
    for row in rows:
        metrics = ", ".join(f"{_header(c)} {_fmt(row.get(c))}" for c in cols)
        console.print(f"{row['roi_number']} {row['name']} [{row['dvh']}]: {metrics}",
                      highlight=False, markup=False, soft_wrap=True)
    for row in rows:
        if row.get("extends_outside_dose_grid"):
            console.print(f"[yellow]note:[/] {row['name']} extends outside the dose grid; only "
                          "its part inside the grid is counted", highlight=False)
