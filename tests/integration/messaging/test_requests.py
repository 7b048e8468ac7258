from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from retentio.messaging.content import Kind
from retentio.messaging.requests import SEND, MessageRequest, message_id_for, request_messages
from retentio.messaging.tables import messages
from retentio.schedule.tables import due_work


def _receipt(key: str, **changes: object) -> MessageRequest:
    fields: dict[str, object] = {
        "customer_id": "c1",
        "template": "receipt",
        "kind": Kind.TRANSACTIONAL,
        "idempotency_key": key,
    }
    return MessageRequest(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_repeated_key_is_one_message_with_one_send(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        first = request_messages(connection, [_receipt("order-1"), _receipt("order-1")], now)
    with engine.begin() as connection:
        again = request_messages(connection, [_receipt("order-1"), _receipt("order-2")], now)
    assert [r.created for r in first] == [True, True]  # one message, both answers name it
    assert [r.created for r in again] == [False, True]
    with engine.connect() as connection:
        stored = connection.execute(
            select(messages.c.message_id, messages.c.state, messages.c.valid_until)
        ).all()
        work = connection.execute(select(due_work.c.kind, due_work.c.key, due_work.c.due_at)).all()
    assert sorted(row.message_id for row in stored) == sorted(
        [message_id_for("order-1"), message_id_for("order-2")]
    )
    assert {row.state for row in stored} == {"waiting"}
    assert {row.valid_until for row in stored} == {now + timedelta(days=1)}
    assert sorted(work) == sorted([(SEND, message_id_for(k), now) for k in ("order-1", "order-2")])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"idempotency_key": ""}, "idempotency_key must have 1 to 255"),
        ({"priority": 101}, "priority must be 0 to 100"),
        ({"channels": ("email", "fax")}, "unknown channel 'fax'"),
        ({"channels": ("email", "email")}, "named twice"),
        ({"channels": ()}, "channels is empty"),
        ({"deliver_within": timedelta(0)}, "must be positive"),
        ({"due_at": datetime.fromisoformat("9999-12-31T23:00:00-02:00")}, "due_at: .* out of range"),
        (
            {
                "due_at": datetime.fromisoformat("2026-12-06T10:00:00+00:00"),
                "valid_until": datetime.fromisoformat("2026-12-06T09:00:00+00:00"),
            },
            "valid_until must be after due_at",
        ),
    ],
)
def test_a_bad_request_names_what_is_wrong(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _receipt("k", **changes)
