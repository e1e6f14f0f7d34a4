"""Protocol loading: located, readable findings."""

from __future__ import annotations

from abscopal.protocol import format_location


def test_format_location_drops_union_tags() -> None:
    loc = ("interventions", 0, "radiation", "regimens", 1, "dose_per_fraction_gy")
    assert format_location(loc) == "interventions[0].regimens[1].dose_per_fraction_gy"


def test_format_location_of_the_whole_document() -> None:
    assert format_location(()) == "(document)"
