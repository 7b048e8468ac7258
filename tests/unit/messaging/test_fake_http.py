from __future__ import annotations

import httpx
import pytest
from tests.fakes.http import FakeHttpServer, Request, Response


class Echo(FakeHttpServer):
    def answer(self, request: Request) -> Response:
        return Response.json(200, {"path": request.path, "params": request.params()})


def test_the_fake_records_answers_forces_and_goes_down() -> None:
    with Echo() as fake:
        answer = httpx.post(f"{fake.url}/send?a=1", data={"b": "2"})
        assert answer.json() == {"path": "/send", "params": {"a": "1", "b": "2"}}
        fake.force(Response.text(503, "busy"), Response.json(429, {}, {"Retry-After": "3"}))
        assert httpx.get(fake.url).status_code == 503
        assert httpx.get(fake.url).headers["retry-after"] == "3"
        assert httpx.get(fake.url).status_code == 200
        with fake.down(), pytest.raises(httpx.ConnectError):
            httpx.get(fake.url)
        assert httpx.get(fake.url).status_code == 200
        assert [request.method for request in fake.requests] == ["POST", "GET", "GET", "GET", "GET"]


def test_going_down_also_drops_kept_alive_connections() -> None:
    with Echo() as fake, httpx.Client() as client:
        assert client.get(fake.url).status_code == 200  # the pool keeps this connection
        with fake.down(), pytest.raises(httpx.TransportError):
            client.get(fake.url)
        assert client.get(fake.url).status_code == 200
