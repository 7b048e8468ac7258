from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    PUSH,
    SENDING_CHANNELS,
    SMS,
    at,
    customers,
    instants,
    rules,
)

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import (
    Attempt,
    Awaiting,
    Channels,
    ConsentState,
    Finished,
    Message,
    MoveOn,
    MoveOnReason,
    NotSent,
    Outcome,
    SendNow,
    Sent,
    Step,
    Wait,
    WaitFor,
    decide,
    final_outcome,
    next_in_cascade,
)

SENT = at("2026-06-01T10:00")
HOUR = timedelta(hours=1)


def cascade(*steps: Step, until_seen: bool = False) -> Message:
    return Message("m-1", MARKETING, Channels(steps), due_at=SENT, until_seen=until_seen)


EMAIL_THEN_SMS = cascade(Step(EMAIL, deliver_within=HOUR), Step(SMS, deliver_within=HOUR))
UNTIL_SEEN = cascade(
    Step(EMAIL, deliver_within=HOUR, seen_within=4 * HOUR),
    Step(PUSH, deliver_within=HOUR, seen_within=2 * HOUR),
    until_seen=True,
)


def test_it_waits_for_delivery_until_t() -> None:
    assert next_in_cascade(EMAIL_THEN_SMS, [Attempt(EMAIL, SENT)], SENT + HOUR / 2) == WaitFor(
        SENT + HOUR, Awaiting.DELIVERY
    )


def test_not_delivered_within_t_it_moves_to_the_next_channel() -> None:
    assert next_in_cascade(EMAIL_THEN_SMS, [Attempt(EMAIL, SENT)], SENT + HOUR) == MoveOn(
        MoveOnReason.NOT_DELIVERED, frozenset({EMAIL})
    )


def test_delivered_it_is_done() -> None:
    delivered = Attempt(EMAIL, SENT, delivered_at=SENT + HOUR / 3)
    assert next_in_cascade(EMAIL_THEN_SMS, [delivered], SENT + HOUR / 2) == Finished(Outcome.DELIVERED, EMAIL)


def test_a_failed_step_moves_on_at_once() -> None:
    failed = Attempt(EMAIL, SENT, failed_at=SENT + timedelta(seconds=2))
    assert next_in_cascade(EMAIL_THEN_SMS, [failed], SENT + timedelta(seconds=3)) == MoveOn(
        MoveOnReason.FAILED, frozenset({EMAIL})
    )


def test_a_step_without_t_that_went_out_ends_the_cascade() -> None:
    relaxed = cascade(Step(EMAIL), Step(SMS))
    assert next_in_cascade(relaxed, [Attempt(EMAIL, SENT)], SENT) == Finished(Outcome.SENT, EMAIL)


def test_until_seen_a_delivered_step_waits_for_t_prime() -> None:
    delivered = Attempt(EMAIL, SENT, delivered_at=SENT + timedelta(minutes=1))
    assert next_in_cascade(UNTIL_SEEN, [delivered], SENT + 2 * HOUR) == WaitFor(
        SENT + 4 * HOUR, Awaiting.SEEN
    )
    assert next_in_cascade(UNTIL_SEEN, [delivered], SENT + 4 * HOUR) == MoveOn(
        MoveOnReason.NOT_SEEN, frozenset({EMAIL})
    )


def test_until_seen_an_undelivered_step_waits_for_t_first() -> None:
    assert next_in_cascade(UNTIL_SEEN, [Attempt(EMAIL, SENT)], SENT) == WaitFor(
        SENT + HOUR, Awaiting.DELIVERY
    )
    assert next_in_cascade(UNTIL_SEEN, [Attempt(EMAIL, SENT)], SENT + HOUR) == MoveOn(
        MoveOnReason.NOT_DELIVERED, frozenset({EMAIL})
    )


def test_seen_on_any_channel_stops_the_cascade() -> None:
    # given the email was not seen in time, so the push went out; then the email is opened
    email = Attempt(EMAIL, SENT, delivered_at=SENT, seen_at=SENT + 5 * HOUR)
    push = Attempt(PUSH, SENT + 4 * HOUR, delivered_at=SENT + 4 * HOUR)
    # then
    assert next_in_cascade(UNTIL_SEEN, [email, push], SENT + 5 * HOUR) == Finished(Outcome.SEEN, EMAIL)


def test_after_the_last_step_it_ends_with_the_best_that_happened() -> None:
    email = Attempt(EMAIL, SENT, delivered_at=SENT + timedelta(minutes=1))
    push = Attempt(PUSH, SENT + 4 * HOUR, failed_at=SENT + 4 * HOUR)
    assert next_in_cascade(UNTIL_SEEN, [email, push], SENT + 4 * HOUR) == Finished(Outcome.DELIVERED, EMAIL)


