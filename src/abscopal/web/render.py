"""Template rendering: one Jinja2 environment, the common page context, blind-safe shaping.

Every view builds a plain context dict (dicts, lists, scalars) and calls :func:`render`; the
dict passes through ``api.blinding.shape_for_caller`` — the same function that shapes every API
response — so a key such as ``arm``, ``arm_label`` or ``allocation`` never reaches a blinded
caller's template even if a view put it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from abscopal.api.blinding import shape_for_caller
from abscopal.store.permissions import Role

TEMPLATES = Path(__file__).resolve().parent / "templates"

ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f} %"


ENV.filters["fmt"] = _fmt
ENV.filters["pct"] = _pct


def navigation(request: Request) -> list[dict[str, str]]:
    """Role-aware navigation (links only to pages the role can open)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return []
    items = [{"href": "/trials", "label": "Trials"}]
    if principal.role in (Role.ADMIN, Role.INVESTIGATOR, Role.COORDINATOR):
        items.append({"href": "/screening", "label": "Screening"})
    return items


def render(request: Request, template: str, context: Mapping[str, Any], *,
           status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the blind-safe ``context`` plus the page chrome."""
    principal = getattr(request.state, "principal", None)
    blinded = bool(getattr(request.state, "blinded", principal is not None))
    is_admin = bool(getattr(request.state, "is_admin", False))
    data = shape_for_caller(dict(context), blinded=blinded, is_admin=is_admin)
    page = {
        **data,
        "user": None if principal is None else {
            "name": getattr(request.state, "display_name", principal.username),
            "role": principal.role.value.replace("_", " "),
        },
        "csrf_token": getattr(request.state, "csrf_token", None) or context.get("csrf_token"),
        "nav": navigation(request),
        "path": request.url.path,
    }
    html = ENV.get_template(template).render(**page)
    return HTMLResponse(html, status_code=status_code)


__all__ = ["ENV", "TEMPLATES", "navigation", "render"]
