"""The five built-in seed trials: valid, round-trippable, and faithful to the registry text."""

from __future__ import annotations

from pathlib import Path

import pytest

from abscopal.datasets import list_trial_ids, load_trial, load_trial_text
from abscopal.errors import InputError
from abscopal.protocol import (
    CohortRule,
    DrugIntervention,
    FisherExactDesign,
    RadiationIntervention,
    Randomised,
    dump_protocol,
    parse_protocol_text,
)

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"
TRIALS = ["NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777"]


def _seed(registry_id: str) -> str:
    path = SEEDS / f"{registry_id}.txt"
    if not path.is_file():
        # ../shared is beside the clone in CI: there a missing seed record is a failure.
        pytest.fail(f"seed record {path} not available (needs ../shared beside the repo)")
    return path.read_text(encoding="utf-8")


def test_the_five_seed_trials_are_built_in() -> None:
    assert list_trial_ids() == TRIALS


@pytest.mark.parametrize("registry_id", TRIALS)
def test_built_in_trial_validates(registry_id: str) -> None:
    protocol = load_trial(registry_id)
    assert protocol.identity.registry_id == registry_id


@pytest.mark.parametrize("registry_id", TRIALS)
def test_load_dump_load_round_trip_is_equal(registry_id: str) -> None:
    first = load_trial(registry_id)
    second = parse_protocol_text(dump_protocol(first), source="dumped")
    assert second == first
    assert dump_protocol(second) == dump_protocol(first)


@pytest.mark.parametrize("registry_id", TRIALS)
def test_every_verbatim_field_appears_exactly_in_the_seed_record(registry_id: str) -> None:
    seed = _seed(registry_id)
    p = load_trial(registry_id)
    verbatim = [c.text for c in p.eligibility]
    verbatim += [a.assignment.text for a in p.arms if isinstance(a.assignment, CohortRule)]
    verbatim += [a.description for a in p.arms if a.description]
    verbatim += [i.description for i in p.interventions if i.description]
    verbatim += [e.title for e in p.endpoints] + [e.description for e in p.endpoints if e.description]
    verbatim += [s.registry_text for s in p.statistical_design]
    verbatim += [s.description for s in p.design.stages if s.description]
    if p.design.masking.description:
        verbatim.append(p.design.masking.description)
    missing = [text for text in verbatim if text not in seed]
    assert missing == []


@pytest.mark.parametrize(
    ("registry_id", "criterion_id", "text"),
    [
        # Markdown escapes are kept exactly as the record stores them.
        ("NCT05628038", "exc01", r"Neutrophil \< 1.5×10\^9/L, PLT \< 100×10\^9/L (PLT \< 80×10\^9/L"
         r" in patients with liver metastasis), or Hb \< 90g/L; blood transfusion within 2 weeks "
         "before enrollment is not allowed to meet the enrollment criteria."),
        ("NCT05628038", "inc02", "ECOG performance status 0-1."),
        ("NCT06076135", "inc03", r"Expected life span\>3 months."),
        ("NCT06120127", "inc07", r"Karnofsky \>= 70"),
        # A criterion whose thresholds continue in a second paragraph.
        ("NCT07277777", "exc05", "Uncontrolled coagulopathy or contraindication to interventional "
         "seed implantation:\n\nINR \\> 1.5 Platelets \\< 50 × 10⁹/L"),
    ],
)
def test_spot_check_verbatim_criteria(registry_id: str, criterion_id: str, text: str) -> None:
    criterion = next(c for c in load_trial(registry_id).eligibility if c.id == criterion_id)
    assert criterion.text == text
    assert text in _seed(registry_id)


@pytest.mark.parametrize(
    ("registry_id", "inclusion", "exclusion"),
    [("NCT05628038", 10, 20), ("NCT06076135", 10, 14), ("NCT06120127", 11, 8),
     ("NCT06439888", 0, 0), ("NCT07277777", 9, 10)],
)
def test_criterion_counts_match_the_record(registry_id: str, inclusion: int, exclusion: int) -> None:
    kinds = [c.kind.value for c in load_trial(registry_id).eligibility]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == (inclusion, exclusion)


