"""The receiving end of providers' delivery callbacks in tests: records what a fake provider posts
(over a real socket, so the wire format is the one an adapter will read) and answers as the
provider expects, then hands a request over as the ``Callback`` the API would build from it."""

from __future__ import annotations

from retentio.messaging.channels.port import Callback
from tests.fakes.http import FakeHttpServer, Request, Response


class CallbackCatcher(FakeHttpServer):
    def __init__(self, answer_body: str = "OK") -> None:
        super().__init__()
        self.answer_body = answer_body

    def answer(self, request: Request) -> Response:
        return Response.text(200, self.answer_body)

    def callback(self, index: int = -1) -> Callback:
        request = self.requests[index]
        return Callback(
            body=request.body,
            content_type=request.headers.get("content-type", ""),
            query=request.query,
            headers=request.headers,
        )
