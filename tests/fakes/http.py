"""The common part of the HTTP fakes: a threaded server on a free local port that records every
request and answers through the subclass, and that can be told to refuse connections, to answer 5xx
or 429, or garbage, to show what an adapter does when its provider misbehaves."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def params(self) -> dict[str, str]:
        """The query and a form body together, as providers that take either read them."""
        form = self.form() if "form-urlencoded" in self.headers.get("content-type", "") else {}
        return {**self.query, **form}


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        extra = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, json.dumps(payload, ensure_ascii=False).encode(), extra)

    @classmethod
    def text(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


class FakeHttpServer:
    """Subclasses implement ``answer``; ``forced`` answers (5xx, 429, garbage) go out first, in order."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._forced: list[Response] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._connections: set[socket.socket] = set()

    def answer(self, request: Request) -> Response:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def force(self, *responses: Response) -> None:
        """The next requests get these answers instead of the provider's normal ones."""
        with self._lock:
            self._forced.extend(responses)

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        # A short poll interval: stopping a fake (each test does) then takes milliseconds, not half a second.
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the socket and every kept-alive connection: connections are refused until ``start``
        again (on the same port), as when the provider's server goes down."""
        if self._server is not None:
            with self._lock:
                open_connections, self._connections = list(self._connections), set()
            for connection in open_connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @contextmanager
    def down(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __enter__(self) -> FakeHttpServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _serve(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            forced = self._forced.pop(0) if self._forced else None
        return forced if forced is not None else self.answer(request)


def _handler_for(fake: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake._connections.add(self.connection)

        def finish(self) -> None:
            with fake._lock:
                fake._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                {key.lower(): value for key, value in self.headers.items()},
                body,
            )
            response = fake._serve(request)
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - http.server calls them by these names

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
