"""A kind stopped on a channel (the preference page): that channel is skipped for that kind only,
the cascade goes on to the next channel, and the consent record relied on is the channel's."""

from __future__ import annotations

from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    ONSITE,
    SMS,
    TRANSACTIONAL,
    TRIGGER,
    customer,
    local,
    message,
    rules,
)

from retentio.messaging.decide import NotSent, Reason, SendNow, Skipped, decide

NOON = local("2026-06-01T12:00", "Europe/Moscow")
NO_PROMOTIONS_BY_EMAIL = frozenset({(EMAIL, MARKETING)})


def test_marketing_is_not_sent_by_email_when_the_customer_stopped_it_there() -> None:
    # given a customer with email consent who stopped marketing by email
    anna = customer(opted_out=NO_PROMOTIONS_BY_EMAIL)
    # when
    decision = decide(message(EMAIL, due=NOON), anna, rules(), [], NOON)
    # then
    assert decision == NotSent(
        Reason.OPTED_OUT, "email: opted out of marketing on email", (Skipped(EMAIL, Reason.OPTED_OUT),)
    )


def test_the_cascade_skips_email_for_marketing_and_goes_by_sms_on_the_sms_consent() -> None:
    anna = customer(opted_out=NO_PROMOTIONS_BY_EMAIL)
    decision = decide(message(EMAIL, SMS, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, SendNow)
    assert (decision.channel, decision.step, decision.skipped) == (
        SMS,
        1,
        (Skipped(EMAIL, Reason.OPTED_OUT),),
    )
    assert decision.consent_record_id == anna.consents[SMS].record_id  # the 38-FZ proof stays consent


def test_a_trigger_still_goes_by_email_relying_on_the_email_consent() -> None:
    anna = customer(opted_out=NO_PROMOTIONS_BY_EMAIL)
    decision = decide(message(EMAIL, SMS, kind=TRIGGER, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, SendNow)
    assert (decision.channel, decision.consent_record_id, decision.skipped) == (
        EMAIL,
        anna.consents[EMAIL].record_id,
        (),
    )


def test_transactional_messages_go_whatever_was_stopped() -> None:
    anna = customer(opted_out=frozenset({(EMAIL, MARKETING), (EMAIL, TRIGGER)}))
    decision = decide(message(EMAIL, kind=TRANSACTIONAL, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, SendNow)
    assert (decision.channel, decision.consent_record_id) == (EMAIL, None)


def test_no_consent_is_reported_before_a_stopped_kind() -> None:
    # given no consent by email at all, and marketing stopped there too
    anna = customer(consents={}, opted_out=NO_PROMOTIONS_BY_EMAIL)
    decision = decide(message(EMAIL, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, NotSent)
    assert decision.skipped == (Skipped(EMAIL, Reason.NO_CONSENT),)


def test_a_kind_stopped_on_one_channel_leaves_the_others() -> None:
    anna = customer(opted_out=frozenset({(SMS, MARKETING)}))
    decision = decide(message(EMAIL, ONSITE, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, SendNow)
    assert (decision.channel, decision.skipped) == (EMAIL, ())
