from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.outcomes import Report, fold
from retentio.messaging.status import State

AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
STEPS = [
    {"channel": "push", "recipient": "tok", "outcome": "unreachable"},
    {"channel": "email", "recipient": "a@b.ru"},
]


def _report(type_: str, channel: str = "email", machine: bool = False) -> Report:
    return Report("m1", type_, channel, AT, machine=machine)


def test_delivered_then_opened_moves_forward_and_notes_the_step() -> None:
    delivered = fold(State.SENT, STEPS, _report("message_delivered"))
    seen = fold(delivered.state, delivered.steps, _report("message_opened"))
    assert (delivered.state, seen.state) == (State.DELIVERED, State.SEEN)
    assert seen.steps[1] == {
        "channel": "email",
        "recipient": "a@b.ru",
        "delivered_at": AT.isoformat(),
        "seen_at": AT.isoformat(),
    }
    assert seen.steps[0] == STEPS[0]


def test_a_late_delivery_report_does_not_move_a_seen_message_back() -> None:
    assert fold(State.SEEN, STEPS, _report("message_delivered")).state is State.SEEN


def test_a_machine_open_is_noted_but_is_not_seen() -> None:
    folded = fold(State.DELIVERED, STEPS, _report("message_opened", machine=True))
    assert folded.state is State.DELIVERED
    assert folded.steps[1]["machine_opened_at"] == AT.isoformat()


def test_a_bounce_suppresses_the_address_and_asks_the_cascade_to_look_again() -> None:
    folded = fold(State.SENT, STEPS, _report("message_bounced"))
    assert folded.suppress == ("email", "a@b.ru", "hard_bounce")
    assert folded.look_again
    assert folded.steps[1]["outcome"] == "bounced"


@pytest.mark.parametrize(
    ("type_", "withdraw", "suppress"),
    [("message_complained", "email", "complaint"), ("message_unsubscribed", "email", None)],
)
def test_complaints_and_unsubscribes_withdraw_the_channel(
    type_: str, withdraw: str, suppress: str | None
) -> None:
    folded = fold(State.DELIVERED, STEPS, _report(type_))
    assert folded.withdraw == withdraw
    assert (folded.suppress[2] if folded.suppress else None) == suppress


@given(
    st.lists(st.sampled_from(["message_delivered", "message_opened", "message_clicked"]), max_size=6),
    st.sampled_from(list(State)),
)
def test_reports_in_any_order_and_repeated_never_move_a_message_back(types: list[str], start: State) -> None:
    state, steps = start, [dict(step) for step in STEPS]
    order = {State.WAITING: 0, State.SENDING: 1, State.SENT: 2, State.DELIVERED: 3, State.SEEN: 4}
    for type_ in types:
        folded = fold(state, steps, _report(type_))
        if state in order and folded.state in order:
            assert order[folded.state] >= order[state]
        if state.final:
            assert folded.state is state
        state, steps = folded.state, folded.steps
