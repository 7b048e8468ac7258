"""Where a message stands, and the words its outcome is recorded in."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    WAITING = "waiting"  # stored; its due work will decide and send it
    SENDING = "sending"  # handed to a provider; the answer is not recorded yet
    SENT = "sent"  # a provider accepted it (its id is kept)
    DELIVERED = "delivered"
    SEEN = "seen"  # opened, clicked or read (machine opens do not count)
    FAILED = "failed"  # every channel tried failed; the providers' reasons are in the steps
    NOT_SENT = "not_sent"  # a rule stopped it: the reason says which
    EXPIRED = "expired"  # its validity ended before a channel could take it

    @property
    def final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({State.SEEN, State.FAILED, State.NOT_SENT, State.EXPIRED})

# How far each state is along the way: a late report never moves a message back.
PROGRESS = {
    State.WAITING: 0,
    State.SENDING: 1,
    State.SENT: 2,
    State.DELIVERED: 3,
    State.SEEN: 4,
    State.FAILED: 5,
    State.NOT_SENT: 5,
    State.EXPIRED: 5,
}
