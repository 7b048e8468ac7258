from __future__ import annotations

import heapq
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    PUSH,
    SMS,
    TRANSACTIONAL,
    TRIGGER,
    ZONES,
    at,
    count_in_window,
    customer,
    customers,
    histories,
    instants,
    local,
    message,
    messages,
    quiet_at,
    rules,
    sending_rules,
    sent,
)

from retentio.messaging.decide import (
    CalendarDays,
    Cap,
    Consent,
    ConsentState,
    Contacts,
    Customer,
    Message,
    Note,
    NotSent,
    QuietHours,
    Reason,
    SendingRules,
    SendNow,
    Sent,
    Skipped,
    Suppression,
    Wait,
    WaitReason,
    decide,
)

_KNOWN = frozenset(ZONES)  # the generated customers' zones, besides a wrong one
NOON = local("2026-06-01T12:00", "Europe/Moscow")
ONE_EMAIL_A_DAY = Cap(1, CalendarDays(1), EMAIL)


def test_a_marketing_email_in_the_day_goes_now_with_the_consent_it_relies_on() -> None:
    anna = customer(consents={EMAIL: Consent(ConsentState.GRANTED, 17)})
    decision = decide(message(EMAIL, due=NOON), anna, rules(), [], NOON)
    assert decision == SendNow(EMAIL, 0, 17)


def test_without_consent_it_is_not_sent_and_says_so() -> None:
    anna = customer(consents={EMAIL: Consent(ConsentState.WITHDRAWN, 9)})
    decision = decide(message(EMAIL, SMS, due=NOON), anna, rules(), [], NOON)
    assert decision == NotSent(
        Reason.NO_CONSENT,
        "email: no_consent; sms: no_consent",
        (Skipped(EMAIL, Reason.NO_CONSENT), Skipped(SMS, Reason.NO_CONSENT)),
    )


def test_the_first_channels_reason_is_the_messages() -> None:
    anna = customer(contacts=Contacts(phone="+79990000000"), suppressions={SMS: Suppression.HARD_BOUNCE})
    decision = decide(message(EMAIL, SMS, due=NOON), anna, rules(), [], NOON)
    assert isinstance(decision, NotSent)
    assert decision.reason is Reason.NO_CONTACT
    assert decision.skipped == (Skipped(EMAIL, Reason.NO_CONTACT), Skipped(SMS, Reason.SUPPRESSED))


def test_a_skipped_channel_is_named_when_another_one_sends() -> None:
    anna = customer(consents={SMS: Consent(ConsentState.GRANTED, 4)})
    assert decide(message(EMAIL, SMS, due=NOON), anna, rules(), [], NOON) == SendNow(
        SMS, 1, 4, skipped=(Skipped(EMAIL, Reason.NO_CONSENT),)
    )


def test_past_its_validity_it_has_expired() -> None:
    late = message(EMAIL, due=NOON - timedelta(hours=5), valid_until=NOON - timedelta(hours=1))
    decision = decide(late, customer(), rules(), [], NOON)
    assert isinstance(decision, NotSent)
    assert decision.reason is Reason.EXPIRED


def test_an_incentive_never_reaches_a_customer_flagged_bad() -> None:
    bad = customer(flagged_bad=True)
    assert decide(message(EMAIL, due=NOON, incentive=True), bad, rules(), [], NOON) == NotSent(
        Reason.BAD_CUSTOMER_INCENTIVE, "an incentive for a customer flagged bad"
    )
    assert isinstance(decide(message(EMAIL, due=NOON), bad, rules(), [], NOON), SendNow)
    assert isinstance(
        decide(message(EMAIL, due=NOON, incentive=True), customer(), rules(), [], NOON), SendNow
    )


def test_due_in_quiet_hours_it_waits_for_their_end() -> None:
    night = local("2026-06-01T23:10", "Europe/Moscow")
    decision = decide(message(EMAIL, due=night, kind=TRIGGER), customer(), rules(), [], night)
    assert decision == Wait(local("2026-06-02T09:00", "Europe/Moscow"), WaitReason.QUIET_HOURS)


def test_quiet_hours_past_the_validity_end_it() -> None:
    night = local("2026-06-01T23:10", "Europe/Moscow")
    short = message(EMAIL, due=night, valid_until=night + timedelta(hours=2))
    decision = decide(short, customer(), rules(), [], night)
    assert isinstance(decision, NotSent)
    assert decision.reason is Reason.QUIET_HOURS_EXPIRED


