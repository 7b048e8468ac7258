"""When the worker asks a provider about a sent message, and until when (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retentio.messaging.channels.smsaero import SmsAero, SmsAeroSettings
from retentio.messaging.channels.smsc import Smsc, SmscSettings
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.content import ChannelName
from retentio.messaging.reports_polling import POLL_REPORTS, Poll, ask_at, asked_until, first_poll

SENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_asks_come_1_5_15_and_60_minutes_after_the_send_then_hourly() -> None:
    minutes = [(ask_at(SENT, round_) - SENT) / timedelta(minutes=1) for round_ in range(1, 8)]
    assert minutes == [1, 5, 15, 60, 120, 180, 240]


@pytest.mark.parametrize(
    ("valid_for", "asked_for"),
    [
        (None, timedelta(hours=72)),
        (timedelta(minutes=10), timedelta(hours=1)),  # the first hour's asks at least
        (timedelta(hours=6), timedelta(hours=6)),
        (timedelta(days=30), timedelta(hours=72)),  # no report comes after three days
    ],
)
def test_a_message_is_asked_about_within_its_validity_bounded(
    valid_for: timedelta | None, asked_for: timedelta
) -> None:
    valid_until = None if valid_for is None else SENT + valid_for
    assert asked_until(SENT, valid_until) == SENT + asked_for


def test_the_asks_end_at_the_last_one_due_by_until() -> None:
    poll = Poll("m1", ChannelName.SMS, "1:79161234567", SENT, SENT + timedelta(hours=2))
    rounds = []
    while poll is not None:
        rounds.append(poll.round)
        poll = poll.next()
    assert rounds == [1, 2, 3, 4, 5]


def test_the_first_ask_is_a_row_of_due_work_that_reads_back() -> None:
    work = first_poll("m1", ChannelName.SMS, "201-1", SENT, None)
    assert (work.kind, work.key, work.due_at) == (
        POLL_REPORTS,
        "m1:poll:201-1:1",
        SENT + timedelta(minutes=1),
    )
    assert Poll.of(work.payload) == Poll("m1", ChannelName.SMS, "201-1", SENT, SENT + timedelta(hours=72))


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({}, "has no 'message_id'"),
        (
            {
                "message_id": "m",
                "channel": "fax",
                "provider_id": "1",
                "sent_at": "x",
                "until": "x",
                "round": 1,
            },
            "not readable: 'fax' is not a valid ChannelName",
        ),
    ],
)
def test_a_row_that_is_not_a_poll_says_what_is_wrong(payload: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Poll.of(payload)


def test_polling_is_on_by_default_except_for_sms_aero_with_a_callback_url() -> None:
    smsru = SmsRuSettings(api_id="k")
    smsc = SmscSettings(api_key="k")
    aero = {"email": "shop@example.ru", "api_key": "k"}
    assert SmsRu(smsru).poll_reports and Smsc(smsc).poll_reports
    assert SmsAero(SmsAeroSettings.model_validate(aero)).poll_reports
    with_callbacks = SmsAeroSettings.model_validate(
        {**aero, "callback_url": "https://crm.example.ru/v1/callbacks/smsaero"}
    )
    assert not SmsAero(with_callbacks).poll_reports
    assert SmsAero(with_callbacks.model_copy(update={"poll_reports": True})).poll_reports
    assert not Smsc(smsc.model_copy(update={"poll_reports": False})).poll_reports
