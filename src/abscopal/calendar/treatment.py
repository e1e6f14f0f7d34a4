"""A subject's treatment and visit calendar from the protocol and the subject's dates."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from abscopal.calendar.bsa import compute_dose_mg
from abscopal.calendar.fractions import schedule_fractions
from abscopal.calendar.visits import Visit, schedule_visits
from abscopal.errors import InputError
from abscopal.protocol import (
    Anchor,
    AnchorEvent,
    DrugIntervention,
    Protocol,
    RadiationIntervention,
    RadiationTechnique,
)

CALENDAR_VERSION = "calendar/1"


@dataclass(frozen=True)
class Fraction:
    """One planned radiotherapy fraction (``dose_gy`` None when the protocol gives no dose)."""

    intervention_id: str
    number: int
    date: dt.date
    dose_gy: float | None


@dataclass(frozen=True)
class DrugDose:
    """One planned drug administration day.

    ``dose_mg`` is computed for this patient (BSA/weight) or None with the reason in ``basis``.
    """

    intervention_id: str
    name: str
    date: dt.date
    cycle: int
    day_in_cycle: int
    dose_mg: float | None
    basis: str
    is_optional: bool


@dataclass(frozen=True)
class TreatmentCalendar:
    """Everything planned for one subject, with the anchors used and what could not be planned.

    Attributes
    ----------
    anchors : tuple of (event, date)
        The resolved anchor dates (first/last RT fraction, implant, treatment start...).
    notes : tuple of str
        Assumptions and gaps (a drug without cycle length, RT without a regimen...).
    """

    registry_id: str
    protocol_version: str
    arm_id: str
    start_date: dt.date
    anchors: tuple[tuple[str, dt.date], ...]
    fractions: tuple[Fraction, ...]
    drug_doses: tuple[DrugDose, ...]
    visits: tuple[Visit, ...]
    notes: tuple[str, ...]
    rule_version: str = CALENDAR_VERSION


def _radiation_plan(
    rt: RadiationIntervention, fractions: int | None
) -> tuple[int | None, float | None, str | None]:
    """(number of fractions, dose per fraction, note) for the arm's radiation."""
    if not rt.regimens:
        if fractions is None:
            return None, None, (
                f"{rt.id}: the protocol gives no regimen ({rt.dose_note or 'no dose'}); pass "
                "the number of fractions to schedule it"
            )
        return fractions, None, f"{rt.id}: {fractions} fractions as given (protocol has no dose)"
    if fractions is None:
        if len(rt.regimens) > 1:
            allowed = ", ".join(
                f"{r.fractions} x {r.dose_per_fraction_gy:g} Gy" for r in rt.regimens)
            raise InputError(
                f"{rt.id} allows several regimens ({allowed}); pass 'fractions' to choose one"
            )
        regimen = rt.regimens[0]
        return regimen.fractions, regimen.dose_per_fraction_gy, None
    for regimen in rt.regimens:
        if regimen.fractions == fractions:
            return fractions, regimen.dose_per_fraction_gy, None
    allowed_n = sorted({r.fractions for r in rt.regimens})
    raise InputError(f"'fractions' must be one of {allowed_n} for {rt.id} (got {fractions})")


def _drug_cycles(drug: DrugIntervention, cycle_days: int, horizon_days: int) -> tuple[int, str | None]:
    caps = []
    if drug.max_cycles is not None:
        caps.append(drug.max_cycles)
    if drug.max_duration_weeks is not None:
        caps.append(math.ceil(drug.max_duration_weeks * 7 / cycle_days))
    if caps:
        return min(caps), None
    n = horizon_days // cycle_days + 1
    return n, f"{drug.id}: no maximum stated; cycles shown up to the {horizon_days}-day horizon"


def _resolve(anchor: Anchor | None, anchors: Mapping[AnchorEvent, dt.date]) -> dt.date | None:
    """The date of ``anchor`` (None = the treatment start), or None when its event is unknown."""
    if anchor is None:
        return anchors[AnchorEvent.TREATMENT_START]
    base = anchors.get(anchor.event)
    return None if base is None else base + dt.timedelta(days=anchor.offset_days)