def test_a_capped_message_waits_for_the_next_allowed_moment() -> None:
    history = [sent(local("2026-06-01T10:00", "Europe/Moscow"))]
    decision = decide(message(EMAIL, due=NOON), customer(), rules(caps=(ONE_EMAIL_A_DAY,)), history, NOON)
    # the cap frees at midnight, quiet hours hold it until 09:00
    assert decision == Wait(local("2026-06-02T09:00", "Europe/Moscow"), WaitReason.CAPPED)


def test_capped_until_after_its_validity_it_is_not_sent() -> None:
    history = [sent(local("2026-06-01T10:00", "Europe/Moscow"))]
    short = message(EMAIL, due=NOON, valid_until=NOON + timedelta(hours=6))
    decision = decide(short, customer(), rules(caps=(ONE_EMAIL_A_DAY,)), history, NOON)
    assert isinstance(decision, NotSent)
    assert decision.reason is Reason.CAPPED


def test_a_channel_with_room_goes_before_a_preferred_one_without() -> None:
    history = [sent(local("2026-06-01T10:00", "Europe/Moscow"))]
    decision = decide(
        message(EMAIL, PUSH, due=NOON), customer(), rules(caps=(ONE_EMAIL_A_DAY,)), history, NOON
    )
    assert decision == SendNow(PUSH, 1, 102)


def test_transactional_ignores_caps_quiet_hours_and_consent() -> None:
    night = local("2026-06-01T03:00", "Europe/Moscow")
    history = [sent(night - timedelta(minutes=5))]
    anna = customer(consents={})
    receipt = message(EMAIL, kind=TRANSACTIONAL, due=night)
    assert decide(
        receipt, anna, rules(caps=(ONE_EMAIL_A_DAY, Cap(1, CalendarDays(7)))), history, night
    ) == SendNow(EMAIL, 0, None)


def test_transactional_due_later_waits_for_its_time_only() -> None:
    night = local("2026-06-01T03:00", "Europe/Moscow")
    receipt = message(EMAIL, kind=TRANSACTIONAL, due=night)
    assert decide(receipt, customer(), rules(), [], night - timedelta(hours=1)) == Wait(
        night, WaitReason.NOT_DUE
    )


def test_not_yet_due_it_waits_for_its_time() -> None:
    later = NOON + timedelta(hours=2)
    assert decide(message(EMAIL, due=later), customer(), rules(), [], NOON) == Wait(later, WaitReason.NOT_DUE)


def test_marketing_waits_for_the_best_hour_and_says_when_it_is_the_fallback() -> None:
    morning = local("2026-06-01T09:30", "Europe/Moscow")
    decision = decide(message(EMAIL, due=morning), customer(), rules(best_hour=True), [], morning)
    assert decision == Wait(
        local("2026-06-01T11:00", "Europe/Moscow"), WaitReason.BEST_HOUR, (Note.FALLBACK_HOUR,)
    )


def test_an_unknown_time_zone_falls_back_to_the_shops_and_says_so() -> None:
    lost = customer(timezone="Mars/Olympus_Mons")
    # 20:30 UTC is 23:30 in Moscow, the shop's zone: quiet
    evening = at("2026-06-01T20:30")
    decision = decide(message(EMAIL, due=evening), lost, rules(), [], evening)
    assert decision == Wait(
        local("2026-06-02T09:00", "Europe/Moscow"), WaitReason.QUIET_HOURS, (Note.UNKNOWN_TIMEZONE,)
    )


def test_without_a_time_zone_the_shops_is_used_silently() -> None:
    evening = at("2026-06-01T20:30")
    decision = decide(message(EMAIL, due=evening), customer(timezone=None), rules(), [], evening)
    assert decision == Wait(local("2026-06-02T09:00", "Europe/Moscow"), WaitReason.QUIET_HOURS)


def test_the_customers_zone_decides_quiet_hours() -> None:
    # 20:30 UTC: 23:30 in Moscow (quiet) but 16:30 in New York
    evening = at("2026-06-01T20:30")
    decision = decide(
        message(EMAIL, due=evening), customer(timezone="America/New_York"), rules(), [], evening
    )
    assert isinstance(decision, SendNow)


