"""The preference centre's pure parts: what a customer sees per channel, what a wish changes, and
wishes that name something wrong."""

from __future__ import annotations

import pytest
from tests.unit.messaging.decide.builders import EMAIL, MARKETING, SMS, TRIGGER, customer, granted

from retentio.messaging.decide import Contacts
from retentio.messaging.preferences import Planned, PreferenceInvalid, Wish, plan, preferences_of, wish

EMAIL_AND_PHONE = Contacts(email="anna@example.ru", phone="+79990000000")


def test_a_row_per_channel_with_an_address_showing_what_arrives() -> None:
    # given email consent with marketing stopped, and a phone without consent
    anna = customer(
        contacts=EMAIL_AND_PHONE, consents=granted(EMAIL), opted_out=frozenset({(EMAIL, MARKETING)})
    )
    # when
    rows = preferences_of(anna)
    # then
    assert [(row.channel, row.consent, dict(row.receives)) for row in rows] == [
        (EMAIL, True, {MARKETING: False, TRIGGER: True}),
        (SMS, False, {MARKETING: False, TRIGGER: False}),
    ]


def test_stopping_a_kind_keeps_the_channels_consent() -> None:
    anna = customer(contacts=EMAIL_AND_PHONE, consents=granted(EMAIL))
    assert plan(anna, [Wish(EMAIL, MARKETING, False)]) == Planned((), ((EMAIL, MARKETING, False),))


def test_asking_for_a_kind_without_consent_records_the_consent_and_stops_the_kinds_not_asked() -> None:
    anna = customer(contacts=EMAIL_AND_PHONE, consents=granted(EMAIL))
    assert plan(anna, [Wish(SMS, TRIGGER, True)]) == Planned((SMS,), ((SMS, MARKETING, False),))


def test_wishes_that_change_nothing_plan_nothing() -> None:
    anna = customer(
        contacts=EMAIL_AND_PHONE, consents=granted(EMAIL), opted_out=frozenset({(EMAIL, MARKETING)})
    )
    same = [Wish(EMAIL, MARKETING, False), Wish(EMAIL, TRIGGER, True), Wish(SMS, MARKETING, False)]
    assert plan(anna, same) == Planned()


def test_turning_a_stopped_kind_back_on() -> None:
    anna = customer(consents=granted(EMAIL), opted_out=frozenset({(EMAIL, MARKETING)}))
    assert plan(anna, [Wish(EMAIL, MARKETING, True)]) == Planned((), ((EMAIL, MARKETING, True),))


@pytest.mark.parametrize(
    ("channel", "kind", "field", "message"),
    [
        ("fax", "marketing", "p.0.channel", "unknown channel 'fax'"),
        ("onsite", "marketing", "p.0.channel", "'onsite' is not a choice"),
        ("email", "promo", "p.0.kind", "unknown kind 'promo'"),
        ("email", "transactional", "p.0.kind", "cannot be turned off"),
    ],
)
def test_a_wish_naming_something_wrong_says_what(channel: str, kind: str, field: str, message: str) -> None:
    with pytest.raises(PreferenceInvalid) as raised:
        wish(channel, kind, False, "p.0")
    assert raised.value.field == field and message in raised.value.message
