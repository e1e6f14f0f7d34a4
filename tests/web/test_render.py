"""The page context passes through the API's blinding shaper (abscopal.web.render)."""

from __future__ import annotations

from starlette.requests import Request

from abscopal.web.render import render


def _request(*, blinded: bool) -> Request:
    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""})
    request.state.blinded = blinded
    request.state.is_admin = False
    return request


def _ctx() -> dict[str, object]:
    return {"trial": {"id": 1, "registry_id": "NCT0", "title": "t"},
            "subject": {"id": 2, "screening_id": "S-1", "status": "enrolled"},
            "snapshot": None, "inputs": [], "values": {}, "errors": {}, "step": "done",
            "allocation": {"arm_id": "armqz", "arm_label": "Quartz arm", "method": "block"}}


def test_blinded_context_loses_the_allocation_before_rendering() -> None:
    shown = render(_request(blinded=False), "randomise.html", _ctx()).body.decode()
    hidden = render(_request(blinded=True), "randomise.html", _ctx()).body.decode()
    assert "Quartz arm" in shown
    assert "Quartz arm" not in hidden and "armqz" not in hidden
