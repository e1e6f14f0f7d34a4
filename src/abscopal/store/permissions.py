"""Who may do what: the role → permission matrix (data), site scoping and blinding rules.

Rules
-----
1. Six roles (issue 7): ``admin``; ``investigator`` and ``coordinator`` (own sites only);
   ``imaging_reviewer`` (central, blinded); ``statistician`` (all sites, read-only, blinded unless
   the trial's ``statistician_unblinded`` setting is on); ``monitor`` (read-only, own sites).
2. A blinded caller may not touch any resource in :data:`ARM_REVEALING_RESOURCES`, whatever the
   matrix says, and every payload it receives passes through the blinding shaper
   (:func:`abscopal.api.blinding.shape_for_caller`), which drops :data:`ARM_REVEALING_KEYS`.
3. Policy where the issue is silent: adverse events and RT deliveries count as arm-revealing (in
   NCT07277777 only the experimental arm gets a seed implant, so RT records and RT-attributed AEs
   give the arm away); labs do not. A lesion's ``in_field`` flag (irradiated lesion) and the
   derived abscopal analysis built on it reveal the RT arm and are dropped likewise. Emergency unblinding is for investigators and admins only.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    COORDINATOR = "coordinator"
    IMAGING_REVIEWER = "imaging_reviewer"
    STATISTICIAN = "statistician"
    MONITOR = "monitor"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


RESOURCES: tuple[str, ...] = (
    "site",
    "user",
    "trial",
    "protocol_version",
    "subject",
    "screening_result",
    "enrolment",
    "allocation",
    "unblinding",
    "calendar_entry",
    "rt_delivery",
    "drug_administration",
    "lesion_assessment",
    "lab",
    "adverse_event",
    "off_study",
    "death",
    "audit",
    "export",
    "system_audit",
)

SUBJECT_DATA: tuple[str, ...] = (
    "screening_result",
    "calendar_entry",
    "rt_delivery",
    "drug_administration",
    "lesion_assessment",
    "lab",
    "adverse_event",
    "off_study",
    "death",
)

ARM_REVEALING_RESOURCES: frozenset[str] = frozenset(
    {"allocation", "unblinding", "drug_administration", "rt_delivery", "calendar_entry", "adverse_event"}
)

ARM_REVEALING_KEYS: frozenset[str] = frozenset(
    {
        "arm",
        "arm_id",
        "arm_label",
        "arms",
        "allocation",
        "allocations",
        "stage_id",
        "interventions",
        "protocol_yaml",
        "yaml_text",
        "unblinding",
        "unblindings",
        "in_field",
        "abscopal",
    }
)

SITE_SCOPED_ROLES: frozenset[Role] = frozenset({Role.INVESTIGATOR, Role.COORDINATOR, Role.MONITOR})

R = frozenset({Action.READ})
RC = frozenset({Action.READ, Action.CREATE})
RCU = frozenset({Action.READ, Action.CREATE, Action.UPDATE})
ALL = frozenset(Action)


def _site_staff(*, may_unblind: bool) -> dict[str, frozenset[Action]]:
    grants = {r: ALL for r in SUBJECT_DATA} | {
        "site": R,
        "trial": R,
        "protocol_version": R,
        "subject": ALL,
        "enrolment": RC,
        "allocation": R,
        "unblinding": RC if may_unblind else R,
        "audit": R,
        "export": R,
    }
    return grants


def _read_everything() -> dict[str, frozenset[Action]]:
    return {r: R for r in RESOURCES if r not in ("user", "system_audit")}


MATRIX: dict[Role, dict[str, frozenset[Action]]] = {
    Role.ADMIN: {r: ALL for r in RESOURCES}
    | {"audit": R, "export": R, "system_audit": R, "unblinding": RC, "allocation": R, "enrolment": RC},
    Role.INVESTIGATOR: _site_staff(may_unblind=True),
    Role.COORDINATOR: _site_staff(may_unblind=False),
    Role.IMAGING_REVIEWER: {
        "site": R,
        "trial": R,
        "protocol_version": R,
        "subject": R,
        "lesion_assessment": RCU,
        "audit": R,
        "export": R,
    },
    Role.STATISTICIAN: _read_everything(),
    Role.MONITOR: _read_everything(),
}
"""role → resource → allowed actions. Anything absent is denied."""


def is_blinded(role: Role | str, *, statistician_unblinded: bool) -> bool:
    """Whether a role is kept blind to allocation in a trial."""
    role = Role(role)
    if role is Role.IMAGING_REVIEWER:
        return True
    return role is Role.STATISTICIAN and not statistician_unblinded


def can(role: Role | str, resource: str, action: Action | str, *, blinded: bool = False) -> bool:
    """Whether ``role`` may perform ``action`` on ``resource`` (blinding applied)."""
    if resource not in RESOURCES:
        raise KeyError(f"unknown resource {resource!r} (known: {', '.join(RESOURCES)})")
    if blinded and resource in ARM_REVEALING_RESOURCES:
        return False
    return Action(action) in MATRIX[Role(role)].get(resource, frozenset())


def is_site_scoped(role: Role | str) -> bool:
    """Whether the role sees only the sites it is assigned to."""
    return Role(role) in SITE_SCOPED_ROLES


__all__ = [
    "ARM_REVEALING_KEYS",
    "ARM_REVEALING_RESOURCES",
    "MATRIX",
    "RESOURCES",
    "SITE_SCOPED_ROLES",
    "SUBJECT_DATA",
    "Action",
    "Role",
    "can",
    "is_blinded",
    "is_site_scoped",
]
