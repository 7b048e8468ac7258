"""A running server answers GET requests while another process's write transaction holds the
database's write lock (on SQLite: a long ingest batch)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy import Engine
from tests.acceptance.api.conftest import Server

from retentio.catalog.models import ProductUpsert
from retentio.catalog.service import do_upsert_products
from retentio.db.engine import make_engine


def test_reads_are_answered_while_a_writer_holds_the_lock(
    start_server: Callable[[], Server],
    engine: Engine,
    database_url: str,
    now: datetime,
    headers_for: Callable[[str], dict[str, str]],
) -> None:
    # given
    headers = headers_for("read")
    with engine.begin() as connection:
        do_upsert_products(connection, [("kept", ProductUpsert(name="Kept"))], now, "RUB")
    server = start_server()
    writer_engine = make_engine(database_url)
    try:
        with writer_engine.begin() as writer:
            do_upsert_products(writer, [("pending", ProductUpsert(name="Pending"))], now, "RUB")
            # when: the writer has not committed (the server's busy timeout is 60 s)
            with httpx.Client(base_url=server.url, headers=headers, timeout=5) as http:
                product = http.get("/v1/products/kept")
                pending = http.get("/v1/products/pending")
                segments = http.get("/v1/segments")
                health = http.get("/v1/health")
    finally:
        writer_engine.dispose()
    # then
    assert product.status_code == 200
    assert product.json()["name"] == "Kept"
    assert pending.status_code == 404
    assert segments.json() == {"segments": []}
    assert health.json()["status"] == "ok"
