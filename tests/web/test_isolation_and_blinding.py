"""Role and site isolation, and blinding, of every page (abscopal.web.views.*)."""

from __future__ import annotations

import pytest

from service_support import ARM_STRINGS


def _pages(seeded) -> list[str]:  # type: ignore[no-untyped-def]
    t, a = seeded.trial_id, seeded.subject_a
    return ["/trials", f"/trials/{t}", f"/trials/{t}/worklist", f"/trials/{t}/subjects/{a}",
            f"/trials/{t}/subjects/{a}/spider.svg", f"/trials/{t}/audit",
            f"/trials/{t}/audit?table=protocol_versions", f"/trials/{t}/audit?table=subjects&record_id={a}",
            f"/trials/{t}/subjects/{a}/lesion-assessments/new",
            f"/trials/{t}/subjects/{a}/lesion-assessments/{seeded.records['lesion_assessment']}/edit"]


def _assert_blind(text: str, url: str) -> None:
    low = text.lower()
    leaked = [s for s in ARM_STRINGS if s.lower() in low]
    assert not leaked, f"{url} reveals {leaked}"
    for word in ("seed implant", "pd-1 inhibitor", "sintilimab", "arm_id", "arm_label"):
        assert word not in low, f"{url} shows {word!r}"


@pytest.mark.parametrize("role", ["imaging_reviewer", "statistician"])
def test_blinded_roles_see_no_arm_anywhere(client_for, seeded, role) -> None:  # type: ignore[no-untyped-def]
    c = client_for(role)
    for url in _pages(seeded):
        r = c.get(url)
        assert r.status_code in (200, 403), (url, r.status_code)
        _assert_blind(r.text, url)


def test_reviewer_gets_a_worklist_not_the_dashboard(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("imaging_reviewer")
    r = c.get(f"/trials/{seeded.trial_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/worklist")
    work = c.get(f"/trials/{seeded.trial_id}/worklist")
    assert "A-001" in work.text and "Enter assessment" in work.text
    subject = c.get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}").text
    assert "Lesions and response" in subject
    for section in ("Adverse events", "RT delivery", "Drug administrations", "Visit calendar", "Timeline"):
        assert section not in subject
    for url in (f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/timeline.svg",
                f"/trials/{seeded.trial_id}/plots/km.svg",
                f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/randomise",
                f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/adverse-events/new"):
        assert c.get(url).status_code == 403, url


def test_unblinded_site_staff_see_the_arm(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    text = client_for("investigator").get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}").text
    assert "Zircon" in text


def test_site_user_cannot_open_another_sites_subject(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    t, b = seeded.trial_id, seeded.subject_b
    c = client_for("investigator")
    for url in (f"/trials/{t}/subjects/{b}", f"/trials/{t}/subjects/{b}/spider.svg",
                f"/trials/{t}/subjects/{b}/timeline.svg", f"/trials/{t}/subjects/{b}/labs/new",
                f"/trials/{t}/subjects/{b}/randomise", f"/trials/{t}/subjects/{b}/screen"):
        r = c.get(url)
        assert r.status_code == 404, url
        assert "B-001" not in r.text
    assert "B-001" not in c.get(f"/trials/{t}/worklist").text
    assert "B-001" not in c.get(f"/trials/{t}/audit").text
    # and the other way round
    other = client_for("investigator_b")
    assert other.get(f"/trials/{t}/subjects/{b}").status_code == 200
    assert other.get(f"/trials/{t}/subjects/{seeded.subject_a}").status_code == 404


def test_a_malformed_or_unknown_id_is_a_404_page(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("admin")
    assert c.get(f"/trials/{seeded.trial_id}/subjects/abc").status_code == 404
    assert c.get(f"/trials/{seeded.trial_id}/subjects/999999").status_code == 404
    assert c.get("/trials/999999").status_code == 404


def test_read_only_roles_get_no_entry_forms(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    for role in ("monitor", "statistician"):
        c = client_for(role)
        page = c.get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}").text
        assert "/labs/new" not in page
        assert c.get(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}/labs/new").status_code == 403
        assert c.get("/screening").status_code == 403


def test_navigation_is_role_aware(client_for) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/screening"' in client_for("coordinator").get("/trials").text
    assert 'href="/screening"' not in client_for("imaging_reviewer").get("/trials").text
