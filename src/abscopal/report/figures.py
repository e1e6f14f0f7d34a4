"""Matplotlib figures for reports and the web UI, rendered to SVG text or PNG bytes.

Every function takes plain tables (already derived by the core) and returns a ``Figure``;
``to_svg`` / ``to_png`` serialise it. Nothing here computes a clinical result.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

RESPONSE_COLOURS = {"CR": "#1a9850", "PR": "#91cf60", "SD": "#fee08b", "PD": "#d73027",
                    "NE": "#bdbdbd", "NON-CR/NON-PD": "#fdae61"}
ARM_COLOURS = ("#2166ac", "#b2182b", "#4d9221", "#762a83", "#e08214")

plt.rcParams.update({"font.size": 8, "axes.titlesize": 9, "svg.fonttype": "none",
                     "figure.dpi": 100, "savefig.dpi": 300})


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document (text kept as text, so it prints and searches)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def to_png(fig: Figure, *, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def waterfall(best: pd.DataFrame, *, title: str = "Best change in sum of diameters") -> Figure:
    """Bars of best % change per subject, sorted, coloured by best overall response.

    Columns: ``subject_id``, ``best_pct_change``, ``bor``. Reference lines at +20 % and −30 %
    (RECIST 1.1 §4.3.1 thresholds).
    """
    data = best.dropna(subset=["best_pct_change"]).sort_values("best_pct_change",
                                                                ascending=False)
    fig, ax = plt.subplots(figsize=(6.5, 3))
    colours = [RESPONSE_COLOURS.get(str(r), "#999999") for r in data["bor"]]
    ax.bar(range(len(data)), data["best_pct_change"], color=colours, width=0.85)
    ax.axhline(20, color="#d73027", lw=0.8, ls="--")
    ax.axhline(-30, color="#1a9850", lw=0.8, ls="--")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks([])
    ax.set_ylabel("Best change from baseline (%)")
    ax.set_title(title)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in RESPONSE_COLOURS.values()]
    # Below the axes: inside, the legend would cover the tallest bars.
    ax.legend(handles, list(RESPONSE_COLOURS), ncol=6, fontsize=6, loc="upper center",
              bbox_to_anchor=(0.5, -0.02), frameon=False)
    return fig


def spider(changes: pd.DataFrame, *, title: str = "Change in tumour size over time") -> Figure:
    """Lines of % change from baseline against weeks, one per subject (or lesion).

    Columns: ``key`` (subject or lesion), ``days``, ``pct_change``, ``in_field`` (bool);
    in-field lines are solid, out-of-field dashed.
    """
    fig, ax = plt.subplots(figsize=(6.5, 3))
    for (_key, in_field), group in changes.groupby(["key", "in_field"], sort=True):
        g = group.sort_values("days")
        ax.plot(g["days"] / 7, g["pct_change"], lw=0.9, marker="o", ms=2,
                ls="-" if in_field else "--", color="#b2182b" if in_field else "#2166ac",
                label=None)
    ax.axhline(20, color="#d73027", lw=0.6, ls=":")
    ax.axhline(-30, color="#1a9850", lw=0.6, ls=":")
    ax.set_xlabel("Weeks from baseline")
    ax.set_ylabel("Change from baseline (%)")
    ax.plot([], [], color="#b2182b", label="in field (irradiated)")
    ax.plot([], [], color="#2166ac", ls="--", label="out of field")
    ax.legend(fontsize=6, frameon=False)
    ax.set_title(title)
    return fig


@dataclass(frozen=True)
class SwimLane:
    label: str
    end_day: float
    ongoing: bool
    events: Sequence[tuple[float, str]] = ()  # (day, marker kind: "rt", "drug", "resp", "pd", "ae", "death")


_MARKERS = {"rt": ("|", "#762a83"), "drug": (".", "#2166ac"), "resp": ("^", "#1a9850"),
            "pd": ("x", "#d73027"), "ae": ("*", "#e08214"), "death": ("s", "black")}


def swimmer(lanes: Sequence[SwimLane], *, title: str = "Time on study") -> Figure:
    """One horizontal bar per subject with event markers; arrow when still on study."""
    height = max(1.5, 0.18 * len(lanes) + 0.6)
    fig, ax = plt.subplots(figsize=(6.5, height))
    for y, lane in enumerate(lanes):
        ax.barh(y, lane.end_day / 7, color="#d9d9d9", height=0.6)
        if lane.ongoing:
            ax.annotate("", xy=(lane.end_day / 7 + 2, y), xytext=(lane.end_day / 7, y),
                        arrowprops={"arrowstyle": "->", "lw": 0.6})
        for day, kind in lane.events:
            marker, colour = _MARKERS[kind]
            ax.plot(day / 7, y, marker=marker, color=colour, ms=4, ls="none")
    ax.set_yticks(range(len(lanes)), [lane.label for lane in lanes], fontsize=5)
    ax.set_xlabel("Weeks from enrolment")
    ax.set_title(title)
    for kind, (marker, colour) in _MARKERS.items():
        ax.plot([], [], marker=marker, color=colour, ls="none", label=kind)
    ax.legend(fontsize=6, ncol=6, frameon=False, loc="lower right")
    return fig


@dataclass(frozen=True)
class KMCurve:
    label: str
    times: Sequence[float]  # step times (days), starting at 0
    survival: Sequence[float]
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None
    censor_times: Sequence[float] = ()
    censor_survival: Sequence[float] = ()


def kaplan_meier(curves: Sequence[KMCurve], *, at_risk: pd.DataFrame | None = None,
                 title: str = "Kaplan–Meier", xlabel: str = "Months") -> Figure:
    """Step curves with optional CI bands, censor ticks and a numbers-at-risk table.

    ``at_risk``: index = curve labels, columns = time points (months), values = counts.
    Times are in days and shown in months of 30.4375 days.
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for index, c in enumerate(curves):
        colour = ARM_COLOURS[index % len(ARM_COLOURS)]
        months = np.asarray(c.times, dtype=float) / 30.4375
        ax.step(months, c.survival, where="post", color=colour, lw=1.2, label=c.label)
        if c.lower is not None and c.upper is not None:
            ax.fill_between(months, c.lower, c.upper, step="post", color=colour, alpha=0.12)
        if len(c.censor_times):
            ax.plot(np.asarray(c.censor_times, dtype=float) / 30.4375, c.censor_survival, "|",
                    color=colour, ms=5)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Probability")
    ax.set_title(title)
    ax.legend(fontsize=7, frameon=False)
    if at_risk is not None and not at_risk.empty:
        ax.set_xticks(list(at_risk.columns))
        table = ax.table(cellText=at_risk.astype(int).astype(str).values,
                         rowLabels=list(at_risk.index), colLabels=None,
                         cellLoc="center", loc="bottom", bbox=Bbox.from_bounds(0.0, -0.42, 1.0, 0.2),
                         edges="open")
        table.set_fontsize(6)
        fig.subplots_adjust(bottom=0.3)
        ax.text(0, -0.19, "Number at risk", transform=ax.transAxes, fontsize=6)
    return fig


