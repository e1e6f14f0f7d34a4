"""Trial reports of the five seed trials: the printed numbers equal the core functions called
directly on the same data here; the PDF renders; the blinded report names no arm.

Each trial's report is generated once (module-scoped fixtures) and shared by the tests.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from abscopal.analysis import (
    DAYS_PER_MONTH,
    CensoringRules,
    compute_kaplan_meier,
    compute_logrank_test,
    compute_proportion_ci,
    derive_time_to_event,
)
from abscopal.datasets import list_trial_ids, load_trial
from abscopal.demo import SimulationSettings, simulate_trial
from abscopal.protocol import Protocol, Randomised
from abscopal.report.derive import DerivedTrial, build_patient_record, derive_trial
from abscopal.report.model import ALL, ReportOptions, TrialReport, build_report
from abscopal.report.render import render_documents, render_html, write_pdf
from abscopal.response import ResponseParams, ResponseSummary, derive_response_summary
from abscopal.trialdata import TrialData

TRIALS = list_trial_ids()
SEED = 7


@dataclass(frozen=True)
class Built:
    protocol: Protocol
    data: TrialData  # as simulated (nothing derived)
    report: TrialReport
    html: str
    pdf: Path


def _cut(data: TrialData) -> object:
    return max(data.subjects["last_contact_date"].dropna())


@functools.cache
def _derived(trial: str) -> tuple[Protocol, TrialData, DerivedTrial]:
    protocol = load_trial(trial)
    data = simulate_trial(protocol, SimulationSettings(seed=SEED))
    return protocol, data, derive_trial(data, protocol)


@pytest.fixture(scope="module", params=TRIALS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    protocol, data, derived = _derived(request.param)
    report = build_report(derived, protocol,
                          options=ReportOptions(data_cut=_cut(data)))  # type: ignore[arg-type]
    html, pdf_html = render_documents(report, protocol)
    pdf = write_pdf(pdf_html, tmp_path_factory.mktemp("pdf") / f"{request.param}.pdf")
    return Built(protocol, data, report, html, pdf)


@pytest.fixture(scope="module", params=TRIALS)
def blinded(request: pytest.FixtureRequest) -> tuple[Protocol, str]:
    protocol, _data, derived = _derived(request.param)
    report = build_report(derived, protocol, options=ReportOptions(blinded=True))
    return protocol, render_html(report, protocol)


# --------------------------------------------------------------------------- independent numbers


def _enrolled(data: TrialData) -> pd.DataFrame:
    s = data.subjects[data.subjects["enrolment_date"].notna()].copy()
    s["subject_id"] = s["subject_id"].astype(str)
    return s


def _randomised(protocol: Protocol) -> list[str]:
    return [a.id for a in protocol.arms if isinstance(a.assignment, Randomised)]


_SUMMARIES: dict[tuple[str, str], dict[str, ResponseSummary]] = {}


def _summaries(b: Built, criteria: str) -> dict[str, ResponseSummary]:
    """The response engine run directly on every subject (once per trial and criteria)."""
    key = (b.protocol.identity.registry_id, criteria)
    if key not in _SUMMARIES:
        _SUMMARIES[key] = _run_engine(b, criteria)
    return _SUMMARIES[key]


def _run_engine(b: Built, criteria: str) -> dict[str, ResponseSummary]:
    params = ResponseParams(require_confirmation=len(_randomised(b.protocol)) < 2)
    out = {}
    for sid in _enrolled(b.data)["subject_id"]:
        les = b.data.lesions[b.data.lesions["subject_id"].astype(str) == sid]
        meas = b.data.lesion_measurements[
            b.data.lesion_measurements["subject_id"].astype(str) == sid]
        if len(meas):
            rec = build_patient_record(sid, les, meas)
            out[sid] = derive_response_summary(rec, criteria=criteria, params=params)
    return out


def _groups(b: Built) -> dict[str, list[str]]:
    s = _enrolled(b.data)
    groups = {str(arm): list(g["subject_id"]) for arm, g in s.groupby("arm_id")}
    if len(groups) > 1:
        groups[ALL] = list(s["subject_id"])
    return groups


def _cells(html: str, css: str) -> dict[str, str]:
    found = re.findall(rf'<td class="n {css}" data-group="([^"]+)">(.*?)</td>', html, re.S)
    return {html_lib.unescape(k): re.sub(r"<[^>]+>", " ", v) for k, v in found}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


# --------------------------------------------------------------------------- tests


def test_enrolled_per_arm(built: Built) -> None:
    groups = _groups(built)
    assert {g.key: len(g.subject_ids) for g in built.report.groups} == {
        k: len(v) for k, v in groups.items()}
    labels = {a.id: a.label for a in built.protocol.arms}
    for key, ids in groups.items():
        label = labels.get(key, ALL)
        assert f"{html_lib.escape(label)} (n={len(ids)})" in built.html


@pytest.mark.parametrize("kind", ["orr", "dcr"])
def test_orr_and_dcr_with_clopper_pearson_cis(built: Built, kind: str) -> None:
    wanted = {"orr": {"recist_1_1": ("CR", "PR"), "irecist": ("iCR", "iPR")},
              "dcr": {"recist_1_1": ("CR", "PR", "SD", "NON-CR/NON-PD"),
                      "irecist": ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD")}}[kind]
    tables = re.findall(r'<table class="bor" data-criteria="([^"]+)">(.*?)</table>', built.html,
                        re.S)
    assert [c for c, _ in tables] == list(built.report.criteria)
    for criteria, table in tables:
        bors = {sid: s.best_overall_response.value for sid, s in _summaries(built, criteria)
                .items()}
        cells = _cells(table, kind)
        for key, ids in _groups(built).items():
            x = sum(bors.get(i, "NE") in wanted[criteria] for i in ids)
            ci = compute_proportion_ci(x, len(ids))
            assert cells[key].split() == [f"{x}/{len(ids)}", "=", _pct(ci.estimate_),
                                          _pct(ci.ci_lower_), "to", _pct(ci.ci_upper_)]


def _time_to_event(b: Built, endpoint: str) -> pd.DataFrame:
    s = _enrolled(b.data)
    summaries = _summaries(b, "recist_1_1")
    subjects = pd.DataFrame({
        "subject_id": s["subject_id"], "start_date": s["enrolment_date"],
        "pd_date": [summaries[i].progression_date if i in summaries else None
                    for i in s["subject_id"]],
        "death_date": s["death_date"], "last_contact_date": s["last_contact_date"],
        "new_therapy_date": s["new_therapy_date"]})
    ne = {(sid, tp.assessment_date) for sid, summ in summaries.items() for tp in summ.timepoints
          if tp.response is not None and tp.response.value == "NE"}
    scans = b.data.lesion_measurements[["subject_id", "assessment_date"]].drop_duplicates()
    scans = scans.assign(subject_id=scans["subject_id"].astype(str))
    scans = scans[scans["subject_id"].isin(set(s["subject_id"]))]
    scans["is_adequate"] = [(a, d) not in ne for a, d in
                            zip(scans["subject_id"], scans["assessment_date"], strict=True)]
    imaging = [a.every_days for a in b.protocol.assessments
               if a.kind.value == "imaging" and a.every_days]
    return derive_time_to_event(
        subjects, endpoint, cutoff_date=pd.Timestamp(_cut(b.data)),
        assessments=scans if endpoint == "pfs" else None,
        rules=CensoringRules(assessment_interval_days=imaging[0] if imaging else None),
    ).assign(subject_id=lambda f: f["subject_id"].astype(str)).set_index("subject_id")


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_km_medians_and_logrank(built: Built, endpoint: str) -> None:
    tte = _time_to_event(built, endpoint)
    table = re.search(rf'<table class="km" data-endpoint="{endpoint}">(.*?)</table>', built.html,
                      re.S)
    assert table is not None
    cells = _cells(table.group(1), "median")
    for key, ids in _groups(built).items():
        km = compute_kaplan_meier(tte.loc[ids, "time_days"], tte.loc[ids, "event"].astype(int))
        parts = cells[key].split()

        def months(days: float) -> str:
            return "NR" if np.isnan(days) else f"{days / DAYS_PER_MONTH:.1f}"

        assert parts == [months(km.median_), months(km.median_ci_lower_), "to",
                         months(km.median_ci_upper_)]
    arms = _randomised(built.protocol)
    groups = _groups(built)
    shown = re.search(rf'class="logrank-p" data-endpoint="{endpoint}">p = ([^<]+)<', built.html)
    if len(arms) == 2 and all(a in groups for a in arms):
        ids = groups[arms[0]] + groups[arms[1]]
        lr = compute_logrank_test(tte.loc[ids, "time_days"], tte.loc[ids, "event"].astype(int),
                                  [a for a in arms for _ in groups[a]])
        assert shown is not None and shown.group(1) == f"{lr.p_value_:.4g}"
    else:
        assert shown is None


def test_worst_grade_ae_counts(built: Built) -> None:
    aes = built.data.adverse_events.assign(
        subject_id=lambda f: f["subject_id"].astype(str),
        term=lambda f: f["term"].astype(str))
    worst = aes.groupby(["subject_id", "term"])["grade"].max().reset_index()
    # The first table is "Adverse events by term and worst CTCAE grade".
    table = re.search(r'<table class="ae">(.*?)</table>', built.html, re.S)
    assert table is not None
    rows = re.findall(r'<tr data-term="([^"]+)" data-group="([^"]+)">(.*?)</tr>', table.group(1),
                      re.S)
    shown = {(html_lib.unescape(t), html_lib.unescape(g)):
             [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="n">(.*?)</td>', body)]
             for t, g, body in rows}
    groups = _groups(built)
    assert len(shown) == len(groups) * worst["term"].nunique()
    for key, ids in groups.items():
        for term in worst["term"].unique():
            grades = worst[(worst["term"] == term) & worst["subject_id"].isin(ids)]["grade"]
            by_grade = [str(int((grades == k).sum())) for k in range(1, 6)]
            cells = shown[(term, key)]
            assert cells[0].startswith(f"{len(grades)} (")
            assert cells[1:6] == by_grade
            assert cells[6] == str(int((grades >= 3).sum()))


def test_pdf_page_one_renders_a4_and_is_not_blank(built: Built, tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is required: scripts/sysdeps.sh"
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(built.pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    # A4 = 210 x 297 mm = 8.27 x 11.69 in -> 331 x 468 px at 40 dpi.
    assert abs(image.size[0] - 331) <= 1 and abs(image.size[1] - 468) <= 1
    ink = np.asarray(image) < 200
    assert 0.01 < ink.mean() < 0.5
    info = subprocess.run(["pdfinfo", str(built.pdf)], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert pages is not None and int(pages.group(1)) >= 5


def test_blinded_report_names_no_arm(blinded: tuple[Protocol, str]) -> None:
    protocol, text = blinded
    # The registry title is not allocation (NCT06120127's arm "chemotherapy" is a title word).
    visible = html_lib.unescape(text).replace(protocol.identity.title, "")
    assert "BLINDED REPORT" in visible
    for arm in protocol.arms:
        assert not re.search(rf"\b{re.escape(arm.id)}\b", visible), arm.id
        assert arm.label not in visible, arm.label
    assert "data-group" not in visible.replace('data-group="All subjects"', "")
