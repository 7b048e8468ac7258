from __future__ import annotations

import asyncio

import pytest

from retentio.messaging.channels.spacing import RecipientSpacing


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_sends_to_one_chat_wait_their_turn_and_other_chats_do_not_wait() -> None:
    # given
    time = FakeTime()
    spacing = RecipientSpacing(1.0, monotonic=time, sleep=time.sleep)

    # when: three sends to one chat and one to another at the same instant
    async def burst() -> None:
        await asyncio.gather(*(spacing.wait_turn(chat) for chat in ("a", "a", "b", "a")))

    asyncio.run(burst())

    # then: "a" takes slots 0, 1 and 2 seconds from now; "b" goes at once
    assert sorted(time.sleeps) == [1.0, 2.0]


def test_a_chat_whose_gap_has_passed_goes_at_once() -> None:
    time = FakeTime()
    spacing = RecipientSpacing(1.0, monotonic=time, sleep=time.sleep)
    asyncio.run(spacing.wait_turn("a"))
    time.now += 1.5
    asyncio.run(spacing.wait_turn("a"))
    assert time.sleeps == []


def test_a_negative_spacing_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        RecipientSpacing(-1)
