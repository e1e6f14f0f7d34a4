"""Data-entry forms: validation messages next to fields with input kept, reasons for edits,
optimistic-lock conflicts shown with nothing overwritten, derived responses (views.entry)."""

from __future__ import annotations

import re

from abscopal.store import repo
from abscopal.store.audit import Actor
from abscopal.store.models import Lab
from tests.web.conftest import csrf_of


def _post(c, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get(url).text)
    return c.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _lesion_form(date: str, timepoint: str, rows: list[tuple[str, str, str, str]]) -> dict[str, str]:
    data = {"assessed_on": date, "timepoint": timepoint, "modality": "CT", "criteria": "recist_1_1",
            "lesion_rows": "6"}
    for i, (label, category, organ, diameter) in enumerate(rows):
        data |= {f"lesion-{i}-lesion_label": label, f"lesion-{i}-category": category,
                 f"lesion-{i}-organ": organ, f"lesion-{i}-diameter_mm": diameter}
    return data


def test_invalid_value_shows_its_message_next_to_the_field_and_keeps_input(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("coordinator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/new"
    r = _post(c, url, {"collected_on": "2026-02-01", "test": "Lymphocyte count decreased",
                       "value": "abc", "unit": "10^9/L", "lower_limit": "1.0", "upper_limit": "0.5"})
    assert r.status_code == 422
    field = re.search(r'<div class="field invalid">.*?</div>\s*</div>|<div class="field invalid">.*?id="m-value">[^<]*', r.text, re.S)
    assert field is not None
    assert 'id="f-value" name="value" value="abc"' in r.text
    assert re.search(r'id="m-value">Input should be a valid number', r.text)
    assert 'value="Lymphocyte count decreased"' in r.text  # other inputs kept too
    assert "Nothing was saved" in r.text


def test_lab_limits_rule_is_the_apis(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("coordinator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/new"
    r = _post(c, url, {"collected_on": "2026-02-01", "test": "Lymphocyte count decreased",
                       "value": "0.4", "unit": "10^9/L", "lower_limit": "1.0", "upper_limit": "0.5"})
    assert r.status_code == 422
    assert "lower_limit 1.0 must not exceed upper_limit 0.5" in r.text


def test_lab_is_saved_and_shown_with_its_computed_grade_column(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("coordinator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/new"
    r = _post(c, url, {"collected_on": "2026-02-02", "test": "Lymphocyte count decreased",
                       "value": "0.45", "unit": "10^9/L", "lower_limit": "1.0", "upper_limit": "4.0"})
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    row = re.search(r"<tr><td>2026-02-02</td><td>Lymphocyte count decreased</td>.*?</tr>", page, re.S)
    assert row is not None
    assert "CTCAE grade (computed)" in page
    grade_cell = re.search(r'<td class="lab-grade">(.*?)</td>', row.group(0), re.S)
    assert grade_cell is not None
    # CTCAE v5.0 Lymphocyte count decreased: grade 3 is "<0.5 - 0.2 x 10e9 /L".
    assert "<strong>Grade 3</strong>" in grade_cell.group(1)
    assert "CTCAE v5.0" in grade_cell.group(1)


def test_baseline_and_two_follow_ups_give_derived_responses(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    t, a = seeded.trial_id, seeded.subject_a
    url = f"/trials/{t}/subjects/{a}/lesion-assessments/new"
    # subject A already has a baseline (T1 liver 30 mm, 2026-01-05); add a second target at baseline
    # through an edit, then two follow-ups: sum 30+20=50 -> 33 (-34 %, PR) -> 30 (-40 %, PR).
    edit = f"/trials/{t}/subjects/{a}/lesion-assessments/{seeded.records['lesion_assessment']}/edit"
    form = c.get(edit).text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    r = c.post(edit, data={**_lesion_form("2026-01-05", "baseline", [("T1", "target", "liver", "30"),
                                                                       ("T2", "target", "lung", "20")]),
                           "version": version, "reason": "second target added by the radiologist",
                           "csrf_token": csrf_of(form)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert _post(c, url, _lesion_form("2026-03-02", "week 8", [("T1", "target", "liver", "21"),
                                                               ("T2", "target", "lung", "12")])).status_code == 303
    r = _post(c, url, _lesion_form("2026-04-27", "week 16", [("T1", "target", "liver", "18"),
                                                             ("T2", "target", "lung", "12")]))
    assert r.status_code == 303
    page = c.get(f"/trials/{t}/subjects/{a}").text
    overall = re.findall(r'<strong class="response">([^<]+)</strong>', page)
    assert overall == ["PR", "PR"]
    assert re.search(r'<strong id="bor">PR</strong>', page)
    assert "-34.0 %" in page and "-40.0 %" in page


def test_lesion_row_errors_point_at_the_row(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/lesion-assessments/new"
    r = _post(c, url, _lesion_form("2026-05-01", "week 20", [("T1", "target", "liver", "-3")]))
    assert r.status_code == 422
    assert 'id="m-lesion-0-diameter_mm">Input should be greater than or equal to 0' in r.text
    assert 'name="lesion-0-diameter_mm" value="-3"' in r.text


def test_an_edit_needs_a_reason(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("coordinator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/{seeded.records['lab']}/edit"
    form = c.get(url).text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    r = c.post(url, data={"collected_on": "2026-01-05", "test": "neutrophils", "value": "1.3",
                          "unit": "10^9/L", "version": version, "reason": " ", "csrf_token": csrf_of(form)})
    assert r.status_code == 422
    assert 'id="m-reason">say why you are changing' in r.text
    assert 'value="1.3"' in r.text


def test_conflict_is_shown_and_nothing_is_overwritten(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("coordinator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/{seeded.records['lab']}/edit"
    form = c.get(url).text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    # someone else saves first
    with seeded.db.writing() as session:
        row = session.get(Lab, seeded.records["lab"])
        assert row is not None and str(row.version) == version
        repo.update_record(session, actor=Actor(seeded.user_ids["investigator"], "u_investigator"), row=row,
                           changes={"value": 1.7}, expected_version=row.version, reason="lab re-read")
    r = c.post(url, data={"collected_on": "2026-01-05", "test": "neutrophils", "value": "1.1",
                          "unit": "10^9/L", "version": version, "reason": "typo",
                          "csrf_token": csrf_of(form)})
    assert r.status_code == 409
    assert "Someone else saved this record first. Nothing was overwritten." in r.text
    assert "<td>Value</td><td>1.7</td>" in r.text  # what is saved now
    assert 'id="f-value" name="value" value="1.1"' in r.text  # what the user typed
    with seeded.db.reading() as session:
        assert session.get(Lab, seeded.records["lab"]).value == 1.7  # type: ignore[union-attr]
    # a deliberate resubmission applies on top of the new version
    new_version = re.search(r'name="version" value="(\d+)"', r.text).group(1)  # type: ignore[union-attr]
    assert int(new_version) == int(version) + 1
    again = c.post(url, data={"collected_on": "2026-01-05", "test": "neutrophils", "value": "1.1",
                              "unit": "10^9/L", "version": new_version, "reason": "typo",
                              "csrf_token": csrf_of(r.text)}, follow_redirects=False)
    assert again.status_code == 303
    audit = c.get(f"/trials/{seeded.trial_id}/audit?table=labs&record_id={seeded.records['lab']}").text
    assert "lab re-read" in audit and "typo" in audit
    assert "<del>1.7</del> → 1.1" in audit


def test_rt_delivery_offers_the_protocols_radiation_interventions(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/rt-deliveries/new"
    page = c.get(url).text
    assert '<option value="seeds"' in page and '<option value="pd1"' not in page
    r = _post(c, url, {"intervention_id": "pd1", "target": "T1", "fraction_number": "2",
                       "delivered_on": "2026-01-06", "dose_gy": "8", "dose_metrics": "D90=120; V100=95"})
    assert r.status_code == 422
    assert "must name a radiation intervention" in r.text
    r = _post(c, url, {"intervention_id": "seeds", "target": "T1", "fraction_number": "2",
                       "delivered_on": "2026-01-06", "dose_gy": "8", "dose_metrics": "D90 120"})
    assert r.status_code == 422 and "write name=value pairs" in r.text
    r = _post(c, url, {"intervention_id": "seeds", "target": "T1", "fraction_number": "2",
                       "delivered_on": "2026-01-06", "dose_gy": "8", "dose_metrics": "D90=120; V100=95"})
    assert r.status_code == 303
    page = c.get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}").text
    assert "D90=120.0; V100=95.0" in page


def test_adverse_event_grade_range_and_drug_dose(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    base = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}"
    r = _post(c, f"{base}/adverse-events/new", {"term": "Fatigue", "onset_date": "2026-02-01", "grade": "7"})
    assert r.status_code == 422 and 'id="m-grade">Input should be less than or equal to 5' in r.text
    r = _post(c, f"{base}/adverse-events/new", {"term": "Fatigue", "onset_date": "2026-02-01", "grade": "2",
                                               "resolved_date": "2026-01-01"})
    assert r.status_code == 422 and "is before onset_date" in r.text
    r = _post(c, f"{base}/drug-administrations/new", {"intervention_id": "pd1", "agent": "sintilimab",
                                                     "administered_on": "2026-01-27", "dose_amount": "0",
                                                     "dose_unit": "mg"})
    assert r.status_code == 422 and 'id="m-dose_amount">Input should be greater than 0' in r.text


def test_adverse_event_term_and_grade_are_checked_against_ctcae(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/adverse-events/new"
    r = _post(c, url, {"term": "Tiredness", "onset_date": "2026-02-01", "grade": "2"})
    assert r.status_code == 422 and 'id="m-term">&#39;Tiredness&#39; is not a CTCAE v5.0 term' in r.text
    r = _post(c, url, {"term": "Fatigue", "onset_date": "2026-02-01", "grade": "4"})
    assert r.status_code == 422 and 'id="m-grade">Fatigue allows grades 1, 2, 3 (got 4)' in r.text
    assert _post(c, url, {"term": "Fatigue", "onset_date": "2026-02-01", "grade": "3"}).status_code == 303


def test_ctcae_term_search_partial(client_for) -> None:  # type: ignore[no-untyped-def]
    text = client_for("investigator").get("/ctcae/terms", params={"q": "fatig"}).text
    assert "<strong>Fatigue</strong>" in text and "grades 1, 2, 3" in text
    assert "No CTCAE v5.0 term" in client_for("investigator").get("/ctcae/terms", params={"q": "zzqq"}).text


def test_in_field_select_is_saved_and_hidden_from_the_blinded_reviewer(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    from abscopal.store.models import LesionAssessment

    c = client_for("investigator")
    url = f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/lesion-assessments/new"
    form = c.get(url).text
    assert '<label class="sr-only" for="lesion-0-in_field">Lesion 1 inside an irradiated field</label>' in form
    data = _lesion_form("2026-06-01", "week 24", [("T1", "target", "liver", "20"), ("T9", "target", "lung", "15")])
    data |= {"lesion-0-in_field": "yes", "lesion-1-in_field": "no"}
    r = _post(c, url, data)
    assert r.status_code == 303, r.text
    saved_id = int(r.headers["location"].split("lesion-assessments:")[1].split("#")[0])
    with seeded.db.reading() as session:
        row = session.get(LesionAssessment, saved_id)
        assert row is not None
        assert {m.lesion_label: m.in_field for m in row.lesions} == {"T1": True, "T9": False}
    reviewer = client_for("imaging_reviewer")
    edit = reviewer.get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/lesion-assessments/{saved_id}/edit")
    assert edit.status_code == 200
    assert "in_field" not in edit.text and "In RT field" not in edit.text
