"""The role matrix as data: spot checks of the policy written in the issue."""

from __future__ import annotations

import pytest

from abscopal.store.permissions import (
    ARM_REVEALING_RESOURCES,
    MATRIX,
    RESOURCES,
    Role,
    can,
    is_blinded,
    is_site_scoped,
)


def test_every_role_has_a_row_and_only_known_resources() -> None:
    assert set(MATRIX) == set(Role)
    for grants in MATRIX.values():
        assert set(grants) <= set(RESOURCES)


@pytest.mark.parametrize("role", [Role.STATISTICIAN, Role.MONITOR])
def test_read_only_roles_never_write(role: Role) -> None:
    assert not any(can(role, r, a) for r in RESOURCES for a in ("create", "update", "delete"))


def test_reviewer_is_always_blinded_and_never_sees_arm_resources() -> None:
    assert is_blinded(Role.IMAGING_REVIEWER, statistician_unblinded=True)
    assert not any(can(Role.IMAGING_REVIEWER, r, "read", blinded=True) for r in ARM_REVEALING_RESOURCES)
    assert can(Role.IMAGING_REVIEWER, "lesion_assessment", "update", blinded=True)


def test_statistician_blinding_follows_the_trial_setting() -> None:
    assert is_blinded(Role.STATISTICIAN, statistician_unblinded=False)
    assert not is_blinded(Role.STATISTICIAN, statistician_unblinded=True)
    assert not can(Role.STATISTICIAN, "allocation", "read", blinded=True)
    assert can(Role.STATISTICIAN, "allocation", "read", blinded=False)


def test_only_investigators_and_admins_unblind() -> None:
    assert {r for r in Role if can(r, "unblinding", "create")} == {Role.ADMIN, Role.INVESTIGATOR}


def test_site_scoping() -> None:
    assert {r for r in Role if is_site_scoped(r)} == {Role.INVESTIGATOR, Role.COORDINATOR, Role.MONITOR}


def test_unknown_resource_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown resource 'labz'"):
        can(Role.ADMIN, "labz", "read")