def test_quiet_hours_over_the_berlin_spring_change() -> None:
    # 30 March 2024 22:00 CET; quiet ends at 09:00 CEST, 07:00 UTC
    evening = at("2024-03-30T21:00")
    decision = decide(message(EMAIL, due=evening), customer(timezone="Europe/Berlin"), rules(), [], evening)
    assert decision == Wait(at("2024-03-31T07:00"), WaitReason.QUIET_HOURS)


def test_a_daily_cap_over_moscows_2014_change_frees_at_its_own_midnight() -> None:
    # Moscow, 26 October 2014 (+4 until 02:00, then +3): the 26th starts at 20:00 UTC on the 25th.
    history = [sent(at("2014-10-25T10:00"))]
    day_rules = rules(caps=(ONE_EMAIL_A_DAY,), quiet=None)
    decision = decide(
        message(EMAIL, due=at("2014-10-25T12:00")), customer(), day_rules, history, at("2014-10-25T12:00")
    )
    assert decision == Wait(at("2014-10-25T20:00"), WaitReason.CAPPED)


def test_a_cascades_next_step_is_not_capped_again_nor_held_for_a_best_hour() -> None:
    # given the email step went out this morning and counted against the one-a-day cap
    history = [sent(local("2026-06-01T10:00", "Europe/Moscow"), EMAIL, message_id="m-1")]
    cascade = message(EMAIL, SMS, due=local("2026-06-01T10:00", "Europe/Moscow"))
    strict = rules(caps=(Cap(1, CalendarDays(1)),), best_hour=True)
    # when the engine moves on to the next channel
    decision = decide(cascade, customer(), strict, history, NOON, tried={EMAIL})
    # then
    assert decision == SendNow(SMS, 1, 101)


def test_a_cascades_next_step_still_keeps_quiet_hours() -> None:
    night = local("2026-06-01T22:00", "Europe/Moscow")
    history = [sent(night - timedelta(hours=4), EMAIL, message_id="m-1")]
    decision = decide(
        message(EMAIL, SMS, due=night - timedelta(hours=4)),
        customer(),
        rules(),
        history,
        night,
        tried={EMAIL},
    )
    assert decision == Wait(local("2026-06-02T09:00", "Europe/Moscow"), WaitReason.QUIET_HOURS)


def test_a_cascade_with_nothing_left_to_try_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="every channel was tried"):
        decide(message(EMAIL, due=NOON), customer(), rules(), [], NOON, tried={EMAIL})


def test_now_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        decide(message(EMAIL, due=NOON), customer(), rules(), [], datetime(2026, 6, 1, 12))


def test_times_in_other_offsets_are_the_same_instants() -> None:
    moscow_noon = datetime.fromisoformat("2026-06-01T12:00:00+03:00")
    assert decide(message(EMAIL, due=moscow_noon), customer(), rules(), [], moscow_noon) == decide(
        message(EMAIL, due=NOON), customer(), rules(), [], NOON
    )


# -- properties ---------------------------------------------------------------------------------