def _plan_radiation(
    rt: RadiationIntervention,
    anchors: dict[AnchorEvent, dt.date],
    notes: list[str],
    *,
    fractions: int | None,
    closed_dates: Collection[dt.date],
) -> list[Fraction]:
    """Fractions of the arm's radiation; records the RT anchors in ``anchors``."""
    rt_start = _resolve(rt.start, anchors)
    if rt_start is None:
        assert rt.start is not None
        notes.append(f"{rt.id}: start anchor {rt.start.event.value} unknown; not planned")
        return []
    if rt.technique is RadiationTechnique.I125_SEED_IMPLANT:
        anchors[AnchorEvent.IMPLANT] = rt_start
        return []
    anchors[AnchorEvent.RT_FIRST_FRACTION] = rt_start
    n_fx, dose_gy, note = _radiation_plan(rt, fractions)
    if note:
        notes.append(note)
    if n_fx is None:
        return []
    dates = schedule_fractions(
        rt_start, fractions=n_fx, weekdays_only=rt.delivery.weekdays_only,
        max_span_days=rt.delivery.max_span_days, min_gap_days=rt.delivery.min_gap_days,
        closed_dates=closed_dates,
    )
    anchors[AnchorEvent.RT_LAST_FRACTION] = dates[-1]
    return [Fraction(rt.id, k + 1, d, dose_gy) for k, d in enumerate(dates)]


def _plan_drug(
    drug: DrugIntervention,
    anchors: Mapping[AnchorEvent, dt.date],
    notes: list[str],
    *,
    cycle_length_days: int | None,
    bsa_m2: float | None,
    weight_kg: float | None,
    horizon_days: int,
) -> list[DrugDose]:
    day1 = _resolve(drug.start, anchors)
    if day1 is None:
        assert drug.start is not None
        notes.append(f"{drug.id}: start anchor {drug.start.event.value} unknown; not planned")
        return []
    cycle = cycle_length_days if cycle_length_days is not None else drug.cycle_length_days
    if cycle is None:
        notes.append(f"{drug.id}: cycle length not stated ({drug.dosing_note}); pass "
                     "cycle_length_days to plan it")
        return []
    if cycle < 1:
        raise InputError(f"'cycle_length_days' for {drug.id} must be >= 1 (got {cycle})")
    n_cycles, note = _drug_cycles(drug, cycle, horizon_days)
    if note:
        notes.append(note)
    if drug.dose is None:
        dose_mg, basis = None, drug.dosing_note or "no dose stated"
    else:
        dose_mg, basis = compute_dose_mg(drug.dose, bsa_m2=bsa_m2, weight_kg=weight_kg)
    return [
        DrugDose(drug.id, drug.name, day1 + dt.timedelta(days=c * cycle + d - 1), c + 1, d,
                 dose_mg, basis, drug.is_optional)
        for c in range(n_cycles)
        for d in drug.days_in_cycle
    ]


