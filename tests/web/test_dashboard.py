"""The trial dashboard (views.trials): enrolment, CONSORT, responses, AE worst grades, the
lymphopenia endpoint and the SVG plots."""

from __future__ import annotations

import datetime as dt
import re

from abscopal.store import repo
from abscopal.store.audit import SYSTEM
from abscopal.store.models import AdverseEvent, Lab, RtDelivery, Subject


def _enrolled_subject(seeded, trial_id: int, code: str) -> int:  # type: ignore[no-untyped-def]
    with seeded.db.writing() as session:
        from abscopal.store.models import Trial

        trial = session.get(Trial, trial_id)
        subject = repo.create_record(session, Subject, actor=SYSTEM, values={
            "trial_id": trial_id, "site_id": seeded.site_a, "screening_id": code,
            "protocol_version_id": trial.current_version_id})  # type: ignore[union-attr]
        repo.enrol_subject(session, actor=SYSTEM, subject=subject, enrolled_on=dt.date(2026, 1, 2),
                           stratum={}, facts={})
        return subject.id


def _add(seeded, model, subject_id: int, trial_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    with seeded.db.writing() as session:
        from abscopal.store.models import Trial

        pv = session.get(Trial, trial_id).current_version_id  # type: ignore[union-attr]
        repo.create_record(session, model, actor=SYSTEM, values={"subject_id": subject_id,
                                                                  "protocol_version_id": pv, **values})


def test_lymphopenia_endpoint_at_six_weeks_after_last_fraction(client_for, world) -> None:  # type: ignore[no-untyped-def]
    seeded, trials = world
    tid = trials["NCT06439888"]
    last_fraction = dt.date(2026, 1, 9)
    target_day = last_fraction + dt.timedelta(days=42)
    subjects = [_enrolled_subject(seeded, tid, f"L-{i}") for i in range(3)]
    for sid in subjects:
        _add(seeded, RtDelivery, sid, tid, intervention_id="sbrt", target="liver", fraction_number=1,
             delivered_on=last_fraction, dose_gy=8.0, dose_metrics={})
    # CTCAE v5.0 Lymphocyte count decreased: G2 is <0.8 - 0.5 x 10e9/L; 1.2 with LLN 1.0 is G0.
    _add(seeded, Lab, subjects[0], tid, collected_on=target_day, test="Lymphocyte count decreased",
         value=0.6, unit="10^9/L", lower_limit=1.0, upper_limit=4.0)
    _add(seeded, Lab, subjects[1], tid, collected_on=target_day + dt.timedelta(days=2),
         test="Lymphocyte count decreased", value=1.2, unit="10^9/L", lower_limit=1.0, upper_limit=4.0)
    _add(seeded, Lab, subjects[2], tid, collected_on=target_day + dt.timedelta(days=20),  # outside ± 3 days
         test="Lymphocyte count decreased", value=0.3, unit="10^9/L", lower_limit=1.0, upper_limit=4.0)
    _add(seeded, AdverseEvent, subjects[0], tid, term="Fatigue", onset_date=dt.date(2026, 1, 20), grade=2)
    _add(seeded, AdverseEvent, subjects[0], tid, term="Nausea", onset_date=dt.date(2026, 1, 21), grade=3)
    page = client_for("admin").get(f"/trials/{tid}").text
    table = re.search(r'<table id="lymphopenia">.*?</table>', page, re.S)
    assert table is not None
    # R: binom.test(1, 2)$conf.int = 0.0126 0.9874
    assert re.search(r"<td>All</td>\s*<td class=\"num\">1/2</td>\s*<td class=\"num\">50.0 %</td>\s*"
                     r"<td class=\"num\">1.3 % – 98.7 %</td>", table.group(0))
    assert "1 subject(s) without a decidable value" in page
    # enrolment and AE worst grade (subject L-0: worst grade 3)
    assert re.search(r'<div class="big">3</div>', page)  # the registry gives no target (assumption)
    ae = re.search(r"Adverse events by worst grade</h2>\s*<table>.*?</table>", page, re.S)
    assert ae is not None
    grade3 = re.search(r"<td>Grade 3</td>(.*?)</tr>", ae.group(0), re.S)
    assert grade3 is not None and sum(int(n) for n in re.findall(r">(\d+)<", grade3.group(1))) == 1


def test_plots_are_svg(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    for url in (f"/trials/{seeded.trial_id}/plots/km.svg?endpoint=pfs", f"/trials/{seeded.trial_id}/plots/consort.svg",
                f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/spider.svg",
                f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/timeline.svg"):
        r = c.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.lstrip().startswith("<?xml") and "<svg" in r.text
    assert c.get(f"/trials/{seeded.trial_id}/plots/km.svg?endpoint=bogus").status_code == 404


def test_blinded_statistician_dashboard_is_pooled(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    page = client_for("statistician").get(f"/trials/{seeded.trial_id}").text
    assert "Enrolled by arm" not in page and "Adverse events by worst grade" not in page
    assert "<td>All</td><td>ORR</td>" in page
    consort = client_for("statistician").get(f"/trials/{seeded.trial_id}/plots/consort.svg").text
    assert "Zircon" not in consort and "Enrolled" in consort
