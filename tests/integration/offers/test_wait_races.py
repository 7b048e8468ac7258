"""A cart changed at the worst moment, on PostgreSQL: while a wait's handler announces the wait and
lets it go, the log's consumer folds in a new cart change for the same customer. The consumer waits
for the handler, then starts a new wait with its own queue row — the change is neither written
over the announcement nor left waiting with no row to end it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from tests.conftest import postgres_url
from tests.integration.offers.test_occasions import SETTINGS, T0, announced, cart, run_waits, send

from retentio.events import event_from_row
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.offers.occasions.waiting import end_wait, follow, load_pending

MINUTE = timedelta(minutes=1)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_a_cart_change_while_its_wait_is_announced_starts_a_new_wait(engine: Engine) -> None:
    # given ann's cart wait, due at 10:00, and a newer change stored but not yet consumed
    send(engine, [cart("e1", "ann", T0, "TEA")], T0)
    late = T0 + 61 * MINUTE
    ingest_events(engine, [cart("e2", "ann", late, "MUG")], late, IngestOptions())
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM events WHERE event_id = 'e2'")).one()
    change = event_from_row(row)
    with engine.connect() as handler:
        transaction = handler.begin()
        # when the handler has announced the wait and let it go, uncommitted, and the consumer folds
        # in the change meanwhile
        assert end_wait(handler, "ann", "cart", SETTINGS, late).startswith("offer due")

        def consume() -> None:
            with engine.begin() as connection:
                follow(connection, {"ann": [change]}, SETTINGS, late)

        racer = threading.Thread(target=consume)
        racer.start()
        _wait_until_a_query_waits_on_a_lock(engine)
        transaction.commit()
        racer.join()
    # then the change started a new wait, with a queue row that announces it in its turn
    with engine.connect() as connection:
        (pending,) = load_pending(connection, ["ann"]).values()
    assert pending is not None and pending.skus == ("MUG",) and pending.since == late
    run_waits(engine, late + 2 * 60 * MINUTE)
    assert [p["skus"] for _, _, p in announced(engine)] == [["TEA"], ["MUG"]]


def _wait_until_a_query_waits_on_a_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE '%pending_occasions%'"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(waiting).scalar_one() > 0:
                return
        threading.Event().wait(0.05)
    pytest.fail("the consumer never waited for the handler's lock")
