"""Endpoints: what is measured, by which criteria, at which timepoint."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from abscopal.protocol._common import Identifier, StrictModel
from abscopal.protocol.interventions import AnchorEvent


class EndpointLevel(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    EXPLORATORY = "exploratory"


class EndpointKind(StrEnum):
    ORR = "orr"
    DCR = "dcr"
    PFS = "pfs"
    PFS2 = "pfs2"
    OS = "os"
    CSS = "css"
    FFS = "ffs"
    RFS = "rfs"
    DOR = "dor"
    LOCAL_CONTROL = "local_control"
    RECURRENCE_RATE = "recurrence_rate"
    ABSCOPAL_RESPONSE_RATE = "abscopal_response_rate"
    AE_INCIDENCE = "ae_incidence"
    LYMPHOPENIA_GRADE2_AT_TIMEPOINT = "lymphopenia_grade2_at_timepoint"
    QOL = "qol"
    OTHER = "other"


class ResponseCriteria(StrEnum):
    RECIST_1_1 = "recist_1_1"
    IRECIST = "irecist"
    CTCAE_V5 = "ctcae_v5"


class Endpoint(StrictModel):
    """One endpoint. ``title`` is the registry's wording verbatim; when the record has no
    outcome-measure section, the phrase naming the endpoint in its summary is used (the
    protocol's ``assumptions`` say so)."""

    id: str = Identifier
    level: EndpointLevel
    kind: EndpointKind
    title: str = Field(min_length=1, description="Registry outcome title, verbatim")
    description: str | None = Field(default=None, description="Registry description, verbatim")
    criteria: tuple[ResponseCriteria, ...] = ()
    timepoint_days: int | None = Field(
        default=None, gt=0, description="Assessment time, days from the anchor"
    )
    timepoint_anchor: AnchorEvent | None = Field(
        default=None, description="Event timepoint_days counts from"
    )
    timepoint_window_days: int | None = Field(default=None, ge=0)
    time_frame: str | None = Field(default=None, description="Registry time frame, verbatim")
