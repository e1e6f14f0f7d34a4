"""Small helpers shared by the views: submitted form data and redirects."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as ``{name: last value}`` (empty for GET)."""
    if request.method in ("GET", "HEAD"):
        return {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(form_data)]


def redirect(path: str) -> RedirectResponse:
    """303 See Other: after a POST the browser GETs the target (no resubmission on reload)."""
    return RedirectResponse(path, status_code=303)


__all__ = ["FormDep", "form_data", "redirect"]
