"""Access to the application object from a request."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fastapi import Request

if TYPE_CHECKING:
    from nightowl.app import Nightowl


def nightowl_of(request: Request) -> Nightowl:
    return cast("Nightowl", request.app.state.nightowl)
