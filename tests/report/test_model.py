"""Report model details that the per-trial report tests do not cover: stage decisions."""

from __future__ import annotations

import yaml

from abscopal.datasets import load_trial, load_trial_text
from abscopal.demo import SimulationSettings, simulate_trial
from abscopal.design import classify_simon_stage1, compute_simon_characteristics
from abscopal.protocol import parse_protocol
from abscopal.report.derive import derive_trial
from abscopal.report.model import build_report


def test_nct06076135_has_no_simon_boundary_so_no_simon_decision() -> None:
    protocol = load_trial("NCT06076135")
    report = build_report(derive_trial(simulate_trial(protocol), protocol), protocol)
    stage1 = report.stages[0]
    assert stage1.rule == "investigator review"
    assert stage1.simon is None and stage1.decision is None
    assert stage1.text.startswith("No Simon (or other formal) boundary is stated")
    assert stage1.evaluated == 16


def test_a_simon_rule_gives_the_stage_one_decision_of_the_first_n1_patients() -> None:
    # NCT06076135 with an assumed Simon rule (not the registry's): stop if <= 1/10 respond.
    doc = yaml.safe_load(load_trial_text("NCT06076135"))
    doc["design"]["stages"][0]["decision_rule"] = {"kind": "simon_two_stage", "n1": 10,
                                                   "r1": 1, "n": 16, "r": 4}
    doc["statistical_design"] = [{"method": "simon_two_stage", "endpoint": "orr", "p0": 0.1,
                                  "p1": 0.3, "registry_text": "assumed for this test"}]
    protocol = parse_protocol(doc, source="test")
    data = simulate_trial(protocol, SimulationSettings(seed=11))
    derived = derive_trial(data, protocol)
    stage1 = build_report(derived, protocol).stages[0]
    enrolled = data.subjects[data.subjects["enrolment_date"].notna()]
    first = enrolled.sort_values("enrolment_date")["subject_id"].astype(str).tolist()[:10]
    responders = sum(
        derived.evaluations[i].recist11.best_overall_response.response.value in ("CR", "PR")
        for i in first if i in derived.evaluations)
    design = compute_simon_characteristics(1, 10, 4, 16, p0=0.1, p1=0.3)
    assert stage1.simon == design
    assert stage1.decision == classify_simon_stage1(responders, design=design)
    assert stage1.text == stage1.decision.reason
