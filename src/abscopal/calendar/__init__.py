"""Treatment and visit calendars (pure core): RT fractions under delivery rules, drugs anchored
on RT with per-patient doses, assessments with windows, and overdue/out-of-window flags."""

from abscopal.calendar.bsa import BSA_FORMULA, compute_bsa_mosteller, compute_dose_mg
from abscopal.calendar.fractions import is_weekday, schedule_fractions, validate_fraction_dates
from abscopal.calendar.treatment import (
    CALENDAR_VERSION,
    DrugDose,
    Fraction,
    TreatmentCalendar,
    build_treatment_calendar,
)
from abscopal.calendar.visits import Visit, VisitStatus, classify_visits, schedule_visits

__all__ = [
    "BSA_FORMULA",
    "CALENDAR_VERSION",
    "DrugDose",
    "Fraction",
    "TreatmentCalendar",
    "Visit",
    "VisitStatus",
    "build_treatment_calendar",
    "classify_visits",
    "compute_bsa_mosteller",
    "compute_dose_mg",
    "is_weekday",
    "schedule_fractions",
    "schedule_visits",
    "validate_fraction_dates",
]
