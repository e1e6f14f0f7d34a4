"""Render a :class:`TrialReport` to HTML (Jinja2, figures as inline SVG) and PDF (WeasyPrint).

Figures come from :mod:`abscopal.report.figures` (matplotlib, 300 dpi / vector); this module
only reshapes the report model into the tables those functions take.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abscopal.protocol import Protocol, RadiationIntervention
from abscopal.report import figures
from abscopal.report.model import ALL, TrialReport, _as_date

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("abscopal.report", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
PDF_DPI = 150
"""Resolution of the PNG figures in the PDF (print quality at the printed width of ~17 cm)."""
_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)


def _inline(svg: str) -> str:
    """Matplotlib's SVG document without its XML prolog, ready to sit inside HTML."""
    return _PROLOG.sub("", svg, count=1)


def embed(fig: Figure, *, for_pdf: bool = False) -> str:
    """HTML for a figure: inline SVG (vector, searchable text) for the HTML report; a PDF_DPI
    PNG for the PDF, which WeasyPrint lays out an order of magnitude faster than large SVGs."""
    if for_pdf:
        data = base64.b64encode(figures.to_png(fig, dpi=PDF_DPI)).decode("ascii")
        return f'<img alt="figure" src="data:image/png;base64,{data}">'
    return _inline(figures.to_svg(fig))


