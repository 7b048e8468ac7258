"""What the decisions need to know about a batch of messages' customers, read set-based: contacts,
the consent in force per channel (with its record), the kinds stopped per channel, suppressed
addresses, where and when each is active, whether the bad-customer checklist flags them (no
incentives), the messages they already got (for the caps), and the best personal offer each holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from retentio.customers import (
    APP_PLATFORMS,
    ConsentInForce,
    Contacts,
    ProfileDraft,
    PushDevice,
    consents_in_force,
    live_push_devices,
    load_contacts,
    load_profiles,
    opt_outs_in_force,
)
from retentio.loyalty import ZERO_POINTS, Level, PointsSummary, Programme, member_tiers, points_summaries
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import Consent, ConsentState, Customer, Sent, Suppression
from retentio.messaging.decide import Contacts as Reach
from retentio.messaging.store import StoredMessage, recent_messages, suppressed
from retentio.offers import OfferDecision, Recommendation, best_offers, recommendations_for_customers
from retentio.segments import not_to_incentivize

# The longest cap window read back; longer calendar windows are not counted.
HISTORY = timedelta(days=35)
_SUPPRESSION_OF = {
    "hard_bounce": Suppression.HARD_BOUNCE,
    "complaint": Suppression.COMPLAINT,
    "blocked": Suppression.BLOCKED,
    "dead_token": Suppression.DEAD_TOKEN,
}
# Web push has its own consent when the shop records one ("web_push"; "web", the customers API's
# older name for it, is read too), else the app push consent stands for it.
_CONSENT_CHANNEL = {ChannelName.WEB_PUSH: ("web_push", "web", "push")}


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    customer: Customer  # as the decisions see them
    contacts: Contacts  # as the templates and adapters see them
    profile: ProfileDraft
    consents: Mapping[str, ConsentInForce]
    history: tuple[Sent, ...]
    loyalty: LoyaltyStanding | None = None  # in the shop's main programme, once a member or with points
    offer: OfferDecision | None = None  # the best valid personal code the offer policy issued
    recommendations: tuple[Recommendation, ...] = ()  # the email-context list, once models are trained


@dataclass(frozen=True, slots=True)
class LoyaltyStanding:
    """Where the customer stands in the programme messages show (the first of the settings file)."""

    programme: Programme
    points: PointsSummary
    tier: Level | None  # None: not a member yet, or a programme without tiers


def load_facts(
    connection: Connection, customer_ids: Iterable[str], now: datetime, programme: Programme | None = None
) -> dict[str, CustomerFacts]:
    ids = sorted(set(customer_ids))
    contacts = load_contacts(connection, ids)
    profiles = load_profiles(connection, ids, now, lock=False)
    consents = consents_in_force(connection, ids, now)
    stopped = opt_outs_in_force(connection, ids, now)
    dead = suppressed(connection, [pair for found in contacts.values() for pair in _addresses(found)])
    devices = live_push_devices(connection, ids)
    history = recent_messages(connection, ids, now - HISTORY)
    flagged = not_to_incentivize(connection, ids)
    points = {} if programme is None else points_summaries(connection, programme.id, ids, now)
    tiers = {} if programme is None else member_tiers(connection, programme, ids)
    offers = best_offers(connection, ids, now)
    recommended = recommendations_for_customers(connection, ids, now)
    facts: dict[str, CustomerFacts] = {}
    for customer_id, found in contacts.items():
        profile = profiles.get(customer_id) or ProfileDraft(customer_id)
        in_force = consents.get(customer_id, {})
        customer = _customer(
            found,
            profile,
            in_force,
            dead,
            devices.get(customer_id, []),
            flagged_bad=customer_id in flagged,
            stopped=stopped.get(customer_id, frozenset()),
        )
        sent = tuple(sent for message in history.get(customer_id, ()) for sent in _sends(message))
        standing = None
        if programme is not None and (customer_id in points or customer_id in tiers):
            standing = LoyaltyStanding(
                programme, points.get(customer_id, ZERO_POINTS), tiers.get(customer_id)
            )
        facts[customer_id] = CustomerFacts(
            customer,
            found,
            profile,
            in_force,
            sent,
            standing,
            offers.get(customer_id),
            recommended.get(customer_id, ()),
        )
    return facts


def recipient(contacts: Contacts, customer: Customer, channel: ChannelName) -> str:
    """Where a send on ``channel`` goes: the address the decision found usable. Push goes to the
    customer (``channels.devices`` sends to each of their devices)."""
    reach = customer.contacts
    found = {
        ChannelName.EMAIL: reach.email,
        ChannelName.SMS: reach.phone,
        ChannelName.TELEGRAM: reach.telegram_id,
        ChannelName.VIBER: reach.viber_id,
        ChannelName.PUSH: contacts.customer_id if reach.push_tokens else None,
        ChannelName.WEB_PUSH: contacts.customer_id if reach.web_push_subscriptions else None,
    }.get(channel, contacts.customer_id)
    if found is None:
        raise ValueError(f"customer {contacts.customer_id} has no {channel.value} address")
    return found


def _customer(
    found: Contacts,
    profile: ProfileDraft,
    in_force: Mapping[str, ConsentInForce],
    dead: Mapping[tuple[str, str], str],
    devices: Sequence[PushDevice],
    *,
    flagged_bad: bool,
    stopped: frozenset[tuple[str, str]],
) -> Customer:
    suppressions: dict[ChannelName, Suppression] = {}
    single = {
        ChannelName.EMAIL: found.email,
        ChannelName.SMS: found.phone,
        ChannelName.TELEGRAM: found.telegram_id,
        ChannelName.VIBER: found.viber_id,
    }
    for channel, address in single.items():
        reason = None if address is None else dead.get((channel.value, _key(channel, address)))
        if reason is not None:
            suppressions[channel] = _SUPPRESSION_OF.get(reason, Suppression.HARD_BOUNCE)
    # Removed devices are not among them: a customer whose devices all died has no push contact.
    tokens = tuple(device.address for device in devices if device.platform in APP_PLATFORMS)
    subscriptions = tuple(device.address for device in devices if device.platform not in APP_PLATFORMS)
    reach = Reach(
        email=found.email,
        phone=found.phone,
        telegram_id=found.telegram_id,
        viber_id=found.viber_id,
        push_tokens=tokens,
        web_push_subscriptions=subscriptions,
    )
    return Customer(
        id=found.customer_id,
        contacts=reach,
        consents=_consents(in_force),
        suppressions=suppressions,
        timezone=found.timezone,
        locale=found.locale,
        channel_activity=dict(profile.channel_activity),
        hour_histogram=tuple(profile.hour_histogram),
        flagged_bad=flagged_bad,
        opted_out=_opted_out(stopped),
    )


def _consents(in_force: Mapping[str, ConsentInForce]) -> dict[ChannelName, Consent]:
    consents: dict[ChannelName, Consent] = {}
    for channel in ChannelName:
        for name in _CONSENT_CHANNEL.get(channel, (channel.value,)):
            record = in_force.get(name)
            if record is not None:
                state = ConsentState.GRANTED if record.granted else ConsentState.WITHDRAWN
                consents[channel] = Consent(state, record.change_id)
                break
    return consents


def _opted_out(stopped: frozenset[tuple[str, str]]) -> frozenset[tuple[ChannelName, Kind]]:
    """The kinds stopped per channel. Web push shares the app push consent, so a kind stopped for
    app push is stopped for web push too (and web push may stop one of its own)."""
    if not stopped:
        return frozenset()
    return frozenset(
        (channel, kind)
        for channel in ChannelName
        for kind in (Kind.MARKETING, Kind.TRIGGER)
        if any((name, kind.value) in stopped for name in _CONSENT_CHANNEL.get(channel, (channel.value,)))
    )


def _addresses(found: Contacts) -> list[tuple[str, str]]:
    pairs = [
        (channel.value, address)
        for channel, address in (
            (ChannelName.EMAIL, found.email),
            (ChannelName.SMS, found.phone),
            (ChannelName.TELEGRAM, found.telegram_id),
            (ChannelName.VIBER, found.viber_id),
        )
        if address
    ]
    return pairs


def _key(channel: ChannelName, address: str) -> str:
    return address.strip().lower() if channel is ChannelName.EMAIL else address.strip()


def _sends(message: StoredMessage) -> list[Sent]:
    sends = []
    for step in message.steps:
        at = step.get("sent_at")
        if at and step.get("outcome") in {"sent", "bounced"}:
            sends.append(
                Sent(
                    datetime.fromisoformat(at),
                    ChannelName(step["channel"]),
                    Kind(message.kind),
                    message.message_id,
                )
            )
    return sends
