"""Screening for one or all trials, the saved eligibility snapshot, and enrolment with
randomisation through its confirmation step (views.screening, views.randomise)."""

from __future__ import annotations

import re

from tests.web.conftest import csrf_of

SEED_TRIALS = ("NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777")


def test_screening_all_trials_lists_every_criterion(client_for, world) -> None:  # type: ignore[no-untyped-def]
    seeded, trials = world
    c = client_for("coordinator")
    token = csrf_of(c.get("/screening").text)
    r = c.post("/screening", data={"csrf_token": token, "trial": "all", "as_of": "2026-01-10",
                                   "sex": "F", "birth_date": "1960-05-01", "ecog": "1"})
    assert r.status_code == 200
    headings = re.findall(r'<h2 class="trial-result" id="result-([A-Z0-9]+)">', r.text)
    assert set(SEED_TRIALS) <= set(headings)
    # NCT06076135's first criterion, Markdown escapes removed for display
    assert "Age ≥18 years, ≤80 years, regardless of gender." in r.text
    assert "Expected life span&gt;3 months." in r.text  # escaped once, by the template
    assert 'value="1960-05-01"' in r.text  # input kept


def test_screening_one_trial_and_typed_inputs(client_for, world) -> None:  # type: ignore[no-untyped-def]
    seeded, trials = world
    c = client_for("coordinator")
    token = csrf_of(c.get("/screening").text)
    r = c.post("/screening", data={"csrf_token": token, "trial": str(trials["NCT06076135"]),
                                   "as_of": "2026-01-10", "ecog": "one"})
    assert r.status_code == 422
    assert 'id="m-ecog">enter a number (got &#39;one&#39;)' in r.text
    assert 'name="ecog" value="one"' in r.text
    r = c.post("/screening", data={"csrf_token": token, "trial": str(trials["NCT06076135"]), "as_of": "2026-01-10"})
    assert re.findall(r'id="result-([A-Z0-9]+)"', r.text) == ["NCT06076135"]


def test_register_screen_enrol_randomise(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    t = seeded.trial_id
    form = c.get(f"/trials/{t}/register").text
    assert f'<option value="{seeded.site_b}"' not in form  # own sites only
    r = c.post(f"/trials/{t}/register", data={"csrf_token": csrf_of(form), "site_id": str(seeded.site_a),
                                              "screening_id": "A-777", "consent_date": "2026-02-01"},
               follow_redirects=False)
    assert r.status_code == 303
    subject_url = r.headers["location"]
    sid = int(subject_url.rsplit("/", 1)[1])
    dup = c.post(f"/trials/{t}/register", data={"csrf_token": csrf_of(form), "site_id": str(seeded.site_a),
                                                "screening_id": "A-777"})
    assert dup.status_code == 422 and "already used in this trial" in dup.text
    other_site = c.post(f"/trials/{t}/register", data={"csrf_token": csrf_of(form),
                                                       "site_id": str(seeded.site_b), "screening_id": "X-1"})
    assert other_site.status_code == 422 and "your own sites" in other_site.text

    # randomising before screening is refused
    page = c.get(f"/trials/{t}/subjects/{sid}/randomise").text
    assert "No eligibility snapshot yet" in page
    # screen: the one manual criterion is confirmed by the investigator, then saved
    screen = f"/trials/{t}/subjects/{sid}/screen"
    token = csrf_of(c.get(screen).text)
    checked = c.post(screen, data={"csrf_token": token, "as_of": "2026-02-01", "action": "check"})
    assert 'name="confirm-adult"' in checked.text
    saved = c.post(screen, data={"csrf_token": token, "as_of": "2026-02-01", "action": "save",
                                 "confirm-adult": "met"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("/randomise")
    page = c.get(saved.headers["location"]).text
    assert "eligible" in page and "Age 18 years or older" in page
    # review, then confirm
    token = csrf_of(page)
    review = c.post(f"/trials/{t}/subjects/{sid}/randomise",
                    data={"csrf_token": token, "enrolled_on": "2026-02-03", "action": "review"})
    assert "Confirm enrolment." in review.text and "allocated-arm" not in review.text
    done = c.post(f"/trials/{t}/subjects/{sid}/randomise",
                  data={"csrf_token": token, "enrolled_on": "2026-02-03", "action": "confirm"})
    assert done.status_code == 200
    arm = re.search(r'<strong id="allocated-arm">([^<]+)</strong>', done.text)
    assert arm is not None and arm.group(1) in ("Zircon combination arm", "Zircon control arm")
    # a second attempt shows the existing enrolment; nothing is allocated twice
    again = c.post(f"/trials/{t}/subjects/{sid}/randomise",
                   data={"csrf_token": token, "enrolled_on": "2026-02-04", "action": "confirm"})
    assert "enrolment date 2026-02-03" in again.text


def test_not_eligible_snapshot_blocks_enrolment(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    t = seeded.trial_id
    form = c.get(f"/trials/{t}/register").text
    r = c.post(f"/trials/{t}/register", data={"csrf_token": csrf_of(form), "site_id": str(seeded.site_a),
                                              "screening_id": "A-778"}, follow_redirects=False)
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    screen = f"/trials/{t}/subjects/{sid}/screen"
    token = csrf_of(c.get(screen).text)
    c.post(screen, data={"csrf_token": token, "as_of": "2026-02-01", "action": "save", "confirm-adult": "not_met"})
    r = c.post(f"/trials/{t}/subjects/{sid}/randomise",
               data={"csrf_token": token, "enrolled_on": "2026-02-03", "action": "confirm"})
    assert r.status_code == 422 and "not eligible" in r.text


def test_undecided_snapshot_blocks_enrolment(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    t = seeded.trial_id
    form = c.get(f"/trials/{t}/register").text
    r = c.post(f"/trials/{t}/register", data={"csrf_token": csrf_of(form), "site_id": str(seeded.site_a),
                                              "screening_id": "A-779"}, follow_redirects=False)
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    screen = f"/trials/{t}/subjects/{sid}/screen"
    token = csrf_of(c.get(screen).text)
    c.post(screen, data={"csrf_token": token, "as_of": "2026-02-01", "action": "save"})  # nothing confirmed
    r = c.post(f"/trials/{t}/subjects/{sid}/randomise",
               data={"csrf_token": token, "enrolled_on": "2026-02-03", "action": "confirm"})
    assert r.status_code == 422 and "undecided" in r.text


def test_engine_results_and_missing_data_are_highlighted(client_for, world) -> None:  # type: ignore[no-untyped-def]
    """With abscopal.eligibility: NCT06076135 inc01 (age 18-80) and inc02 (ECOG 0-2 within 28
    days) are decided; inc04 needs measurable_disease_recist, whose input is highlighted."""
    seeded, trials = world
    c = client_for("coordinator")
    token = csrf_of(c.get("/screening").text)
    r = c.post("/screening", data={"csrf_token": token, "trial": str(trials["NCT06076135"]),
                                   "as_of": "2026-01-10", "birth_date": "1960-05-01", "m_ecog": "1"})
    assert r.status_code == 200
    rows = dict(re.findall(r'<td>(inc0[124])</td>.*?<span class="badge (\w+)">', r.text, re.S))
    assert rows == {"inc01": "pass", "inc02": "pass", "inc04": "to_confirm"}
    assert "<strong>missing:</strong> measurable_disease_recist" in r.text
    assert re.search(r'<div class="field missing">\s*<label for="f-measurable_disease_recist">', r.text)
    assert not re.search(r'<div class="field missing">\s*<label for="f-m_ecog">', r.text)
