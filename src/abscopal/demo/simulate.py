"""A documented, seeded simulator of plausible trial data for any protocol.

It is a demonstration tool, not a disease model: numbers are chosen to look like an RT+IO phase II
trial so every screen, report and export has something real-looking to show.

Model (all randomness from one ``numpy.random.Generator`` seeded by ``settings.seed``):
1. Screening: each candidate fails screening with probability ``screen_fail_rate``; failures cite
   a random inclusion/exclusion criterion id of the protocol.
2. Enrolment: uniform accrual over ``accrual_days`` from the protocol start date; assignment by the
   arms' rules — randomised by weight, cohort rule by a coin for the deciding fact, or the single
   arm; a stage is attached from the protocol's stages in order of their sizes.
3. Radiotherapy starts 7 days after enrolment on the next weekday; fractions on weekdays; implants
   are one "fraction" with the prescription D90 drawn inside the prescribed range, V100 and V150.
4. Drugs: day 1 of each cycle (plus listed days), from the anchor, up to max cycles / duration or
   progression.
5. Lesions: 1-4 targets (10-60 mm; nodes 15-40 mm short axis) and 0-2 non-targets. With
   lesion-directed RT (not intestinal low-dose RT) one or two targets are in field.
6. Tumour kinetics per lesion: log-size changes linearly in time with a subject-level systemic
   slope (better in experimental arms) plus, in field, an extra shrinkage; out-of-field lesions
   share part of the in-field effect (the abscopal component). Imaging every ``imaging_every_days``.
   A new lesion appears with a probability that grows with tumour burden growth.
7. Death: exponential with median ``median_os_days`` (longer in experimental arms), censored at
   the data cut-off.
8. Labs every 3 weeks, plus the protocol's lab visits anchored to the last RT fraction:
   lymphocytes fall after RT (deeper and recovering over ~4 months after SBRT and
   hypofractionated RT, ~6 weeks otherwise; blunted by half in an ATRA-containing arm); neutrophils, platelets, haemoglobin, ALT,
   creatinine around normal with occasional excursions.
9. AEs: Poisson count per subject over a list of CTCAE v5.0 terms, grades mostly 1-2.

Derived columns (``responses``, lab CTCAE grades) are left empty here: the service derives them
with the response and toxicity engines, exactly as for real data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abscopal.protocol import (
    CohortRule,
    DrugIntervention,
    Fractionation,
    Protocol,
    RadiationIntervention,
    RadiationTechnique,
    Randomised,
)
from abscopal.radiation import SEED_REGIMENS
from abscopal.trialdata import TrialData

ORGANS = ("lung", "liver", "lymph node", "bone", "adrenal", "peritoneum", "pelvis")
AE_TERMS: tuple[tuple[str, bool, float], ...] = (
    # (CTCAE v5.0 term, immune-related, relative frequency)
    ("Fatigue", False, 3.0),
    ("Nausea", False, 1.5),
    ("Diarrhea", False, 1.5),
    ("Rash maculo-papular", True, 1.2),
    ("Pruritus", True, 1.0),
    ("Hypothyroidism", True, 0.8),
    ("Pneumonitis", True, 0.4),
    ("Colitis", True, 0.3),
    ("Dermatitis radiation", False, 0.6),
    ("Anorexia", False, 1.0),
)


@dataclass(frozen=True)
class SimulationSettings:
    seed: int = 20261122
    n_screened: int | None = None  # None: screen until the target enrolment is reached
    screen_fail_rate: float = 0.2
    accrual_days: int = 360
    data_cut: dt.date | None = None
    imaging_every_days: int = 56
    lab_every_days: int = 21
    median_os_days: float = 420.0
    default_enrolment: int = 40


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weekdays_from(start: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = _weekday_on_or_after(start)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _assumed_regimens(registry_id: str, technique: RadiationTechnique
                      ) -> tuple[Fractionation, ...]:
    """Regimens to simulate when the protocol states none (the record says only "SBRT").

    The seed trials' assumed schedules (``radiation.SEED_REGIMENS``, marked "assumed") come
    first; otherwise a typical schedule for the technique.
    """
    seeds = tuple(Fractionation(dose_per_fraction_gy=r.dose_per_fraction_gy,
                                fractions=r.fractions,
                                total_dose_gy=r.dose_per_fraction_gy * r.fractions)
                  for r in SEED_REGIMENS
                  if r.trial == registry_id and r.record_says.startswith("assumed")
                  and r.fractions > 1)
    if seeds:
        return seeds
    per_fraction_gy, fractions = _TYPICAL_REGIMEN[technique]
    return (Fractionation(dose_per_fraction_gy=per_fraction_gy, fractions=fractions,
                          total_dose_gy=per_fraction_gy * fractions),)


_TYPICAL_REGIMEN: dict[RadiationTechnique, tuple[float, int]] = {
    RadiationTechnique.SBRT: (8.0, 5),
    RadiationTechnique.HYPOFRACTIONATED_EBRT: (5.0, 5),
    RadiationTechnique.CONVENTIONAL_EBRT: (2.0, 30),
    RadiationTechnique.INTESTINAL_LOW_DOSE_RT: (1.0, 1),
    RadiationTechnique.I125_SEED_IMPLANT: (1.0, 1),
}


class _Sim:
    def __init__(self, protocol: Protocol, settings: SimulationSettings) -> None:
        self.p = protocol
        self.s = settings
        self.rng = np.random.default_rng(settings.seed)
        self.start = protocol.identity.start_date or dt.date(2025, 1, 1)
        self.cut = settings.data_cut or self.start + dt.timedelta(days=settings.accrual_days + 300)
        self.ivs = {i.id: i for i in protocol.interventions}
        self.rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
            "subjects", "rt_fractions", "dose_metrics", "drug_admins", "lesions",
            "lesion_measurements", "labs", "adverse_events")}

    # -- assignment -------------------------------------------------------------------------
    def assign(self, index: int) -> tuple[str, str | None, dict[str, Any]]:
        facts: dict[str, Any] = {}
        arms = self.p.arms
        stages = self.p.design.stages
        stage_id = None
        if stages:
            bound = 0
            stage_id = stages[-1].id
            for stage in stages:
                bound += stage.size or 0
                if index < bound:
                    stage_id = stage.id
                    break
            in_stage = [a for a in arms if not a.stages or stage_id in a.stages]
            arms = tuple(in_stage) or arms
        randomised = [a for a in arms if isinstance(a.assignment, Randomised)]
        cohorts = [a for a in arms if isinstance(a.assignment, CohortRule)]
        if randomised:
            weights = np.array([float(a.assignment.ratio) for a in randomised
                                if isinstance(a.assignment, Randomised)])
            arm = randomised[int(self.rng.choice(len(randomised), p=weights / weights.sum()))]
        elif cohorts:
            arm = cohorts[int(self.rng.integers(len(cohorts)))]
            assert isinstance(arm.assignment, CohortRule)
            for cond in arm.assignment.when:
                facts[cond.field] = cond.value
        else:
            arm = arms[int(self.rng.integers(len(arms)))]
        return arm.id, stage_id, facts

    # -- one subject ----------------------------------------------------------------------------
    def subject(self, index: int) -> None:
        rng = self.rng
        sid = f"{index + 1:04d}"
        site = f"S{int(rng.integers(1, 3))}"
        consent = self.start + dt.timedelta(days=int(rng.uniform(0, self.s.accrual_days)))
        if consent > self.cut:
            return
        age_years = float(np.clip(rng.normal(62, 9), 25, 84))
        birth = consent - dt.timedelta(days=int(age_years * 365.25))
        sex = "F" if rng.random() < 0.45 else "M"
        base = dict(subject_id=sid, site_id=site, sex=sex, birth_date=birth,
                    consent_date=consent, tumour_type=str(rng.choice(
                        ["colorectal", "lung", "melanoma", "renal", "hepatocellular"])),
                    ecog=int(rng.choice([0, 1], p=[0.55, 0.45])),
                    weight_kg=round(float(rng.normal(68 if sex == "F" else 78, 10)), 1),
                    height_cm=round(float(rng.normal(162 if sex == "F" else 175, 7)), 1),
                    off_study_date=None, off_study_reason=None, new_therapy_date=None)
        if rng.random() < self.s.screen_fail_rate:
            # A protocol without criteria (record silent) still has screen failures.
            reason = (self.p.eligibility[int(rng.integers(len(self.p.eligibility)))].id
                      if self.p.eligibility else "unspecified")
            self.rows["subjects"].append({**base, "screening_outcome": "not_eligible",
                                          "screen_fail_reason": reason, "enrolment_date": None,
                                          "arm_id": None, "stage_id": None, "death_date": None,
                                          "death_cause": None, "last_contact_date": consent})
            return
        enrol = consent + dt.timedelta(days=int(rng.integers(1, 8)))
        n_enrolled = sum(1 for r in self.rows["subjects"] if r["enrolment_date"])
        arm_id, stage_id, _facts = self.assign(n_enrolled)
        arm = self.p.arm(arm_id)
        experimental = arm.type.value == "experimental"
        median = self.s.median_os_days * (1.3 if experimental else 1.0)
        death_day = enrol + dt.timedelta(days=int(rng.exponential(median / math.log(2))))
        death = death_day if death_day <= self.cut else None
        last = death or self.cut
        self.rows["subjects"].append({**base, "screening_outcome": "eligible",
                                      "screen_fail_reason": None, "enrolment_date": enrol,
                                      "arm_id": arm_id, "stage_id": stage_id,
                                      "death_date": death,
                                      "death_cause": ("cancer" if rng.random() < 0.85 else
                                                      "other") if death else None,
                                      "last_contact_date": last})
        rt_ivs = [self.ivs[i] for i in arm.interventions
                  if isinstance(self.ivs[i], RadiationIntervention)]
        rt_start = _weekday_on_or_after(enrol + dt.timedelta(days=7))
        rt_end = self.radiotherapy(sid, rt_ivs, rt_start, last)
        pd_day = self.lesions(sid, rt_ivs, enrol, last, experimental)
        self.drugs(sid, arm.interventions, rt_start, rt_end, min(last, pd_day or last))
        self.labs(sid, enrol, last, rt_ivs, rt_start, arm.interventions,
                  rt_end=rt_end if rt_ivs else None)
        self.adverse_events(sid, enrol, last)

    def radiotherapy(self, sid: str, rt_ivs: list[Any], start: dt.date, last: dt.date
                     ) -> dt.date:
        end = start
        for iv in rt_ivs:
            if iv.technique is RadiationTechnique.I125_SEED_IMPLANT:
                self.rows["rt_fractions"].append(dict(subject_id=sid, intervention_id=iv.id,
                                                      fraction_date=start, fraction_number=1,
                                                      dose_gy=None))
                rng_d90 = next((r for r in iv.prescription if r.metric.value == "D90"), None)
                low = rng_d90.min_gy if rng_d90 and rng_d90.min_gy is not None else 90.0
                high = rng_d90.max_gy if rng_d90 and rng_d90.max_gy is not None else 140.0
                d90 = round(float(self.rng.uniform(low - 5, high + 5)), 1)
                for metric, value, unit in (("D90", d90, "Gy"),
                                            ("V100", round(float(self.rng.uniform(88, 99)), 1), "%"),
                                            ("V150", round(float(self.rng.uniform(45, 75)), 1), "%")):
                    self.rows["dose_metrics"].append(dict(subject_id=sid, intervention_id=iv.id,
                                                          metric=metric, value=value, unit=unit))
                continue
            regimens = iv.regimens or _assumed_regimens(self.p.identity.registry_id, iv.technique)
            regimen = regimens[int(self.rng.integers(len(regimens)))]
            # External-beam fractions are placed on weekdays whether or not the protocol says so.
            days = _weekdays_from(start, regimen.fractions)
            for n, day in enumerate(days, start=1):
                if day > last:
                    break
                self.rows["rt_fractions"].append(dict(subject_id=sid, intervention_id=iv.id,
                                                      fraction_date=day, fraction_number=n,
                                                      dose_gy=regimen.dose_per_fraction_gy))
                end = max(end, day)
        return end

    def lesions(self, sid: str, rt_ivs: list[Any], enrol: dt.date, last: dt.date,
                experimental: bool) -> dt.date | None:
        rng = self.rng
        directed = [iv for iv in rt_ivs
                    if iv.technique is not RadiationTechnique.INTESTINAL_LOW_DOSE_RT]
        n_target = int(rng.integers(1, 5))
        n_in_field = min(n_target, int(rng.integers(1, 3))) if directed else 0
        systemic = rng.normal(-0.0012 if experimental else -0.0002, 0.0025)
        local = -0.006 if directed else 0.0
        lesions = []
        for k in range(n_target):
            organ = ORGANS[int(rng.integers(len(ORGANS)))]
            nodal = organ == "lymph node"
            size = float(rng.uniform(15, 40) if nodal else rng.uniform(10, 60))
            in_field = k < n_in_field
            slope = systemic + (local if in_field else 0.35 * local) + rng.normal(0, 0.001)
            lesions.append((f"T{k + 1}", organ, nodal, "target", in_field, size, slope))
        for k in range(int(rng.integers(0, 3))):
            organ = ORGANS[int(rng.integers(len(ORGANS)))]
            lesions.append((f"NT{k + 1}", organ, organ == "lymph node", "non_target", False,
                            math.nan, systemic))
        for lid, organ, nodal, role, in_field, _size, _slope in lesions:
            self.rows["lesions"].append(dict(subject_id=sid, lesion_id=lid, organ=organ,
                                             is_nodal=nodal, role=role, in_field=in_field))
        baseline = enrol - dt.timedelta(days=int(rng.integers(1, 14)))
        day, first_pd = baseline, None
        base_sum = sum(s for *_x, s, _sl in lesions if not math.isnan(s))
        nadir = base_sum
        while day <= last:
            t = (day - baseline).days
            total = 0.0
            for lid, _o, nodal, role, _f, size, slope in lesions:
                if role == "target":
                    value = size * math.exp(slope * t) * float(rng.normal(1, 0.03))
                    value = round(value, 1) if value >= (10 if nodal else 5) else (
                        round(value, 1) if nodal else 0.0)
                    total += value
                    status = "absent" if value == 0.0 else "present"
                    self.rows["lesion_measurements"].append(dict(
                        subject_id=sid, assessment_date=day, lesion_id=lid,
                        diameter_mm=value if value > 0 else 0.0, status=status))
                else:
                    status = "present" if slope < 0.004 or t == 0 else "unequivocal_progression"
                    self.rows["lesion_measurements"].append(dict(
                        subject_id=sid, assessment_date=day, lesion_id=lid, diameter_mm=None,
                        status=status))
            nadir = min(nadir, total)
            growing = total >= 1.2 * nadir and total - nadir >= 5
            if t > 0 and first_pd is None and (growing or rng.random() < 0.03):
                first_pd = day
                self.rows["lesions"].append(dict(subject_id=sid, lesion_id="N1",
                                                 organ=ORGANS[int(rng.integers(len(ORGANS)))],
                                                 is_nodal=False, role="new", in_field=False))
                self.rows["lesion_measurements"].append(dict(
                    subject_id=sid, assessment_date=day, lesion_id="N1",
                    diameter_mm=round(float(rng.uniform(8, 20)), 1), status="present"))
                break
            day += dt.timedelta(days=self.s.imaging_every_days)
        return first_pd

    def drugs(self, sid: str, iv_ids: tuple[str, ...], rt_start: dt.date, rt_end: dt.date,
              stop: dt.date) -> None:
        for iv_id in iv_ids:
            iv = self.ivs[iv_id]
            if not isinstance(iv, DrugIntervention):
                continue
            anchor = rt_start
            if iv.start is not None and iv.start.event.value == "rt_last_fraction":
                anchor = rt_end
            first = anchor + dt.timedelta(days=iv.start.offset_days if iv.start else 0)
            cycle_days = iv.cycle_length_days or 21
            max_cycles = iv.max_cycles or (
                math.ceil(iv.max_duration_weeks * 7 / cycle_days) if iv.max_duration_weeks
                else 12)
            amount = iv.dose.amount if iv.dose else None
            unit = iv.dose.unit.value if iv.dose else None
            for cycle in range(1, max_cycles + 1):
                day1 = first + dt.timedelta(days=(cycle - 1) * cycle_days)
                if day1 > stop:
                    break
                for d in iv.days_in_cycle:
                    self.rows["drug_admins"].append(dict(
                        subject_id=sid, intervention_id=iv.id, agent=iv.agent or iv.drug_class,
                        admin_date=day1 + dt.timedelta(days=d - 1), cycle=cycle,
                        dose_amount=amount, dose_unit=unit))

    def lab_days(self, enrol: dt.date, last: dt.date, rt_end: dt.date | None) -> list[dt.date]:
        """Every ``lab_every_days`` from 3 days before enrolment, plus the protocol's lab
        visits anchored to the last RT fraction (e.g. NCT06439888's 6-week lymphocyte count)."""
        days = []
        day = enrol - dt.timedelta(days=3)
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=self.s.lab_every_days)
        for a in self.p.assessments:
            if (a.kind.value == "labs" and rt_end is not None
                    and a.anchor.event.value == "rt_last_fraction"):
                extra = rt_end + dt.timedelta(days=a.anchor.offset_days)
                if extra <= last:
                    days.append(extra)
        return sorted(set(days))

    def labs(self, sid: str, enrol: dt.date, last: dt.date, rt_ivs: list[Any],
             rt_start: dt.date, iv_ids: tuple[str, ...], *, rt_end: dt.date | None) -> None:
        rng = self.rng
        hypo = any(iv.technique in (RadiationTechnique.SBRT,
                                    RadiationTechnique.HYPOFRACTIONATED_EBRT) for iv in rt_ivs)
        atra = any("atra" in i.lower() or "retino" in self.ivs[i].name.lower() for i in iv_ids)
        # Severe, slowly recovering lymphopenia after SBRT/hypofractionation (about half of the
        # SBRT-alone patients at grade >= 2 six weeks after RT, as NCT06439888 expects).
        depth = (0.8 if hypo else 0.25 if rt_ivs else 0.05) * (0.5 if atra else 1.0)
        recovery_days = 120.0 if hypo else 40.0
        lym0 = float(np.clip(rng.normal(1.7, 0.45), 0.6, 3.5))
        for day in self.lab_days(enrol, last, rt_end):
            since = (day - rt_start).days
            effect = depth * math.exp(-max(since, 0) / recovery_days) if since >= 0 else 0.0
            values = {
                "LYM": (lym0 * (1 - effect) * float(rng.normal(1, 0.08)), "10^9/L", 1.0, 4.0),
                "NEUT": (float(rng.normal(4.0, 1.3)), "10^9/L", 1.8, 7.5),
                "PLAT": (float(rng.normal(230, 60)), "10^9/L", 150.0, 400.0),
                "HGB": (float(rng.normal(125, 15)), "g/L", 120.0, 160.0),
                "ALT": (float(rng.lognormal(math.log(25), 0.45)), "U/L", 7.0, 40.0),
                "CREAT": (float(rng.normal(80, 15)), "umol/L", 50.0, 110.0),
            }
            for test, (value, unit, lln, uln) in values.items():
                self.rows["labs"].append(dict(subject_id=sid, lab_date=day, test=test,
                                              value=round(max(value, 0.01), 2), unit=unit,
                                              lln=lln, uln=uln, ctcae_term=None,
                                              ctcae_grade=None))

    def adverse_events(self, sid: str, enrol: dt.date, last: dt.date) -> None:
        rng = self.rng
        weights = np.array([w for *_x, w in AE_TERMS])
        span = max((last - enrol).days, 1)
        for _ in range(int(rng.poisson(2.2))):
            term, immune, _w = AE_TERMS[int(rng.choice(len(AE_TERMS), p=weights / weights.sum()))]
            onset = enrol + dt.timedelta(days=int(rng.integers(1, span + 1)))
            grade = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
            resolved = onset + dt.timedelta(days=int(rng.integers(3, 60)))
            self.rows["adverse_events"].append(dict(
                subject_id=sid, term=term, grade=grade, onset_date=onset,
                resolution_date=resolved if resolved <= last else None, serious=grade >= 3,
                immune_related=immune, attribution="ici" if immune else str(
                    rng.choice(["rt", "other"]))))


def simulate_trial(protocol: Protocol, settings: SimulationSettings | None = None) -> TrialData:
    """Simulate one trial's data (see the module docstring for the model).

    The same protocol and settings always give the same data.
    """
    settings = settings or SimulationSettings()
    sim = _Sim(protocol, settings)
    # A record without a target enrolment gets the simulator's default size.
    target = protocol.identity.target_enrolment or settings.default_enrolment
    limit = settings.n_screened or 20 * target
    for index in range(limit):
        enrolled = sum(1 for r in sim.rows["subjects"] if r["enrolment_date"])
        if settings.n_screened is None and enrolled >= target:
            break
        sim.subject(index)
    tables = {name: pd.DataFrame(rows) if rows else None for name, rows in sim.rows.items()}
    kwargs = {k: v for k, v in tables.items() if v is not None}
    return TrialData(trial_id=protocol.identity.registry_id,
                     protocol_version=protocol.protocol_version, **kwargs)
