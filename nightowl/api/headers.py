"""Security headers on every HTTP answer, API and UI alike (an ASGI middleware).

The UI serves its own script and style sheet only, so its Content-Security-Policy allows nothing
else: no inline script, no other origin, no framing (clickjacking), no plugin; images only from
itself (an external image in alert text is never fetched, even if it reached the page). Inline
``style`` attributes (confidence bars) and the report's inline ``<style>`` are allowed. The API
documentation needs no exemption: the UI's ``/docs`` loads Swagger UI from this server and starts
it from a script file (``ui/docs.py``); FastAPI's own pages, with their inline script and CDN,
are off, and ``/openapi.json`` is served to token holders only.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds the headers above to every HTTP response that does not already set them.

    Stateless; the wrapped application is called unchanged, its body is never buffered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (*HEADERS.items(), ("Content-Security-Policy", CSP)):
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
