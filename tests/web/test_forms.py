"""Form fields from the API schemas and parsing of submissions (abscopal.web.forms)."""

from __future__ import annotations

from abscopal.api.schemas import LabCreate, LesionAssessmentCreate, RtDeliveryCreate
from abscopal.web import forms


def test_fields_follow_the_schema() -> None:
    fields = {f.name: f for f in forms.form_fields(LabCreate)}
    assert list(fields) == ["collected_on", "test", "value", "unit", "lower_limit", "upper_limit"]
    assert fields["collected_on"].input == "date" and fields["collected_on"].required
    assert fields["value"].input == "number" and fields["value"].step == "any"
    assert not fields["lower_limit"].required
    lesion = {f.name: f for f in forms.form_fields(LesionAssessmentCreate, skip=("lesions",))}
    assert lesion["modality"].input == "select" and lesion["modality"].choices[:2] == ("CT", "MRI")
    rt = {f.name: f for f in forms.form_fields(RtDeliveryCreate)}
    assert rt["dose_metrics"].input == "pairs" and rt["fraction_number"].step == "1"


def test_collect_blank_is_missing_and_pairs_are_parsed() -> None:
    fields = forms.form_fields(RtDeliveryCreate)
    values, errors = forms.collect(fields, {"target": "  ", "dose_metrics": "D90=120; V100 = 95;"})
    assert "target" not in values and values["dose_metrics"] == {"D90": "120", "V100": "95"}
    assert errors == {}
    _, errors = forms.collect(fields, {"dose_metrics": "D90"})
    assert errors["dose_metrics"].startswith("write name=value pairs")


def test_validate_gives_messages_by_field_including_lesion_rows() -> None:
    clean, errors = forms.validate(LabCreate, {"collected_on": "2026-01-01", "test": "x", "value": "1e999",
                                               "unit": "g/L"})
    assert clean is None and set(errors) == {"value"}
    rows = forms.collect_lesions({"lesion-0-lesion_label": "T1", "lesion-0-category": "target",
                                  "lesion-0-organ": "liver", "lesion-0-diameter_mm": "x",
                                  "lesion-1-category": "target",  # blank row: ignored
                                  "lesion-2-lesion_label": "N1", "lesion-2-category": "new",
                                  "lesion-2-organ": "lung", "lesion-2-is_nodal": "on"}, rows=3)
    assert [r["lesion_label"] for r in rows] == ["T1", "N1"] and rows[1]["is_nodal"] is True
    _, errors = forms.validate(LesionAssessmentCreate, {"assessed_on": "2026-01-01", "timepoint": "b",
                                                        "modality": "CT", "lesions": rows})
    assert list(errors) == ["lesion-0-diameter_mm"]
    shown = forms.echo_lesions(rows, minimum=4)
    assert len(shown) == 4 and shown[3]["category"] == "target" and shown[0]["diameter_mm"] == "x"