def consort(counts: dict[str, int], arms: dict[str, dict[str, int]]) -> Figure:
    """A CONSORT-style flow: screened → excluded / enrolled → per arm (allocated, treated,
    on study, discontinued, analysed)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.axis("off")

    def box(x: float, y: float, text: str) -> None:
        ax.text(x, y, text, ha="center", va="center", fontsize=7,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "#444444"})

    box(0.5, 0.92, f"Assessed for eligibility (n={counts.get('screened', 0)})")
    box(0.85, 0.74, f"Excluded (n={counts.get('excluded', 0)})")
    box(0.5, 0.6, f"Enrolled (n={counts.get('enrolled', 0)})")
    ax.annotate("", xy=(0.5, 0.66), xytext=(0.5, 0.87), arrowprops={"arrowstyle": "->"})
    ax.annotate("", xy=(0.72, 0.74), xytext=(0.5, 0.74), arrowprops={"arrowstyle": "->"})
    n = max(len(arms), 1)
    for index, (label, c) in enumerate(arms.items()):
        x = (index + 0.5) / n
        ax.annotate("", xy=(x, 0.42), xytext=(0.5, 0.55), arrowprops={"arrowstyle": "->"})
        lines = [label] + [f"{k.replace('_', ' ')}: {v}" for k, v in c.items()]
        box(x, 0.22, "\n".join(lines))
    return fig


def lab_over_time(frame: pd.DataFrame, *, threshold: float | None = None,
                  ylabel: str = "Lymphocytes (10^9/L)", title: str = "") -> Figure:
    """Median (IQR band) of a lab value by week and group. Columns: ``group``, ``week``,
    ``value``."""
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    for index, (group, g) in enumerate(frame.groupby("group", sort=True)):
        stats = g.groupby("week")["value"].quantile([0.25, 0.5, 0.75]).unstack()
        colour = ARM_COLOURS[index % len(ARM_COLOURS)]
        ax.plot(stats.index, stats[0.5], color=colour, lw=1.2, label=str(group))
        ax.fill_between(stats.index, stats[0.25], stats[0.75], color=colour, alpha=0.15)
    if threshold is not None:
        ax.axhline(threshold, color="#d73027", ls="--", lw=0.8)
    ax.set_xlabel("Weeks from enrolment")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, frameon=False)
    return fig


def histogram(values: Sequence[float], *, xlabel: str, title: str = "",
              band: tuple[float, float] | None = None) -> Figure:
    """Histogram with an optional shaded prescription band (e.g. D90 90–140 Gy)."""
    fig, ax = plt.subplots(figsize=(3.2, 2.4))
    ax.hist(list(values), bins=12, color="#4d9221", alpha=0.8)
    if band is not None:
        ax.axvspan(band[0], band[1], color="#b8e186", alpha=0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Subjects")
    ax.set_title(title)
    return fig
