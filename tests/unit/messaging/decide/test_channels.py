from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    ONSITE,
    PUSH,
    SENDING_CHANNELS,
    SMS,
    TELEGRAM,
    TRANSACTIONAL,
    TRIGGER,
    WEB_PUSH,
    customer,
    customers,
)

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import (
    Channels,
    Consent,
    ConsentState,
    Contacts,
    Customer,
    Reason,
    SendingRules,
    Skipped,
    Step,
    Suppression,
    choose_channels,
)

RULES = SendingRules()


def fixed(*channels: ChannelName) -> Channels:
    return Channels(tuple(Step(channel) for channel in channels))


def auto(*channels: ChannelName) -> Channels:
    return Channels(tuple(Step(channel) for channel in channels), auto=True)


def order(choice) -> list[ChannelName]:
    return [usable.channel for usable in choice.usable]


def test_marketing_needs_the_channels_consent_and_names_the_record() -> None:
    # given consent by email only
    anna = customer(
        consents={EMAIL: Consent(ConsentState.GRANTED, 17), SMS: Consent(ConsentState.WITHDRAWN, 18)}
    )
    # when
    choice = choose_channels(fixed(SMS, EMAIL, TELEGRAM), MARKETING, anna, RULES)
    # then
    assert [(usable.channel, usable.step, usable.consent_record_id) for usable in choice.usable] == [
        (EMAIL, 1, 17)
    ]
    assert choice.skipped == (Skipped(SMS, Reason.NO_CONSENT), Skipped(TELEGRAM, Reason.NO_CONSENT))


def test_transactional_needs_a_contact_and_no_suppression_but_no_consent() -> None:
    anna = customer(
        consents={EMAIL: Consent(ConsentState.WITHDRAWN, 5)},
        contacts=Contacts(email="anna@example.com"),
        suppressions={SMS: Suppression.HARD_BOUNCE},
    )
    choice = choose_channels(fixed(EMAIL, SMS, TELEGRAM), TRANSACTIONAL, anna, RULES)
    assert [(usable.channel, usable.consent_record_id) for usable in choice.usable] == [(EMAIL, None)]
    assert choice.skipped == (Skipped(SMS, Reason.NO_CONTACT), Skipped(TELEGRAM, Reason.NO_CONTACT))


def test_a_suppressed_address_is_skipped_for_every_kind() -> None:
    anna = customer(suppressions={EMAIL: Suppression.COMPLAINT})
    for kind in Kind:
        assert choose_channels(fixed(EMAIL), kind, anna, RULES).skipped == (
            Skipped(EMAIL, Reason.SUPPRESSED),
        )


def test_no_contact_comes_before_suppression_and_consent() -> None:
    nobody = customer(contacts=Contacts(), consents={}, suppressions={TELEGRAM: Suppression.BLOCKED})
    assert choose_channels(fixed(TELEGRAM), TRIGGER, nobody, RULES).skipped == (
        Skipped(TELEGRAM, Reason.NO_CONTACT),
    )


def test_unknown_consent_is_no_consent() -> None:
    anna = customer(consents={EMAIL: Consent(ConsentState.UNKNOWN, 3)})
    assert choose_channels(fixed(EMAIL), TRIGGER, anna, RULES).skipped == (Skipped(EMAIL, Reason.NO_CONSENT),)


def test_the_onsite_inbox_asks_no_consent_unless_the_shop_says_so() -> None:
    anna = customer(consents={})
    assert order(choose_channels(fixed(ONSITE), MARKETING, anna, RULES)) == [ONSITE]
    strict = SendingRules(consent_free_channels=frozenset())
    assert choose_channels(fixed(ONSITE), MARKETING, anna, strict).skipped == (
        Skipped(ONSITE, Reason.NO_CONSENT),
    )


