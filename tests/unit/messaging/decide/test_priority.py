from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    TRANSACTIONAL,
    TRIGGER,
    at,
    message,
    messages,
)

from retentio.messaging.decide import CalendarDays, Cap, Message, room_left, split_by_priority

NOON = at("2026-06-01T09:00")


def ids(messages: tuple[Message, ...]) -> list[str]:
    return [item.id for item in messages]


def test_the_higher_priority_takes_the_last_slot() -> None:
    # given two messages competing for the one slot the caps leave
    newsletter = message(EMAIL, due=NOON, message_id="newsletter", priority=1)
    cart = message(EMAIL, due=NOON + timedelta(minutes=5), message_id="cart", kind=TRIGGER, priority=5)
    # when
    split = split_by_priority([newsletter, cart], room=1)
    # then
    assert (ids(split.go), ids(split.deferred)) == (["cart"], ["newsletter"])


def test_equal_priorities_go_by_due_time_then_id() -> None:
    later = message(EMAIL, due=NOON + timedelta(hours=1), message_id="a")
    early_b = message(EMAIL, due=NOON, message_id="b")
    early_c = message(EMAIL, due=NOON, message_id="c")
    split = split_by_priority([later, early_c, early_b], room=2)
    assert (ids(split.go), ids(split.deferred)) == (["b", "c"], ["a"])


def test_transactional_messages_all_go_and_take_no_room() -> None:
    receipt = message(EMAIL, due=NOON, message_id="receipt", kind=TRANSACTIONAL, priority=-10)
    promo = message(EMAIL, due=NOON, message_id="promo")
    split = split_by_priority([promo, receipt], room=0)
    assert (ids(split.go), ids(split.deferred)) == (["receipt"], ["promo"])


def test_without_a_cap_everything_goes() -> None:
    split = split_by_priority([message(EMAIL, due=NOON, message_id=name) for name in "xyz"], room=None)
    assert (ids(split.go), split.deferred) == (["x", "y", "z"], ())


def test_the_room_comes_from_the_caps() -> None:
    room = room_left((Cap(2, CalendarDays(1)),), [], EMAIL, MARKETING, ZoneInfo("UTC"), NOON)
    assert room == 2


@given(pending=st.lists(messages(NOON), max_size=12, unique_by=lambda item: item.id), room=st.integers(0, 5))
def test_a_split_is_a_partition_that_respects_priority_and_is_deterministic(
    pending: list[Message], room: int
) -> None:
    split = split_by_priority(pending, room)
    assert sorted(ids(split.go) + ids(split.deferred)) == sorted(item.id for item in pending)
    capped_go = [item for item in split.go if item.kind is not TRANSACTIONAL]
    assert len(capped_go) == min(room, len([item for item in pending if item.kind is not TRANSACTIONAL]))
    assert all(item.kind is not TRANSACTIONAL for item in split.deferred)
    for went in capped_go:
        for waits in split.deferred:
            assert (-went.priority, went.due_at, went.id) < (-waits.priority, waits.due_at, waits.id)
    assert split_by_priority(list(reversed(pending)), room) == split
