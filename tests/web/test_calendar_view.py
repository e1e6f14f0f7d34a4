"""The subject page's visit calendar (views.subjects.visit_calendar) over abscopal.calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from abscopal.protocol import parse_protocol_text
from abscopal.web.views.subjects import visit_calendar

TRIAL = Path(__file__).resolve().parents[2] / "src" / "abscopal" / "datasets" / "trials" / "NCT07277777.yaml"


def test_imaging_visits_are_matched_and_untracked_kinds_never_overdue() -> None:
    protocol = parse_protocol_text(TRIAL.read_text(), source="NCT07277777")
    implant = dt.date(2026, 1, 5)
    imaging = [a for a in protocol.assessments if a.kind.value == "imaging"]
    assert imaging, "the seed protocol schedules imaging"
    first = imaging[0]
    nominal = implant + dt.timedelta(days=first.anchor.offset_days)
    records = {"enrolment": [SimpleNamespace(enrolled_on=dt.date(2026, 1, 2))],
               "rt_delivery": [SimpleNamespace(delivered_on=implant)],
               "lesion_assessment": [SimpleNamespace(assessed_on=nominal)], "lab": []}
    rows = visit_calendar(protocol, records, arm_id=None, as_of=nominal + dt.timedelta(days=120))
    mine = [r for r in rows if r["assessment"] == first.description]
    assert mine[0]["state"] == "done in window" and mine[0]["actual"] == nominal.isoformat()
    assert any(r["state"] == "overdue" for r in mine[1:])  # later scans not done
    untracked = [r for r in rows if r["assessment"] not in {a.description for a in protocol.assessments
                                                            if a.kind.value in ("imaging", "labs")}]
    assert untracked and all(r["state"] != "overdue" for r in untracked)
