"""What every request and answer passes through: the cap on the body's size, and the headers that
keep answers from being sniffed or, when they carry customer data, kept in a cache.

Routes that parse their body themselves (``read_body``) cap it while reading; ``BodyLimit`` covers
the ones FastAPI reads for them (``PUT /v1/customers/…``, ``PUT /v1/products/…``), which would
otherwise take a body of any size into memory and, field by field, into the store.
"""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retentio.api.bodies import MAX_BODY_BYTES, body_too_large

# Customers, the answers about events (they name event and customer ids), a segment's members.
_CUSTOMER_DATA = re.compile(r"^/v1/(?:customers/|events$|segments/[^/]+/members$)")


class BodyLimit:
    """413 for a body over ``max_bytes``: at once when its declared length says so, else as soon as
    the bytes received pass it (a chunked body), before the route has seen the whole of it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            refused = body_too_large(self.max_bytes)
            await JSONResponse({"detail": refused.detail}, refused.status_code)(scope, receive, send)
            return
        await self.app(scope, self._capped(receive), send)

    def _capped(self, receive: Receive) -> Receive:
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI passes an HTTPException from reading the body on to its handler: a 413
                    raise body_too_large(self.max_bytes)
            return message

        return capped


class ResponseHeaders:
    """``X-Content-Type-Options: nosniff`` on every answer, ``Cache-Control: no-store`` on those that
    carry customer data (errors included: a 404 still says which customer was asked for)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _CUSTOMER_DATA.match(scope["path"]) is not None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
