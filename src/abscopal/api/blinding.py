"""Blinding as one response-shaping function, applied centrally to every JSON response.

Rules
-----
1. The permission check (``deps.require``) refuses a blinded caller every arm-revealing resource
   (``store.permissions.ARM_REVEALING_RESOURCES``) — allocation, unblinding, drug, RT, calendar,
   AE records — on every route, including exports and the audit view.
2. Every JSON body sent to a blinded caller passes through :func:`shape_for_caller`, which drops
   every key in ``ARM_REVEALING_KEYS`` at any depth (arm ids and labels, the protocol text, the
   interventions list, stage ids). This is applied by :class:`ShapedRoute`, the route class of
   every router, never by individual endpoints.
3. Concealment: the position in the concealed allocation sequence is shown to admins only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from abscopal.store.permissions import ARM_REVEALING_KEYS

CONCEALED_KEYS: frozenset[str] = frozenset({"sequence_position", "stratum_key", "block"})


def shape_for_caller(payload: Any, *, blinded: bool, is_admin: bool = False) -> Any:
    """Return ``payload`` without the keys the caller may not see (at any depth)."""
    drop = (ARM_REVEALING_KEYS if blinded else frozenset()) | (frozenset() if is_admin else CONCEALED_KEYS)
    if not drop:
        return payload
    return _drop(payload, drop)


def _drop(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_drop(v, keys) for v in value]
    return value


class ShapedRoute(APIRoute):
    """Route class that shapes every JSON response for the caller (see module Rules)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def shaped(request: Request) -> Response:
            response = await handler(request)
            blinded = bool(getattr(request.state, "blinded", False))
            is_admin = bool(getattr(request.state, "is_admin", False))
            if response.media_type != "application/json" or (is_admin and not blinded):
                return response
            body = bytes(response.body)
            if not body:
                return response
            drop = (ARM_REVEALING_KEYS if blinded else frozenset()) | (frozenset() if is_admin else CONCEALED_KEYS)
            if not any(f'"{key}"'.encode() in body for key in drop):
                return response  # nothing to remove: skip the re-serialisation
            shaped_body = shape_for_caller(json.loads(body), blinded=blinded, is_admin=is_admin)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            return Response(
                content=json.dumps(shaped_body, ensure_ascii=False, separators=(",", ":")),
                status_code=response.status_code,
                headers=headers,
                media_type="application/json",
            )

        return shaped


__all__ = ["CONCEALED_KEYS", "ShapedRoute", "shape_for_caller"]
