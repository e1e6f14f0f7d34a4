"""Persistence (shell): models, migrations, audit trail, accounts, permissions, seams.

Import submodules directly (``abscopal.store.repo``, ``abscopal.store.audit`` …); this package
re-exports only the seams other packages plug into.
"""

from abscopal.store.allocation import (
    AllocationDecision,
    AllocationRequest,
    Allocator,
    ConcealedSequence,
    FixedRatioAllocator,
)
from abscopal.store.derive import (
    DEFAULT_REGISTRY,
    DerivationContext,
    DerivationRegistry,
    derive_on_write,
)

__all__ = [
    "DEFAULT_REGISTRY",
    "AllocationDecision",
    "AllocationRequest",
    "Allocator",
    "ConcealedSequence",
    "DerivationContext",
    "DerivationRegistry",
    "FixedRatioAllocator",
    "derive_on_write",
]
