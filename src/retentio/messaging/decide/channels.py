"""Which of a message's channels can reach this customer, and in which order to try them (COM-6, COM-8).

A channel is usable with a contact on it, nothing suppressing it, and — for trigger and marketing
messages — the customer's consent in force there. Transactional messages need no marketing consent,
only the contact and an unsuppressed address. A fixed cascade keeps the sender's order; an automatic
one puts first the channels where the customer was active most recently, then the rest by the
shop's order (cheapest first), which also breaks ties."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Usable:
    """A channel the message may go out on: its step (index in ``Channels.steps``) and the consent
    record it relies on."""

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
    """The channels left to try, best first, and those that cannot be used with the reason.
    ``tried``: channels the message's cascade went out on already."""
    usable: list[Usable] = []
    skipped: list[Skipped] = []
    for index, step in enumerate(channels.steps):
        channel = step.channel
        if channel in tried:
            continue
        problem = channel_problem(channel, kind, customer, rules)
        if problem is None:
            usable.append(Usable(index, channel, _consent_relied_on(channel, kind, customer, rules)))
        else:
            skipped.append(Skipped(channel, problem))
    if channels.auto and len(usable) > 1:
        usable = rank_by_activity(usable, customer.channel_activity, rules.channel_order)
    return ChannelChoice(tuple(usable), tuple(skipped))


def channel_problem(
    channel: ChannelName, kind: Kind, customer: Customer, rules: SendingRules
) -> Reason | None:
    if not customer.contacts.reach(channel):
        return Reason.NO_CONTACT
    if channel in customer.suppressions:
        return Reason.SUPPRESSED
    if kind is Kind.TRANSACTIONAL or channel in rules.consent_free_channels:
        return None
    consent = customer.consents.get(channel)
    if consent is None or consent.state is not ConsentState.GRANTED:
        return Reason.NO_CONSENT
    return None


def _consent_relied_on(
    channel: ChannelName, kind: Kind, customer: Customer, rules: SendingRules
) -> int | None:
    if kind is Kind.TRANSACTIONAL or channel in rules.consent_free_channels:
        return None
    return customer.consents[channel].record_id


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
