"""The one decision the engine asks for a message: send it now (on which channel, relying on which
consent), wait until a moment, or not send it and why.

In order: a message past its validity has expired; an incentive never goes to a customer flagged
bad; then the channels that can reach the customer (contact, suppression, consent, the kind not
stopped on the preference page); then the caps (per channel, so a channel with room may go before a
preferred one without); then quiet hours and the best hour. Transactional messages skip the caps,
quiet hours and the best hour.

The engine calls it when a message falls due and again when a wait ends: every call judges the
facts it is given, so a consent withdrawn while a message waited stops it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide.caps import allowed_from, counted_sends
from retentio.messaging.decide.channels import Usable, choose_channels
from retentio.messaging.decide.customer import Customer, Sent
from retentio.messaging.decide.decision import (
    Decision,
    Note,
    NotSent,
    Reason,
    SendNow,
    Skipped,
    Wait,
    WaitReason,
)
from retentio.messaging.decide.message import Message
from retentio.messaging.decide.rules import SendingRules
from retentio.messaging.decide.timing import send_time
from retentio.messaging.decide.zones import zone_named

_UNKNOWN_ZONE = (Note.UNKNOWN_TIMEZONE,)


def decide(
    message: Message,
    customer: Customer,
    rules: SendingRules,
    history: Sequence[Sent],
    now: datetime,
    *,
    tried: Collection[ChannelName] = (),
) -> Decision:
    """``history``: the messages that went out to this customer (the caps count them).
    ``tried``: the channels this message's cascade went out on already (``cascade.MoveOn.tried``);
    the next step goes as soon as it may, without waiting for a best hour."""
    if now.tzinfo is not UTC:
        now = _utc(now)
    valid_until = message.valid_until
    if valid_until is not None and (now > valid_until or message.due_at > valid_until):
        return NotSent(Reason.EXPIRED, f"valid until {valid_until.isoformat()}")
    kind = message.kind
    if message.incentive and customer.flagged_bad and kind is not Kind.TRANSACTIONAL:
        return NotSent(Reason.BAD_CUSTOMER_INCENTIVE, "an incentive for a customer flagged bad")
    usable, skipped = choose_channels(message.channels, kind, customer, rules, tried)
    if not usable:
        return _nothing_usable(message, kind, skipped)
    earliest = message.due_at if message.due_at > now else now
    if kind is Kind.TRANSACTIONAL:
        if earliest > now:
            return Wait(earliest, WaitReason.NOT_DUE)
        return _send(usable[0], skipped, ())
    zone, notes = _zone_of(customer, rules)
    choice, free = _least_capped(message, usable, rules, history, zone, earliest)
    if valid_until is not None and free > valid_until:
        return NotSent(
            Reason.CAPPED,
            f"the caps have room again at {free.isoformat()}, after its validity",
            skipped,
            notes,
        )
    timing = send_time(free, zone, rules, kind, customer.hour_histogram, valid_until, best_hour=not tried)
    if timing is None:
        return NotSent(Reason.QUIET_HOURS_EXPIRED, "quiet hours last past its validity", skipped, notes)
    if timing.fallback_hour:
        notes = (*notes, Note.FALLBACK_HOUR)
    if timing.at <= now:
        return _send(choice, skipped, notes)
    if free > earliest:
        return Wait(timing.at, WaitReason.CAPPED, notes)
    return Wait(timing.at, timing.held_by or WaitReason.NOT_DUE, notes)


def _least_capped(
    message: Message,
    usable: tuple[Usable, ...],
    rules: SendingRules,
    history: Sequence[Sent],
    zone: ZoneInfo,
    earliest: datetime,
) -> tuple[Usable, datetime]:
    """The first channel in order whose caps have room soonest, and when. A cascade that went out
    on a step already was counted then and is not capped again."""
    if not rules.caps:
        return usable[0], earliest
    sends = counted_sends(history, message.id)
    if sends is None:
        return usable[0], earliest
    best: tuple[Usable, datetime] | None = None
    for choice in usable:
        free = allowed_from(rules.caps, sends, choice.channel, message.kind, zone, earliest)
        if free == earliest:
            return choice, free
        if best is None or free < best[1]:
            best = (choice, free)
    assert best is not None
    return best


def _send(choice: Usable, skipped: tuple[Skipped, ...], notes: tuple[Note, ...]) -> SendNow:
    return SendNow(choice.channel, choice.step, choice.consent_record_id, skipped, notes)


def _nothing_usable(message: Message, kind: Kind, skipped: tuple[Skipped, ...]) -> NotSent:
    if not skipped:
        raise ValueError(f"message {message.id}: every channel was tried already, nothing is left to decide")
    detail = "; ".join([_why(channel, reason, kind) for channel, reason in skipped])
    return NotSent(skipped[0].reason, detail, skipped)


def _why(channel: ChannelName, reason: Reason, kind: Kind) -> str:
    if reason is Reason.OPTED_OUT:
        return f"{channel}: opted out of {kind} on {channel}"
    return f"{channel}: {reason}"  # StrEnums: their values


def _zone_of(customer: Customer, rules: SendingRules) -> tuple[ZoneInfo, tuple[Note, ...]]:
    if customer.timezone is None:
        return rules.zone, ()
    zone = zone_named(customer.timezone)
    if zone is None:
        return rules.zone, _UNKNOWN_ZONE
    return zone, ()


def _utc(at: datetime) -> datetime:
    if at.utcoffset() is None:
        raise ValueError(f"now={at.isoformat()} has no UTC offset")
    return at.astimezone(UTC)