def test_nct06439888_statistical_design_as_stated() -> None:
    p = load_trial("NCT06439888")
    (design,) = p.statistical_design
    assert isinstance(design, FisherExactDesign)
    assert (design.p_control, design.p_treatment, design.alpha, design.sides, design.power,
            design.n_per_arm) == (0.50, 0.15, 0.07, 1, 0.85, 26)
    assert [s.id for s in p.design.stages] == ["part1", "part2"]
    assert p.design.stages[0].decision_rule is not None
    assert p.design.stages[0].decision_rule.kind == "safety_run_in"
    ratios = [a.assignment.ratio for a in p.arms if isinstance(a.assignment, Randomised)]
    assert ratios == [1, 1]
    sbrt = p.intervention("sbrt")
    assert isinstance(sbrt, RadiationIntervention)
    assert (sbrt.delivery.weekdays_only, sbrt.delivery.max_span_days) == (True, 14)
    atra = p.intervention("atra")
    assert isinstance(atra, DrugIntervention) and atra.dose is not None
    assert (atra.dose.amount, atra.dose.unit.value, atra.dose.per_day) == (150, "mg/m2", True)
    assert (atra.days_in_cycle, atra.cycle_length_days, atra.max_cycles) == ((1, 2, 3), 21, 4)
    assert atra.start is not None and atra.start.event.value == "rt_first_fraction"


def test_nct06076135_stages_and_fractionation() -> None:
    p = load_trial("NCT06076135")
    stage1, stage2 = p.design.stages
    assert (stage1.size, stage2.size) == (16, None)
    one = p.intervention("ildr_1gy")
    two = p.intervention("ildr_2_3gy")
    assert isinstance(one, RadiationIntervention) and isinstance(two, RadiationIntervention)
    assert [(r.dose_per_fraction_gy, r.fractions, r.total_dose_gy) for r in one.regimens] == [
        (1, 1, 1)]
    assert [(r.fractions, r.total_dose_gy) for r in two.regimens] == [(2, 2), (3, 3)]
    assert two.delivery.max_span_days == 10
    pd1 = p.intervention("pd1_pdl1")
    assert isinstance(pd1, DrugIntervention) and pd1.start is not None
    assert (pd1.start.event.value, pd1.start.offset_days, pd1.cycle_length_days) == (
        "rt_last_fraction", 1, 21)


def test_nct07277777_blinds_imaging_reviewers_and_records_implant_dosimetry() -> None:
    p = load_trial("NCT07277777")
    assert p.design.masking.level.value == "none"
    assert [b.value for b in p.design.masking.blinded] == ["imaging_reviewer"]
    implant = p.intervention("seed_implant")
    assert isinstance(implant, RadiationIntervention)
    assert [m.value for m in implant.dose_metrics_recorded] == ["D90", "V100", "V150"]
    (d90,) = implant.prescription
    assert (d90.metric.value, d90.min_gy, d90.max_gy) == ("D90", 90, 140)


def test_nct05628038_cohorts_by_rule() -> None:
    p = load_trial("NCT05628038")
    rules = {a.id: a.assignment for a in p.arms}
    a, b = rules["cohort_a"], rules["cohort_b"]
    assert isinstance(a, CohortRule) and isinstance(b, CohortRule)
    assert [(c.field, c.value) for c in a.when] == [("prior_first_line_chemotherapy", False)]
    assert [(c.field, c.value) for c in b.when] == [
        ("prior_first_line_chemotherapy", True), ("progressed_after_first_line_chemotherapy", True)]
    tori = p.intervention("toripalimab")
    assert isinstance(tori, DrugIntervention) and tori.max_duration_weeks == 18


def test_nct06120127_sintilimab_dose() -> None:
    sinti = load_trial("NCT06120127").intervention("sintilimab")
    assert isinstance(sinti, DrugIntervention) and sinti.dose is not None
    assert (sinti.dose.amount, sinti.dose.unit.value, sinti.days_in_cycle,
            sinti.cycle_length_days, sinti.max_duration_weeks) == (200, "mg", (1,), 21, 18)


def test_unknown_trial_id_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="NCT05628038"):
        load_trial_text("NCT99999999")
