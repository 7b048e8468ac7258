"""What every request passes through before its route: the cap on the body's size.

Routes that parse their body themselves (``read_body``) cap it while reading; this covers the ones
FastAPI reads for them (``PUT /v1/customers/…``, ``PUT /v1/products/…``), which would otherwise
take a body of any size into memory and, field by field, into the store.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retentio.api.bodies import MAX_BODY_BYTES, body_too_large


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