def _fmt(value: float, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "NR"
    return f"{value:.{digits}f}{unit}"


def _pct(value: float) -> str:
    return _fmt(100 * value, 1, "%")


def _months(days: float) -> str:
    return _fmt(days / 30.4375, 1)


def _arm_groups(report: TrialReport) -> list[Any]:
    return [g for g in report.groups if g.key != ALL] or list(report.groups)


# --------------------------------------------------------------------------- figures


def _consort_figure(report: TrialReport) -> Figure:
    c = report.consort
    arms: dict[str, dict[str, int]] = {}
    for a in c.arms:
        counts = {"allocated": a.allocated}
        if a.received_rt >= 0:
            counts |= {"received_RT": a.received_rt, "received_drug": a.received_drug}
        counts |= {"discontinued": a.discontinued, "died": a.died,
                   "evaluable": a.evaluable_for_response}
        arms[a.label if len(a.label) <= 34 else a.label[:33] + "…"] = counts
    fig = figures.consort({"screened": c.screened, "excluded": c.excluded,
                           "enrolled": c.enrolled}, arms)
    return fig


def best_change_table(report: TrialReport) -> pd.DataFrame:
    """Best (most negative) % change of the RECIST 1.1 target sum per subject, with BOR."""
    rows = []
    for sid, ev in report.derived.evaluations.items():
        changes = [float(tp.change_from_baseline_pct) for tp in ev.recist11.timepoints
                   if tp.change_from_baseline_pct is not None]
        rows.append({"subject_id": sid, "best_pct_change": min(changes) if changes else np.nan,
                     "bor": ev.recist11.best_overall_response.response.value})
    return pd.DataFrame(rows, columns=["subject_id", "best_pct_change", "bor"])


def _waterfalls(report: TrialReport) -> list[tuple[str, Figure]]:
    best = best_change_table(report).set_index("subject_id")
    out = []
    for g in _arm_groups(report):
        sub = best.loc[[i for i in g.subject_ids if i in best.index]].reset_index()
        if sub["best_pct_change"].notna().any():
            fig = figures.waterfall(sub, title=f"Best change in target sum: {g.label}")
            out.append((g.label, fig))
    return out


def _spider(report: TrialReport) -> Figure:
    rows = []
    for sid, ev in report.derived.evaluations.items():
        base = ev.recist11.baseline_date
        if report.blinded:
            # Subject level: lesion in-field flags would reveal who was irradiated.
            rows.append({"key": sid, "days": 0, "pct_change": 0.0, "in_field": False})
            for tp in ev.recist11.timepoints:
                if tp.change_from_baseline_pct is not None:
                    rows.append({"key": sid, "days": (tp.assessment_date - base).days,
                                 "pct_change": float(tp.change_from_baseline_pct),
                                 "in_field": False})
            continue
        for les in ev.abscopal.lesions:
            key = f"{sid}:{les.lesion_id}"
            rows.append({"key": key, "days": 0, "pct_change": 0.0, "in_field": les.in_field})
            for ltp in les.timepoints:
                if ltp.change_from_baseline_pct is not None:
                    rows.append({"key": key, "days": (ltp.assessment_date - base).days,
                                 "pct_change": float(ltp.change_from_baseline_pct),
                                 "in_field": les.in_field})
    frame = pd.DataFrame(rows, columns=["key", "days", "pct_change", "in_field"])
    title = ("Change in target sum over time (per subject)" if report.blinded
             else "Change in target lesion size over time (per lesion)")
    fig = figures.spider(frame, title=title)
    if report.blinded:
        legend = fig.axes[0].get_legend()
        if legend is not None:
            legend.remove()
    return fig


def _swimmer(report: TrialReport, protocol: Protocol) -> Figure:
    data = report.derived.data
    subjects = data.subjects[data.subjects["enrolment_date"].notna()].copy()
    subjects["subject_id"] = subjects["subject_id"].astype(str)
    common = set.intersection(*[set(a.interventions) for a in protocol.arms])
    rt_ids = {i.id for i in protocol.interventions if isinstance(i, RadiationIntervention)}
    show_rt = not report.blinded or rt_ids <= common
    first_rt = (data.rt_fractions.assign(subject_id=data.rt_fractions["subject_id"].astype(str))
                .groupby("subject_id")["fraction_date"].min().to_dict())
    lanes = []
    for row in subjects.to_dict("records"):
        sid = row["subject_id"]
        start = _as_date(row["enrolment_date"])
        assert start is not None
        end = _as_date(row["death_date"]) or _as_date(row["last_contact_date"]) or report.data_cut
        events: list[tuple[float, str]] = []
        if show_rt and sid in first_rt:
            events.append(((_as_date(first_rt[sid]) - start).days, "rt"))  # type: ignore[operator]
        ev = report.derived.evaluations.get(sid)
        if ev is not None:
            bor = ev.recist11.best_overall_response
            if bor.first_response_date is not None:
                events.append(((bor.first_response_date - start).days, "resp"))
            if bor.pd_date is not None:
                events.append(((bor.pd_date - start).days, "pd"))
        death = _as_date(row["death_date"])
        if death is not None:
            events.append(((death - start).days, "death"))
        ongoing = death is None and _as_date(row["off_study_date"]) is None
        lanes.append(figures.SwimLane(sid, float((end - start).days), ongoing, tuple(events)))
    lanes.sort(key=lambda lane: lane.end_day)
    return figures.swimmer(lanes)


def _km_figure(report: TrialReport, endpoint: str) -> Figure:
    ep = report.endpoint(endpoint)
    plotted = [sg for sg in ep.groups if sg.group != ALL] or list(ep.groups)
    curves = []
    for sg in plotted:
        km = sg.km
        times = np.concatenate([[0.0], km.timeline_])
        surv = np.concatenate([[1.0], km.survival_])
        lower = np.concatenate([[1.0], np.nan_to_num(km.ci_lower_, nan=0.0)])
        upper = np.concatenate([[1.0], np.nan_to_num(km.ci_upper_, nan=1.0)])
        censored = km.n_censored_at_ > 0
        curves.append(figures.KMCurve(str(km.label), times.tolist(), surv.tolist(),
                                      lower.tolist(), upper.tolist(),
                                      km.timeline_[censored].tolist(),
                                      km.survival_[censored].tolist()))
    labels = [str(sg.km.label) for sg in plotted]
    at_risk = pd.DataFrame([ep.at_risk[label] for label in labels],
                           index=[label if len(label) <= 24 else label[:23] + "…"
                                  for label in labels], columns=list(ep.at_risk_months))
    fig = figures.kaplan_meier(curves, at_risk=at_risk, title=ep.title)
    return fig


def _lymphocytes(report: TrialReport) -> Figure | None:
    data = report.derived.data
    labs = data.labs[data.labs["test"] == "LYM"]
    if labs.empty:
        return None
    enrol = {str(k): _as_date(v) for k, v in zip(data.subjects["subject_id"],
                                                  data.subjects["enrolment_date"], strict=True)}
    group_of = {i: g.label for g in _arm_groups(report) for i in g.subject_ids}
    rows = []
    for sid, day, value in zip(labs["subject_id"].astype(str), labs["lab_date"], labs["value"],
                               strict=True):
        start, when = enrol.get(sid), _as_date(day)
        if sid in group_of and start is not None and when is not None:
            rows.append({"group": group_of[sid], "week": round((when - start).days / 7),
                         "value": float(value)})
    frame = pd.DataFrame(rows)
    # Weeks with few samples make a jagged median; keep weeks with >= 3 values per group.
    frame = frame.groupby(["group", "week"]).filter(lambda g: len(g) >= 3)
    fig = figures.lab_over_time(frame, title="Lymphocyte count: median and IQR by week")
    return fig


def _histograms(report: TrialReport, protocol: Protocol) -> list[Figure]:
    out = []
    dm = report.derived.data.dose_metrics
    names = {i.id: i for i in protocol.interventions}
    for row in report.dose_metrics:
        ivs = [i for i in names.values() if getattr(i, "name", None) == row.intervention]
        iv = ivs[0] if ivs else None
        values = dm[(dm["metric"] == row.metric)
                    & (dm["intervention_id"] == (iv.id if iv else ""))]["value"].astype(float)
        band = None
        if isinstance(iv, RadiationIntervention):
            for r in iv.prescription:
                if r.metric.value == row.metric and r.min_gy is not None and r.max_gy is not None:
                    band = (r.min_gy, r.max_gy)
        fig = figures.histogram(list(values), xlabel=f"{row.metric} ({row.unit})",
                                title=f"{row.metric}", band=band)
        out.append(fig)
    return out


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class ReportFigures:
    """Every figure of a report, built once (matplotlib Figures)."""

    consort: Figure
    waterfalls: tuple[tuple[str, Figure], ...]
    spider: Figure
    swimmer: Figure
    km: tuple[tuple[str, Figure], ...]
    lymphocytes: Figure | None
    histograms: tuple[Figure, ...]


def build_figures(report: TrialReport, protocol: Protocol) -> ReportFigures:
    """Build the report's figures from the report model (see ``figures.py`` for each)."""
    return ReportFigures(
        consort=_consort_figure(report),
        waterfalls=tuple(_waterfalls(report)),
        spider=_spider(report),
        swimmer=_swimmer(report, protocol),
        km=tuple((ep.endpoint, _km_figure(report, ep.endpoint)) for ep in report.survival),
        lymphocytes=_lymphocytes(report),
        histograms=tuple(_histograms(report, protocol)),
    )


def render_html(report: TrialReport, protocol: Protocol, *, for_pdf: bool = False,
                figs: ReportFigures | None = None) -> str:
    """The report as one self-contained HTML document: figures inline as SVG, or as PNG when
    ``for_pdf`` (the input of :func:`write_pdf`). ``figs`` reuses figures already built."""
    f = figs if figs is not None else build_figures(report, protocol)

    def put(fig: Figure) -> str:
        return embed(fig, for_pdf=for_pdf)

    context = {
        "r": report,
        "p": protocol,
        "arm_groups": _arm_groups(report),
        "consort_svg": put(f.consort),
        "waterfalls": [(label, put(fig)) for label, fig in f.waterfalls],
        "spider_svg": put(f.spider),
        "swimmer_svg": put(f.swimmer),
        "km_svgs": {name: put(fig) for name, fig in f.km},
        "lym_svg": None if f.lymphocytes is None else put(f.lymphocytes),
        "histograms": [put(fig) for fig in f.histograms],
        "fmt": _fmt,
        "pct": _pct,
        "months": _months,
        "generated": dt.date.today().isoformat(),
        "for_pdf": for_pdf,
        "group_label": {g.key: g.label for g in report.groups},
    }
    return _TEMPLATES.get_template("report.html").render(**context)


def render_documents(report: TrialReport, protocol: Protocol) -> tuple[str, str]:
    """(HTML report, HTML for the PDF) with each figure built once."""
    figs = build_figures(report, protocol)
    return (render_html(report, protocol, figs=figs),
            render_html(report, protocol, for_pdf=True, figs=figs))


def write_pdf(html: str, path: str | Path) -> Path:
    """Render HTML to PDF with WeasyPrint (imported here: a heavy, optional dependency)."""
    import weasyprint

    out = Path(path)
    weasyprint.HTML(string=html).write_pdf(str(out))
    return out


__all__ = ["PDF_DPI", "ReportFigures", "best_change_table", "build_figures", "embed",
           "render_documents", "render_html", "write_pdf"]