def _consent_of(someone: Customer, the_rules: SendingRules, channel) -> Consent | None:
    if channel in the_rules.consent_free_channels:
        return None
    return someone.consents[channel]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_decision_keeps_the_rules(data: st.DataObject) -> None:
    # given
    now = data.draw(instants)
    the_rules = data.draw(sending_rules())
    someone = data.draw(customers())
    the_message: Message = data.draw(messages(now))
    history = data.draw(histories(now))
    zone = someone.timezone if someone.timezone in _KNOWN else the_rules.timezone
    # when
    decision = decide(the_message, someone, the_rules, history, now)
    # then
    transactional = the_message.kind is TRANSACTIONAL
    valid_until = the_message.valid_until
    expired = valid_until is not None and (now > valid_until or the_message.due_at > valid_until)
    if expired:
        assert decision == NotSent(Reason.EXPIRED, f"valid until {valid_until.isoformat()}")
        return
    if isinstance(decision, SendNow):
        channel = decision.channel
        assert the_message.channels.steps[decision.step].channel == channel
        assert someone.contacts.reach(channel) and channel not in someone.suppressions
        assert now >= the_message.due_at
        assert not (the_message.incentive and someone.flagged_bad and not transactional)
        if transactional:
            assert decision.consent_record_id is None
        else:
            consent = _consent_of(someone, the_rules, channel)
            assert consent is None or consent.state is ConsentState.GRANTED
            assert decision.consent_record_id == (None if consent is None else consent.record_id)
            assert not quiet_at(now, zone, the_rules.quiet_hours)
    elif isinstance(decision, Wait):
        assert decision.until > now
        assert decision.until >= the_message.due_at
        assert valid_until is None or decision.until <= valid_until
        if not transactional:
            assert not quiet_at(decision.until, zone, the_rules.quiet_hours)
    else:
        assert decision.reason is not Reason.EXPIRED
        if decision.reason in (Reason.CAPPED, Reason.QUIET_HOURS_EXPIRED):
            assert valid_until is not None and not transactional


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_deciding_again_when_a_wait_ends_sends(data: st.DataObject) -> None:
    now = data.draw(instants)
    the_rules = data.draw(sending_rules())
    someone = data.draw(customers())
    the_message = data.draw(messages(now))
    history = data.draw(histories(now))
    decision = decide(the_message, someone, the_rules, history, now)
    if isinstance(decision, Wait):
        again = decide(the_message, someone, the_rules, history, decision.until)
        assert isinstance(again, SendNow), (decision, again)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_transactional_messages_ignore_caps_quiet_hours_and_best_hours(data: st.DataObject) -> None:
    now = data.draw(instants)
    the_rules = data.draw(sending_rules())
    someone = data.draw(customers())
    receipt = data.draw(messages(now, kinds=st.just(TRANSACTIONAL)))
    history = data.draw(histories(now))
    # when
    decision = decide(receipt, someone, the_rules, history, now)
    # then: the same as with no caps, no history, no quiet hours
    free = SendingRules(timezone=the_rules.timezone, quiet_hours=None, caps=())
    assert decision == decide(receipt, someone, free, [], now)
    if isinstance(decision, Wait):
        assert decision == Wait(receipt.due_at, WaitReason.NOT_DUE)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_customers_messages_decided_over_time_never_exceed_the_caps(data: st.DataObject) -> None:
    # given messages falling due over two weeks, each decided when due and again when its wait ends
    start = data.draw(instants)
    the_rules = data.draw(sending_rules())
    someone = Customer(
        "c",
        consents={c: Consent(ConsentState.GRANTED, 1) for c in (EMAIL, SMS, PUSH)},
        contacts=Contacts(email="a@example.com", phone="+79990000001", push_tokens=("t",)),
        timezone=data.draw(st.sampled_from(sorted(_KNOWN))),
    )
    pending: list[tuple[datetime, int, Message]] = []
    for number in range(data.draw(st.integers(1, 20))):
        pending.append(
            (
                start,
                number,
                data.draw(
                    messages(start, kinds=st.sampled_from([MARKETING, TRIGGER])).map(
                        lambda m, n=number: Message(
                            f"m{n}", m.kind, m.channels, m.due_at, m.valid_until, m.priority
                        )
                    )
                ),
            )
        )
    heapq.heapify(pending)
    history: list[Sent] = []
    # when
    rounds = 0
    while pending:
        rounds += 1
        assert rounds < 1000, pending[:3]
        now, number, the_message = heapq.heappop(pending)
        decision = decide(the_message, someone, the_rules, history, now)
        if isinstance(decision, SendNow):
            history.append(Sent(now, decision.channel, the_message.kind, the_message.id))
        elif isinstance(decision, Wait):
            assert decision.until > now, decision
            heapq.heappush(pending, (decision.until, number, the_message))
    # then
    zone = ZoneInfo(someone.timezone or the_rules.timezone)
    for cap in the_rules.caps:
        for item in history:
            assert count_in_window(cap, history, item.at, zone) <= cap.limit


def test_quiet_hours_that_wrap_and_a_shop_in_another_zone() -> None:
    shop = SendingRules(
        timezone="Asia/Vladivostok", quiet_hours=QuietHours(time(22), time(8)), best_hour=False
    )
    # 12:00 UTC is 22:00 in Vladivostok
    decision = decide(
        message(EMAIL, due=at("2026-06-01T12:00")), customer(timezone=None), shop, [], at("2026-06-01T12:00")
    )
    assert decision == Wait(at("2026-06-01T22:00"), WaitReason.QUIET_HOURS)