def build_treatment_calendar(
    protocol: Protocol,
    *,
    arm_id: str,
    start_date: dt.date,
    bsa_m2: float | None = None,
    weight_kg: float | None = None,
    fractions: int | None = None,
    cycle_length_days: Mapping[str, int] | None = None,
    anchor_dates: Mapping[AnchorEvent, dt.date] | None = None,
    include_optional: bool = False,
    closed_dates: Collection[dt.date] = (),
    horizon_days: int = 365,
) -> TreatmentCalendar:
    """Plan RT fractions, drug administrations and assessment visits for one subject.

    Parameters
    ----------
    protocol : Protocol
    arm_id : str
        The subject's arm.
    start_date : date
        The first treatment day: the first RT fraction (or implant) when the arm has radiation,
        otherwise the first drug day. Anchors ``treatment_start``.
    bsa_m2, weight_kg : float, optional
        For mg/m² and mg/kg doses (see ``compute_bsa_mosteller``).
    fractions : int, optional
        Number of fractions when the protocol allows several regimens or states none.
    cycle_length_days : mapping of intervention id to int, optional
        Cycle lengths the protocol leaves to the chosen agent (NCT07277777 "every 2-3 weeks").
    anchor_dates : mapping of AnchorEvent to date, optional
        Dates of events outside treatment (enrolment, randomisation, surgery, treatment end).
    include_optional : bool
        Also plan drugs marked ``is_optional`` ("possibly additional chemotherapy").
    closed_dates : collection of date
        Department closures, skipped for RT fractions.
    horizon_days : int
        How far ahead open-ended schedules (until progression) are shown.

    Rules
    -----
    1. RT: fractions from the radiation's start anchor (default ``start_date``) on consecutive
       treatment days under the delivery rules (see ``schedule_fractions``); ``rt_first_fraction``
       and ``rt_last_fraction`` anchor everything else. An implant happens on its start date.
    2. Drugs: cycle 1 day 1 on the drug's start anchor (e.g. the day after the last fraction:
       ``rt_last_fraction + 1``; ATRA on ``rt_first_fraction``); administration days
       ``day1 + (cycle - 1) × cycle_length + (d - 1)`` for each ``d`` in ``days_in_cycle``;
       cycles = ``max_cycles``, or ``ceil(max_duration_weeks × 7 / cycle_length)`` (18 weeks
       q3w → 6), the smaller when both are given. Drug days are not moved off weekends.
    3. Visits: per assessment of the arm (see ``schedule_visits``).
    4. Anything whose anchor is unknown is left out and named in ``notes``.
    """
    if horizon_days < 1:
        raise InputError(f"'horizon_days' must be >= 1 (got {horizon_days})")
    try:
        arm = protocol.arm(arm_id)
    except KeyError as exc:
        raise InputError(f"'arm_id': {exc.args[0]}") from exc
    notes: list[str] = []
    anchors: dict[AnchorEvent, dt.date] = dict(anchor_dates or {})
    anchors[AnchorEvent.TREATMENT_START] = start_date
    items = [protocol.intervention(i) for i in arm.interventions]
    radiations = [i for i in items if isinstance(i, RadiationIntervention)]
    if len(radiations) > 1:
        raise InputError(f"arm {arm_id!r} has {len(radiations)} radiation courses; one is supported")
    planned_fractions: list[Fraction] = []
    if radiations:
        planned_fractions = _plan_radiation(
            radiations[0], anchors, notes, fractions=fractions, closed_dates=closed_dates
        )
    doses: list[DrugDose] = []
    for drug in (i for i in items if isinstance(i, DrugIntervention)):
        if drug.is_optional and not include_optional:
            notes.append(f"{drug.id}: optional ({drug.description or drug.name}); not planned")
            continue
        doses += _plan_drug(
            drug, anchors, notes, cycle_length_days=(cycle_length_days or {}).get(drug.id),
            bsa_m2=bsa_m2, weight_kg=weight_kg, horizon_days=horizon_days,
        )
    horizon = start_date + dt.timedelta(days=horizon_days)
    visits: list[Visit] = []
    for assessment in protocol.assessments:
        if assessment.arms and arm_id not in assessment.arms:
            continue
        anchor_date = anchors.get(assessment.anchor.event)
        if anchor_date is None:
            notes.append(f"{assessment.id}: anchor {assessment.anchor.event.value} unknown; "
                         "not planned")
            continue
        visits += schedule_visits(assessment, anchor_date=anchor_date, horizon_date=horizon)

    return TreatmentCalendar(
        registry_id=protocol.identity.registry_id,
        protocol_version=protocol.protocol_version,
        arm_id=arm_id,
        start_date=start_date,
        anchors=tuple(sorted(((e.value, d) for e, d in anchors.items()), key=lambda x: (x[1], x[0]))),
        fractions=tuple(planned_fractions),
        drug_doses=tuple(sorted(doses, key=lambda x: (x.date, x.intervention_id))),
        visits=tuple(sorted(visits, key=lambda v: (v.nominal_date, v.assessment_id))),
        notes=tuple(notes),
    )