def test_final_outcomes_rank_seen_delivered_sent_failed() -> None:
    failed = Attempt(EMAIL, SENT, failed_at=SENT)
    went = Attempt(SMS, SENT)
    bounced_after_delivery = Attempt(PUSH, SENT, delivered_at=SENT, failed_at=SENT + HOUR)
    assert final_outcome([failed]) == Finished(Outcome.FAILED, EMAIL)
    assert final_outcome([failed, went]) == Finished(Outcome.SENT, SMS)
    assert final_outcome([bounced_after_delivery]) == Finished(Outcome.FAILED, PUSH)
    assert final_outcome([went, replace(went, channel=PUSH, delivered_at=SENT)]) == Finished(
        Outcome.DELIVERED, PUSH
    )
    assert final_outcome([went, replace(failed, seen_at=SENT)]) == Finished(Outcome.SEEN, EMAIL)


def test_asking_before_anything_went_out_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="decide"):
        next_in_cascade(EMAIL_THEN_SMS, [], SENT)
    with pytest.raises(ValueError, match="not sent"):
        final_outcome([])


def test_until_seen_needs_t_prime_on_every_step() -> None:
    with pytest.raises(ValueError, match="seen_within"):
        cascade(Step(EMAIL, seen_within=HOUR), Step(SMS), until_seen=True)


def test_a_channel_twice_in_one_cascade_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        cascade(Step(EMAIL), Step(EMAIL))


# -- a whole cascade, driven as the engine drives it ----------------------------------------------

minutes = st.one_of(st.none(), st.integers(0, 8 * 60))


@st.composite
def provider_behaviour(draw: st.DrawFn) -> dict[ChannelName, tuple[int | None, int | None, int | None]]:
    """Per channel: minutes after sending until delivered, seen, failed (None: never)."""
    return {channel: (draw(minutes), draw(minutes), draw(minutes)) for channel in SENDING_CHANNELS}


def _minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


@st.composite
def cascades(draw: st.DrawFn, due: datetime) -> Message:
    channels = draw(st.lists(st.sampled_from(SENDING_CHANNELS), min_size=1, max_size=4, unique=True))
    until_seen = draw(st.booleans())
    steps = tuple(
        Step(
            channel,
            deliver_within=draw(st.one_of(st.none(), st.integers(1, 240).map(_minutes))),
            seen_within=draw(
                st.integers(1, 600).map(_minutes) if until_seen else st.one_of(st.none(), st.just(HOUR))
            ),
        )
        for channel in channels
    )
    return Message(
        "m-1",
        draw(st.sampled_from([Kind.MARKETING, Kind.TRIGGER])),
        Channels(steps, auto=draw(st.booleans())),
        due_at=due,
        until_seen=until_seen,
    )


def _known(attempts: list[Attempt], now: datetime) -> list[Attempt]:
    """What the engine knows at ``now``: only the reports that arrived by then."""

    def by_now(moment: datetime | None) -> datetime | None:
        return moment if moment is not None and moment <= now else None

    return [
        replace(
            item,
            delivered_at=by_now(item.delivered_at),
            seen_at=by_now(item.seen_at),
            failed_at=by_now(item.failed_at),
        )
        for item in attempts
    ]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_driven_cascade_sends_with_consent_once_per_channel_until_seen(
    data: st.DataObject,
) -> None:
    # given
    now = data.draw(instants)
    someone = data.draw(customers())
    message = data.draw(cascades(now))
    behaviour = data.draw(provider_behaviour())
    the_rules = rules(timezone="Europe/Moscow")
    attempts: list[Attempt] = []
    history: list[Sent] = []
    tried: frozenset[ChannelName] = frozenset()
    outcome: Finished | NotSent | None = None
    # when the engine runs it
    for _ in range(100):
        if not attempts or tried:
            decision = decide(message, someone, the_rules, history, now, tried=tried)
            if isinstance(decision, Wait):
                now = decision.until
                continue
            if isinstance(decision, NotSent):
                outcome = final_outcome(_known(attempts, now)) if attempts else decision
                break
            assert isinstance(decision, SendNow)
            # then it never sends without the channel's consent, nor twice on one channel, nor once seen
            consent = someone.consents[decision.channel]
            assert consent.state is ConsentState.GRANTED and decision.consent_record_id == consent.record_id
            assert decision.channel not in tried
            assert not any(item.seen_at is not None and item.seen_at <= now for item in attempts)
            delivered, seen, failed = behaviour[decision.channel]
            attempts.append(
                Attempt(
                    decision.channel,
                    now,
                    None if delivered is None else now + timedelta(minutes=delivered),
                    None if seen is None else now + timedelta(minutes=seen),
                    None if failed is None else now + timedelta(minutes=failed),
                )
            )
            history.append(Sent(now, decision.channel, message.kind, message.id))
            tried = frozenset()
        progress = next_in_cascade(message, _known(attempts, now), now)
        if isinstance(progress, Finished):
            outcome = progress
            break
        if isinstance(progress, MoveOn):
            assert progress.tried == {item.channel for item in attempts}
            tried = progress.tried
            continue
        assert progress.until > now
        reports = [
            moment
            for item in attempts
            for moment in (item.delivered_at, item.seen_at, item.failed_at)
            if moment is not None and moment > now
        ]
        now = min([progress.until, *reports])
    # then the cascade ended, with the best that happened when it did
    assert outcome is not None
    if isinstance(outcome, Finished):
        known = _known(attempts, now)
        assert outcome.outcome is final_outcome(known).outcome
        if any(item.seen_at is not None for item in known):
            assert outcome.outcome is Outcome.SEEN
