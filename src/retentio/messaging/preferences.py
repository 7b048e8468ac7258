"""The preference centre (COM-8): per channel the customer can be reached on, which kinds of message
they receive — marketing (promotions) and trigger (abandoned cart, back in stock…). Transactional
messages (orders, delivery) always arrive and are not a choice. The signed preference page and the
shop's own API (``/v1/customers/{id}/preferences``) both read and change it here.

What the customer sees as "receives marketing by email" is the channel's consent in force *and*
marketing not stopped there. A wish is applied so that afterwards each named (channel, kind) reads
as wished and every other one reads as before:

- stopping a kind records a kind preference; the channel's consent stays (order emails still go);
- asking for a kind on a channel without consent records the channel's consent (source: where the
  customer asked) and stops the kinds not asked for there, which the consent would otherwise let in;
- the channel's consent itself is never withdrawn here: that is the unsubscribe link's job.

Only changes are recorded, so saving the same choices twice records nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.customers import (
    changes_that_differ,
    load_consent_timelines,
    load_preference_timelines,
    preference_changes_that_differ,
    record_consent_changes,
    record_preference_changes,
)
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import ConsentState, Customer
from retentio.messaging.send.facts import load_facts

# The channels with an address of the customer's own, in the page's order; the on-site inbox and
# the outbox ask no consent and are not a choice here.
PAGE_CHANNELS = (
    ChannelName.EMAIL,
    ChannelName.SMS,
    ChannelName.PUSH,
    ChannelName.WEB_PUSH,
    ChannelName.TELEGRAM,
    ChannelName.VIBER,
)
CHOOSABLE_KINDS = (Kind.MARKETING, Kind.TRIGGER)


class PreferenceInvalid(ValueError):
    """A wish naming something the preference centre does not have; ``field`` says which part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CustomerUnknown(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Wish:
    channel: ChannelName
    kind: Kind
    receives: bool


@dataclass(frozen=True, slots=True)
class ChannelPreferences:
    """``consent``: the channel's consent is in force; ``receives``: per choosable kind, whether it
    arrives (consent in force and the kind not stopped)."""

    channel: ChannelName
    consent: bool
    receives: Mapping[Kind, bool]


@dataclass(frozen=True, slots=True)
class Planned:
    """What a wish changes: channels whose consent to record, and kind preferences (wanted or not)."""

    consents: tuple[ChannelName, ...] = ()
    kinds: tuple[tuple[ChannelName, Kind, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class Saved:
    customer_id: str
    preferences: tuple[ChannelPreferences, ...]
    consents: tuple[dict[str, Any], ...]  # the consent changes recorded
    kinds: tuple[dict[str, Any], ...]  # the kind preference changes recorded


def wish(channel: str, kind: str, receives: bool, field: str) -> Wish:
    """A wish from outside words; ``PreferenceInvalid`` naming ``field`` when they are wrong."""
    names = ", ".join(each.value for each in PAGE_CHANNELS)
    try:
        channel_name = ChannelName(channel)
    except ValueError:
        raise PreferenceInvalid(f"{field}.channel", f"unknown channel {channel!r}: one of {names}") from None
    if channel_name not in PAGE_CHANNELS:
        raise PreferenceInvalid(f"{field}.channel", f"{channel!r} is not a choice: one of {names}")
    if kind == Kind.TRANSACTIONAL.value:
        raise PreferenceInvalid(
            f"{field}.kind", "transactional messages (orders, delivery) cannot be turned off"
        )
    if kind not in {each.value for each in CHOOSABLE_KINDS}:
        raise PreferenceInvalid(f"{field}.kind", f"unknown kind {kind!r}: marketing or trigger")
    return Wish(channel_name, Kind(kind), receives)


def preferences_of(customer: Customer) -> tuple[ChannelPreferences, ...]:
    """A row per channel the customer has an address on."""
    rows = []
    for channel in PAGE_CHANNELS:
        if not customer.contacts.reach(channel):
            continue
        consent = _consented(customer, channel)
        receives = {kind: consent and (channel, kind) not in customer.opted_out for kind in CHOOSABLE_KINDS}
        rows.append(ChannelPreferences(channel, consent, receives))
    return tuple(rows)


def plan(customer: Customer, wishes: Iterable[Wish]) -> Planned:
    """The changes that make each wish true and leave every other choice as it reads now."""
    wished: dict[ChannelName, dict[Kind, bool]] = {}
    for each in wishes:
        wished.setdefault(each.channel, {})[each.kind] = each.receives
    consents: list[ChannelName] = []
    kinds: list[tuple[ChannelName, Kind, bool]] = []
    for channel, asked in wished.items():
        consent = _consented(customer, channel)
        wanted = {kind: (channel, kind) not in customer.opted_out for kind in CHOOSABLE_KINDS}
        target = {kind: asked.get(kind, consent and wanted[kind]) for kind in CHOOSABLE_KINDS}
        if not consent and not any(target.values()):
            continue  # nothing arrives now and nothing is asked for
        if not consent:
            consents.append(channel)
        kinds += [(channel, kind, target[kind]) for kind in CHOOSABLE_KINDS if target[kind] != wanted[kind]]
    return Planned(tuple(consents), tuple(kinds))


def do_set_preferences(
    connection: Connection, customer_id: str, wishes: Sequence[Wish], source: str, now: datetime
) -> Saved:
    """Apply the wishes (one transaction, the caller's) and return what was recorded and the state
    after. A merged-away customer's choices go to the survivor. ``CustomerUnknown`` when there is
    no such customer; ``PreferenceInvalid`` when a wish names a channel they have no address on."""
    customer_id, customer = _customer(connection, customer_id, now)
    for index, each in enumerate(wishes):
        if not customer.contacts.reach(each.channel):
            raise PreferenceInvalid(
                f"preferences.{index}.channel", f"the customer has no {each.channel.value} address"
            )
    planned = plan(customer, wishes)
    base = {"customer_id": customer_id, "source": source, "changed_at": now, "recorded_at": now}
    consents = [base | {"channel": channel.value, "granted": True} for channel in planned.consents]
    kinds = [
        base | {"channel": channel.value, "kind": kind.value, "wanted": wanted}
        for channel, kind, wanted in planned.kinds
    ]
    consents = changes_that_differ(load_consent_timelines(connection, [customer_id]), consents)
    kinds = preference_changes_that_differ(load_preference_timelines(connection, [customer_id]), kinds)
    record_consent_changes(connection, consents)
    record_preference_changes(connection, kinds)
    _, after = _customer(connection, customer_id, now)
    return Saved(customer_id, preferences_of(after), tuple(consents), tuple(kinds))


def current_preferences(
    connection: Connection, customer_id: str, now: datetime
) -> tuple[str, Customer, tuple[ChannelPreferences, ...]]:
    """The customer (the survivor of a merge), as the decisions see them, and their choices now."""
    customer_id, customer = _customer(connection, customer_id, now)
    return customer_id, customer, preferences_of(customer)


def preference_events(saved: Saved) -> list[dict[str, Any]]:
    """The recorded changes as ``subscribed`` / ``unsubscribed`` events for the log, so that
    profiles and segments see them; each change one event, its id making a repeat one event."""
    events = []
    for change in saved.consents:
        events.append(_event(saved.customer_id, "subscribed", change, None))
    for change in saved.kinds:
        event_type = "subscribed" if change["wanted"] else "unsubscribed"
        events.append(_event(saved.customer_id, event_type, change, change["kind"]))
    return events


def _event(customer_id: str, event_type: str, change: Mapping[str, Any], kind: str | None) -> dict[str, Any]:
    at: datetime = change["changed_at"]
    properties: dict[str, Any] = {"channel": change["channel"], "source": change["source"]}
    if kind is not None:
        properties["kind"] = kind
    what = f"{change['channel']}:{kind or 'consent'}:{event_type}"
    return {
        "event_id": f"preferences:{customer_id}:{what}:{at.isoformat()}",
        "type": event_type,
        "customer_id": customer_id,
        "timestamp": at.isoformat(),
        "properties": properties,
    }


def _consented(customer: Customer, channel: ChannelName) -> bool:
    consent = customer.consents.get(channel)
    return consent is not None and consent.state is ConsentState.GRANTED


def _customer(connection: Connection, customer_id: str, now: datetime) -> tuple[str, Customer]:
    facts = load_facts(connection, [customer_id], now)
    found = facts.get(customer_id)
    if found is None:
        raise CustomerUnknown(f"no customer {customer_id!r}")
    survivor = found.contacts.merged_into
    if survivor is not None:
        return _customer(connection, survivor, now)
    return customer_id, found.customer
