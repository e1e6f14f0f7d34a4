"""The single exception tree of abscopal.

::

    AbscopalError
      InputError(ValueError)        bad argument or value shape
        MissingColumnError          a required column/field is absent
        UnitError                   a unit is unknown or of the wrong dimension
        DateOrderError              dates are out of order
      CriteriaError                 data violate a clinical rule (e.g. non-measurable target)
      ProtocolError                 a protocol definition is invalid or inconsistent
      ScreeningError                batch screening failed
        QueryTimeout                a query exceeded its time limit
        UnsafeSQL                   generated SQL failed the SELECT-only check
      StoreError                    persistence layer
        NotFoundError               a record does not exist (or is not visible to the caller)
        ConflictError               optimistic-locking conflict: someone saved first
        PermissionDeniedError       the caller's role may not do this
        AuthenticationError         missing, wrong or expired credentials, or a locked account

    Warnings: ClinicalDataWarning, StatisticalWarning

Only the shell (CLI, API, web) maps these to exit codes or HTTP statuses; the
exceptions themselves carry no transport knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem found while validating input.

    Attributes
    ----------
    path : str
        Where the problem is, e.g. ``arms[1].interventions[0]``.
    expected : str
        What was expected there.
    received : str
        What was found (``repr`` of the value, or ``"missing"``).
    """

    path: str
    expected: str
    received: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected} (got {self.received})"


class AbscopalError(Exception):
    """Base class of every error abscopal raises on purpose.

    Catch this to handle any anticipated failure; anything else is a bug.
    """


class InputError(AbscopalError, ValueError):
    """An argument has the wrong value or shape.

    The message names the argument, the expectation and what was received.
    Recover by correcting the input; nothing was changed.
    """


class MissingColumnError(InputError):
    """A required column or field is missing from a table or record."""


class UnitError(InputError):
    """A unit is unknown, or of the wrong dimension for the quantity."""


class DateOrderError(InputError):
    """Dates that must be ordered (start before end, baseline first) are not."""


class CriteriaError(AbscopalError):
    """The data break a clinical rule, e.g. a non-measurable target lesion (RECIST 1.1 §3.1)."""


class ProtocolError(AbscopalError):
    """A protocol definition is invalid or internally inconsistent.

    Attributes
    ----------
    source : str
        The file (or other source) the protocol came from.
    findings : tuple of Finding
        Every problem found, each with its path inside the protocol.
    """

    def __init__(self, source: str, findings: list[Finding] | tuple[Finding, ...]) -> None:
        self.source = source
        self.findings = tuple(findings)
        lines = [f"{source}: invalid protocol ({len(self.findings)} problem(s))"]
        lines += [f"  - {f}" for f in self.findings]
        super().__init__("\n".join(lines))


class ScreeningError(AbscopalError):
    """Batch screening over an EHR database failed."""


class QueryTimeout(ScreeningError):
    """A screening query ran longer than its time limit; raise the limit or narrow the cohort."""


class UnsafeSQL(ScreeningError):
    """Generated SQL was not a single read-only SELECT statement."""


class StoreError(AbscopalError):
    """The trial database refused an operation."""


class NotFoundError(StoreError):
    """The record does not exist, or the caller may not know it exists."""


class ConflictError(StoreError):
    """Someone else saved this record first (optimistic locking); reload and re-apply."""


class PermissionDeniedError(StoreError):
    """The caller's role does not allow this action."""


class AuthenticationError(StoreError):
    """Credentials are missing, wrong or expired, or the account is locked.

    The message never says which (so it cannot be used to probe for usernames); log in again,
    or wait for the lockout to end (``ABSCOPAL_LOCKOUT_MINUTES``) or ask an admin.
    """


class ClinicalDataWarning(UserWarning):
    """Data are usable but clinically suspicious (e.g. an implausible lab value)."""


class StatisticalWarning(UserWarning):
    """A statistical result is computed but should be read with care (e.g. tiny samples)."""


__all__ = [
    "AbscopalError",
    "AuthenticationError",
    "ClinicalDataWarning",
    "ConflictError",
    "CriteriaError",
    "DateOrderError",
    "Finding",
    "InputError",
    "MissingColumnError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryTimeout",
    "ScreeningError",
    "StatisticalWarning",
    "StoreError",
    "UnitError",
    "UnsafeSQL",
]
