"""AE records: term/grade validation against CTCAE v5.0, dates, attribution, worst grade."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abscopal.errors import DateOrderError, InputError
from abscopal.toxicity import AdverseEvent, Attribution, derive_worst_grades, find_term
from abscopal.toxicity._ctcae_v5 import TERMS

V = "ctcae_v5"
D0 = date(2025, 3, 1)


def ae(term: str = "Pneumonitis", grade: int = 2, **kw: object) -> AdverseEvent:
    args: dict[str, object] = {"subject_id": "P1", "term": term, "grade": grade,
                               "onset_date": D0, "version": V}
    args.update(kw)
    return AdverseEvent(**args)  # type: ignore[arg-type]


class TestAllowedGrades:
    # CTCAE v5.0 Clean Copy: "-" marks grades a term does not have
    @pytest.mark.parametrize(("term", "grade"), [
        ("Fatigue", 4),                 # Fatigue G4/G5 "-"
        ("Rash maculo-papular", 4),     # G4/G5 "-"
        ("Nausea", 5),
        ("Myocarditis", 1),             # v5.0 deleted Myocarditis G1
        ("Lymphocyte count decreased", 5),
        ("Lymphocyte count increased", 1),  # starts at G2
        ("Hepatic failure", 2),         # G1/G2 "-"
        ("Pneumonitis", 0),
        ("Pneumonitis", 6),
    ])
    def test_grade_not_allowed(self, term: str, grade: int) -> None:
        with pytest.raises(InputError, match="'grade' for"):
            ae(term, grade)

    @pytest.mark.parametrize(("term", "grade"), [
        ("Pneumonitis", 5), ("Colitis", 4), ("Diarrhea", 3), ("Hypothyroidism", 2),
        ("Hyperthyroidism", 1), ("Dermatitis radiation", 3), ("Myocarditis", 2),
        ("Fatigue", 3), ("Anemia", 5), ("Hepatic failure", 3),
    ])
    def test_grade_allowed(self, term: str, grade: int) -> None:
        assert ae(term, grade).grade == grade

    def test_term_is_normalised_to_verbatim_spelling(self) -> None:
        assert ae("  rash MACULO-papular", 1).term == "Rash maculo-papular"

    def test_hepatitis_is_not_a_v5_term(self) -> None:
        with pytest.raises(InputError, match="no non-infectious 'Hepatitis'"):
            ae("Hepatitis", 2)

    def test_unknown_term(self) -> None:
        with pytest.raises(InputError, match="not in abscopal's CTCAE v5.0 term table"):
            find_term("Made-up disorder", version=V)


class TestFields:
    def test_resolution_before_onset(self) -> None:
        with pytest.raises(DateOrderError, match="before 'onset_date'"):
            ae(resolution_date=D0 - timedelta(days=1))

    def test_attribution_normalised_and_validated(self) -> None:
        assert ae(attribution=("RT", "ICI")).attribution == (Attribution.RT, Attribution.ICI)
        with pytest.raises(InputError, match="'attribution'"):
            ae(attribution=("chemo",))
        with pytest.raises(InputError, match="cannot combine 'unrelated'"):
            ae(attribution=("unrelated", "RT"))

    def test_version_is_required(self) -> None:
        with pytest.raises(TypeError):
            AdverseEvent("P1", "Fatigue", 1, D0)  # type: ignore[call-arg]

    def test_bad_subject_and_dates(self) -> None:
        with pytest.raises(InputError, match="'subject_id'"):
            ae(subject_id="")
        with pytest.raises(InputError, match="'onset_date'"):
            ae(onset_date="2025-01-01")


class TestWorstGrade:
    def test_worst_by_term_and_overall(self) -> None:
        evs = [ae("Colitis", 2, immune_related=True, attribution=("ICI",)),
               ae("Colitis", 3, onset_date=D0 + timedelta(days=9), immune_related=True,
                  attribution=("ICI",)),
               ae("Dermatitis radiation", 2, attribution=("RT",)),
               ae("Fatigue", 1, subject_id="P2")]
        by_term = derive_worst_grades(evs)
        assert [(w.subject_id, w.term, w.grade, w.n_events) for w in by_term] == [
            ("P1", "Colitis", 3, 2), ("P1", "Dermatitis radiation", 2, 1), ("P2", "Fatigue", 1, 1)]
        overall = derive_worst_grades(evs, by_term=False)
        assert [(w.subject_id, w.grade) for w in overall] == [("P1", 3), ("P2", 1)]
        irae = derive_worst_grades(evs, by_term=False, immune_related_only=True)
        assert [(w.subject_id, w.grade) for w in irae] == [("P1", 3)]
        rt = derive_worst_grades(evs, by_term=False, attribution="RT")
        assert [(w.subject_id, w.grade) for w in rt] == [("P1", 2)]

    def test_ties_go_to_earliest_onset(self) -> None:
        late = ae("Colitis", 3, onset_date=D0 + timedelta(days=5))
        early = ae("Colitis", 3)
        assert derive_worst_grades([late, early])[0].worst_event is early

    def test_rejects_non_events(self) -> None:
        with pytest.raises(InputError, match="AdverseEvent"):
            derive_worst_grades([{"term": "Colitis"}])  # type: ignore[list-item]


@st.composite
def events(draw: st.DrawFn) -> AdverseEvent:
    spec = draw(st.sampled_from(TERMS))
    return AdverseEvent(
        subject_id=draw(st.sampled_from(["P1", "P2", "P3"])), term=spec.term,
        grade=draw(st.sampled_from(spec.allowed_grades)),
        onset_date=D0 + timedelta(days=draw(st.integers(0, 200))),
        immune_related=draw(st.booleans()), version=V)


@settings(max_examples=200, deadline=None)
@given(st.lists(events(), max_size=30), st.booleans())
def test_worst_grade_never_below_any_single_grade(evs: list[AdverseEvent], by_term: bool) -> None:
    worst = {(w.subject_id, w.term): w for w in derive_worst_grades(evs, by_term=by_term)}
    for ev in evs:
        w = worst[(ev.subject_id, ev.term if by_term else None)]
        assert w.grade >= ev.grade
    for w in worst.values():  # and it is attained by one of the subject's events
        assert w.worst_event in evs and w.worst_event.grade == w.grade