def test_a_fixed_order_is_kept() -> None:
    anna = customer(activity={"telegram": "2026-06-01T10:00:00+00:00"})
    assert order(choose_channels(fixed(SMS, EMAIL, TELEGRAM), MARKETING, anna, RULES)) == [
        SMS,
        EMAIL,
        TELEGRAM,
    ]


def test_auto_puts_the_most_recent_activity_first_then_the_shops_order() -> None:
    anna = customer(
        activity={
            "email": "2026-05-20T10:00:00+00:00",
            "telegram": "2026-06-01T10:00:00+00:00",
            "app": "2026-05-01T10:00:00+00:00",
        }
    )
    choice = choose_channels(auto(SMS, EMAIL, PUSH, TELEGRAM, WEB_PUSH), MARKETING, anna, RULES)
    assert order(choice) == [TELEGRAM, EMAIL, PUSH, WEB_PUSH, SMS]
    assert [usable.step for usable in choice.usable] == [3, 1, 2, 4, 0]


def test_the_site_and_the_app_are_reached_by_web_push_and_push() -> None:
    anna = customer(activity={"web": "2026-06-01T10:00:00+00:00", "app": "2026-05-01T10:00:00+00:00"})
    assert order(choose_channels(auto(EMAIL, PUSH, WEB_PUSH), MARKETING, anna, RULES)) == [
        WEB_PUSH,
        PUSH,
        EMAIL,
    ]


def test_activity_ties_and_no_activity_follow_the_shops_order() -> None:
    same = "2026-06-01T10:00:00+00:00"
    anna = customer(activity={"email": same, "sms": same})
    cheap_first = SendingRules(channel_order=(SMS, EMAIL))
    assert order(choose_channels(auto(EMAIL, SMS), MARKETING, anna, cheap_first)) == [SMS, EMAIL]
    assert order(choose_channels(auto(EMAIL, SMS, PUSH), MARKETING, customer(), RULES)) == [PUSH, EMAIL, SMS]


def test_activity_in_other_offsets_compares_as_instants_and_garbage_is_ignored() -> None:
    anna = customer(
        activity={
            "email": "2026-06-01T12:00:00+03:00",
            "sms": "2026-06-01T10:00:00+00:00",
            "telegram": "yesterday",
        }
    )
    assert order(choose_channels(auto(EMAIL, SMS, TELEGRAM), MARKETING, anna, RULES)) == [
        SMS,
        EMAIL,
        TELEGRAM,
    ]


def test_channels_the_cascade_tried_are_left_out() -> None:
    choice = choose_channels(fixed(EMAIL, SMS, PUSH), MARKETING, customer(), RULES, tried={EMAIL})
    assert order(choice) == [SMS, PUSH]
    assert choice.skipped == ()


@given(
    someone=customers(),
    kind=st.sampled_from(Kind),
    channels=st.lists(st.sampled_from(SENDING_CHANNELS), min_size=1, unique=True),
    is_auto=st.booleans(),
)
def test_every_channel_is_either_usable_with_its_consent_or_skipped_with_a_reason(
    someone: Customer, kind: Kind, channels: list[ChannelName], is_auto: bool
) -> None:
    # when
    choice = choose_channels(Channels(tuple(Step(c) for c in channels), auto=is_auto), kind, someone, RULES)
    # then
    assert sorted(order(choice) + [skipped.channel for skipped in choice.skipped]) == sorted(channels)
    for usable in choice.usable:
        assert someone.contacts.reach(usable.channel)
        assert usable.channel not in someone.suppressions
        assert channels[usable.step] == usable.channel
        if kind is not TRANSACTIONAL:
            consent = someone.consents[usable.channel]
            assert consent.state is ConsentState.GRANTED
            assert usable.consent_record_id == consent.record_id
    if not is_auto:
        assert order(choice) == [channel for channel in channels if channel in order(choice)]


def test_a_customer_built_without_mappings_has_none() -> None:
    bare = Customer("c")
    assert (dict(bare.consents), dict(bare.suppressions), dict(bare.channel_activity)) == ({}, {}, {})
