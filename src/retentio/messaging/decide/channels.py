"""Which of a message's channels can reach this customer, and in which order to try them (COM-6, COM-8).

A channel is usable with a contact on it, nothing suppressing it, and — for trigger and marketing
messages — the customer's consent in force there and that kind not stopped there (the preference
page: no promotions by email, yet order emails and cart reminders). Transactional messages need no
marketing consent, only the contact and an unsuppressed address. A fixed cascade keeps the sender's
order; an automatic one puts first the channels where the customer was active most recently, then
the rest by the shop's order (cheapest first), which also breaks ties."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide.customer import ConsentState, Customer
from retentio.messaging.decide.decision import Reason, Skipped
from retentio.messaging.decide.message import Channels
from retentio.messaging.decide.rules import SendingRules

# Where the profile saw activity → the channels that reach the customer there.
_REACHED_FROM: dict[str, tuple[ChannelName, ...]] = {
    **{channel.value: (channel,) for channel in ChannelName},
    "app": (ChannelName.PUSH,),
    "web": (ChannelName.WEB_PUSH, ChannelName.ONSITE),
}


# Looked up once: attribute access on an enum class costs a Python call each time.
_TRANSACTIONAL = Kind.TRANSACTIONAL
_GRANTED = ConsentState.GRANTED
_NO_CONTACT = Reason.NO_CONTACT
_SUPPRESSED = Reason.SUPPRESSED
_NO_CONSENT = Reason.NO_CONSENT
_OPTED_OUT = Reason.OPTED_OUT


class Usable(NamedTuple):
    """A channel the message may go out on: its step (index in ``Channels.steps``) and the consent
    record it relies on. A named tuple, like ``Skipped``: one is built per channel of every decision,
    at C speed where a frozen dataclass costs ten times as much."""

    step: int
    channel: ChannelName
    consent_record_id: int | None


class ChannelChoice(NamedTuple):
    usable: tuple[Usable, ...]  # in the order to try
    skipped: tuple[Skipped, ...]  # in the message's order


def choose_channels(
    channels: Channels,
    kind: Kind,
    customer: Customer,
    rules: SendingRules,
    tried: Collection[ChannelName] = (),
) -> ChannelChoice:
    """The channels left to try, best first, and those that cannot be used with the reason (no
    contact, then suppression, then consent, then the kind stopped). ``tried``: channels the
    cascade went out on already."""
    reachable = customer.contacts.reachable
    suppressions = customer.suppressions
    consents = customer.consents
    opted_out = customer.opted_out
    asks_consent = kind is not _TRANSACTIONAL
    consent_free = rules.consent_free_channels
    usable: list[Usable] = []
    skipped: list[Skipped] = []
    for index, step in enumerate(channels.steps):
        channel = step.channel
        if tried and channel in tried:
            continue
        if channel not in reachable:
            skipped.append(Skipped(channel, _NO_CONTACT))
        elif channel in suppressions:
            skipped.append(Skipped(channel, _SUPPRESSED))
        elif not asks_consent or channel in consent_free:
            usable.append(Usable(index, channel, None))
        else:
            consent = consents.get(channel)
            if consent is None or consent.state is not _GRANTED:
                skipped.append(Skipped(channel, _NO_CONSENT))
            elif opted_out and (channel, kind) in opted_out:
                skipped.append(Skipped(channel, _OPTED_OUT))
            else:
                usable.append(Usable(index, channel, consent.record_id))
    if channels.auto and len(usable) > 1:
        usable = rank_by_activity(usable, customer.channel_activity, rules.channel_order)
    return ChannelChoice(tuple(usable), tuple(skipped))


def rank_by_activity(
    usable: list[Usable], activity: Mapping[str, str], order: tuple[ChannelName, ...]
) -> list[Usable]:
    latest = last_active(activity)
    unranked = len(order)

    def rank(choice: Usable) -> tuple[int, float, int, str]:
        rank_in_order = order.index(choice.channel) if choice.channel in order else unranked
        seen = latest.get(choice.channel)
        if seen is None:
            return (1, 0.0, rank_in_order, choice.channel)
        return (0, -seen.timestamp(), rank_in_order, choice.channel)

    return sorted(usable, key=rank)


def last_active(activity: Mapping[str, str]) -> dict[ChannelName, datetime]:
    """The latest activity per channel that reaches the customer; stamps that are not ISO times are
    left out (the profile writes them, but a hand-edited one must not stop a message)."""
    latest: dict[ChannelName, datetime] = {}
    for place, stamp in activity.items():
        reached = _REACHED_FROM.get(place)
        if reached is None or not isinstance(stamp, str):
            continue
        try:
            seen = datetime.fromisoformat(stamp)
        except ValueError:
            continue
        if seen.tzinfo is None:
            seen = seen.replace(tzinfo=UTC)
        for channel in reached:
            known = latest.get(channel)
            if known is None or seen > known:
                latest[channel] = seen
    return latest
