"""Protocol loading: located, readable findings."""

from __future__ import annotations

from abscopal.protocol import format_location


def test_format_location_drops_union_tags() -> None:
    loc = ("interventions", 0, "radiation", "regimens", 1, "dose_per_fraction_gy")
    assert format_location(loc) == "interventions[0].regimens[1].dose_per_fraction_gy"


def test_format_location_of_the_whole_document() -> None:
    assert format_location(()) == "(document)"


def test_display_text_removes_markdown_escapes_only() -> None:
    from abscopal.protocol import display_text

    assert display_text(r"Neutrophil \< 1.5×10\^9/L, Cr \> 1.5 ULN") == (
        "Neutrophil < 1.5×10^9/L, Cr > 1.5 ULN"
    )
    assert display_text("ECOG 0-1.") == "ECOG 0-1."


def test_dumped_yaml_keeps_union_tags() -> None:
    from abscopal.datasets import load_trial
    from abscopal.protocol import dump_protocol

    text = dump_protocol(load_trial("NCT06439888"))
    assert "kind: radiation" in text
    assert "method: fisher_exact" in text
