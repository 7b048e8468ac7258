"""What the decisions need to know about a batch of messages' customers, read set-based: contacts,
the consent in force per channel (with its record), the kinds stopped per channel, suppressed
addresses, where and when each is active, and the messages they already got (for the caps)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from retentio.customers import (
    ConsentInForce,
    Contacts,
    ProfileDraft,
    consents_in_force,
    load_contacts,
    load_profiles,
    opt_outs_in_force,
)
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import Consent, ConsentState, Customer, Sent, Suppression
from retentio.messaging.decide import Contacts as Reach
from retentio.messaging.store import StoredMessage, recent_messages, suppressed

# The longest cap window read back; longer calendar windows are not counted.
HISTORY = timedelta(days=35)
_SUPPRESSION_OF = {
    "hard_bounce": Suppression.HARD_BOUNCE,
    "complaint": Suppression.COMPLAINT,
    "blocked": Suppression.BLOCKED,
    "dead_token": Suppression.DEAD_TOKEN,
}
# Web push has its own consent when the shop records one, else the app push consent stands for it.
_CONSENT_CHANNEL = {ChannelName.WEB_PUSH: ("web_push", "push")}


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    customer: Customer  # as the decisions see them
    contacts: Contacts  # as the templates and adapters see them
    profile: ProfileDraft
    consents: Mapping[str, ConsentInForce]
    history: tuple[Sent, ...]


def load_facts(
    connection: Connection, customer_ids: Iterable[str], now: datetime
) -> dict[str, CustomerFacts]:
    ids = sorted(set(customer_ids))
    contacts = load_contacts(connection, ids)
    profiles = load_profiles(connection, ids, now, lock=False)
    consents = consents_in_force(connection, ids, now)
    stopped = opt_outs_in_force(connection, ids, now)
    dead = suppressed(connection, [pair for found in contacts.values() for pair in _addresses(found)])
    history = recent_messages(connection, ids, now - HISTORY)
    facts: dict[str, CustomerFacts] = {}
    for customer_id, found in contacts.items():
        profile = profiles.get(customer_id) or ProfileDraft(customer_id)
        in_force = consents.get(customer_id, {})
        customer = _customer(found, profile, in_force, dead, stopped.get(customer_id, frozenset()))
        sent = tuple(sent for message in history.get(customer_id, ()) for sent in _sends(message))
        facts[customer_id] = CustomerFacts(customer, found, profile, in_force, sent)
    return facts


def recipient(contacts: Contacts, customer: Customer, channel: ChannelName) -> str:
    """Where a send on ``channel`` goes: the address the decision found usable."""
    reach = customer.contacts
    found = {
        ChannelName.EMAIL: reach.email,
        ChannelName.SMS: reach.phone,
        ChannelName.TELEGRAM: reach.telegram_id,
        ChannelName.VIBER: reach.viber_id,
        ChannelName.PUSH: reach.push_tokens[0] if reach.push_tokens else None,
        ChannelName.WEB_PUSH: reach.web_push_subscriptions[0] if reach.web_push_subscriptions else None,
    }.get(channel, contacts.customer_id)
    if found is None:
        raise ValueError(f"customer {contacts.customer_id} has no {channel.value} address")
    return found


def _customer(
    found: Contacts,
    profile: ProfileDraft,
    in_force: Mapping[str, ConsentInForce],
    dead: Mapping[tuple[str, str], str],
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
    tokens, subscriptions = _devices(found.push_tokens)
    live_tokens = tuple(t for t in tokens if (ChannelName.PUSH.value, t) not in dead)
    live_subscriptions = tuple(s for s in subscriptions if (ChannelName.WEB_PUSH.value, s) not in dead)
    if tokens and not live_tokens:
        suppressions[ChannelName.PUSH] = Suppression.DEAD_TOKEN
    if subscriptions and not live_subscriptions:
        suppressions[ChannelName.WEB_PUSH] = Suppression.DEAD_TOKEN
    reach = Reach(
        email=found.email,
        phone=found.phone,
        telegram_id=found.telegram_id,
        viber_id=found.viber_id,
        push_tokens=live_tokens or tokens,
        web_push_subscriptions=live_subscriptions or subscriptions,
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


def _devices(push_tokens: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """App tokens, and web push subscriptions (kept among the tokens as their JSON)."""
    subscriptions = tuple(token for token in push_tokens if token.lstrip().startswith("{"))
    return tuple(token for token in push_tokens if token not in subscriptions), subscriptions


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
    tokens, subscriptions = _devices(found.push_tokens)
    pairs += [(ChannelName.PUSH.value, token) for token in tokens]
    pairs += [(ChannelName.WEB_PUSH.value, subscription) for subscription in subscriptions]
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
