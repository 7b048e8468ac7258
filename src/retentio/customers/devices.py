"""A customer's push devices: the app installs (FCM, RuStore tokens) and browsers (web push
subscriptions) a push message goes to, each of them, as Braze and Customer.io send.

A token is one device's: registering it again refreshes it, registering it for another customer
moves it there (the app's user logged in as someone else). A device is removed — kept, with the
reason — when the app or the API says so or a provider says the token is dead; a removed device is
never sent to again, unless the app registers the same token anew. ``customers.push_tokens`` keeps
the live devices' addresses for the segment rules and the record the API shows; only this module
writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, insert, select, update

from retentio.customers.models import PushDeviceRegistration
from retentio.customers.store import canonical_ids, ensure_customers
from retentio.customers.tables import customers, push_devices
from retentio.db.batches import chunks

WEB = "web"
APP_PLATFORMS = ("fcm", "rustore")


@dataclass(frozen=True, slots=True)
class PushDevice:
    id: int
    customer_id: str
    platform: str  # fcm, rustore, web
    token: str  # the app's token, or the web push subscription's endpoint
    p256dh: str | None
    auth: str | None
    app_id: str | None
    device_ref: str | None
    created_at: datetime
    last_seen_at: datetime
    removed_at: datetime | None
    removed_reason: str | None

    @property
    def address(self) -> str:
        """What an adapter sends to: the token, or the subscription as the browser's JSON."""
        if self.platform != WEB:
            return self.token
        keys = {"p256dh": self.p256dh, "auth": self.auth}
        return json.dumps({"endpoint": self.token, "keys": keys}, separators=(",", ":"))


class NotAPushToken(ValueError):
    """A ``push_tokens`` entry that is neither an app token nor a web push subscription's JSON."""


def registration_of(token: str) -> PushDeviceRegistration:
    """An entry of the customer record's ``push_tokens`` as a device: a web push subscription's JSON
    (what the list held for browsers before devices had a table of their own) or an app token. The
    list does not say which app provider a token is for; FCM's is the one most apps use, and the push
    channel sends either through the provider configured (docs/providers/mobile-push.md)."""
    try:
        if not token.lstrip().startswith("{"):
            return PushDeviceRegistration(platform="fcm", token=token.strip())
        subscription = json.loads(token)
        return PushDeviceRegistration.model_validate({"platform": WEB, "subscription": subscription})
    except ValueError as error:  # pydantic's ValidationError is a ValueError, and so is bad JSON
        what = "a web push subscription (endpoint, keys.p256dh, keys.auth)"
        if not token.lstrip().startswith("{"):
            what = "a device token (one word, at most 4096 characters)"
        raise NotAPushToken(f"{token[:80]!r} is not {what}: {_first_line(error)}") from None


def _first_line(error: ValueError) -> str:
    lines = str(error).splitlines()
    # pydantic: "1 validation error for X" / "loc" / "  message [type=...]"
    return " ".join(line.strip() for line in lines[1:3]) if len(lines) > 2 else lines[0]


def do_register_push_device(
    connection: Connection, customer_id: str, registration: PushDeviceRegistration, now: datetime
) -> PushDevice:
    """Add the device, or refresh it (and move it to ``customer_id`` if another customer had it). An
    unknown customer is created, as an event about them would; a merged-away one's survivor gets it."""
    ensure_customers(connection, [customer_id], now)
    owner = canonical_ids(connection, [customer_id]).get(customer_id, customer_id)
    return _register(connection, owner, registration, now)


def do_unregister_push_device(connection: Connection, customer_id: str, token: str, now: datetime) -> bool:
    """Remove the customer's live device with this token (or web push endpoint): False if none."""
    customer_id = canonical_ids(connection, [customer_id]).get(customer_id, customer_id)
    found = connection.execute(
        select(push_devices.c.id).where(
            push_devices.c.customer_id == customer_id,
            push_devices.c.token == token,
            push_devices.c.removed_at.is_(None),
        )
    ).all()
    _remove(connection, [(row.id, "unregistered") for row in found], now)
    return bool(found)


def remove_push_devices(connection: Connection, removals: Sequence[tuple[int, str]], now: datetime) -> None:
    """Remove devices (id, why): a provider said the token is dead. A device already removed keeps
    its first reason."""
    _remove(connection, removals, now)


def replace_push_tokens(
    connection: Connection, tokens_of: Mapping[str, Sequence[str]], now: datetime
) -> None:
    """The customer record's ``push_tokens`` given whole (``PUT /v1/customers``, importers): these are
    the customer's devices now, the others are removed. ``NotAPushToken`` before anything is written."""
    wanted = {
        customer_id: [registration_of(token) for token in tokens] for customer_id, tokens in tokens_of.items()
    }
    for customer_id, registrations in wanted.items():
        kept = {_register(connection, customer_id, registration, now).id for registration in registrations}
        live = live_push_devices(connection, [customer_id]).get(customer_id, [])
        _remove(connection, [(device.id, "replaced") for device in live if device.id not in kept], now)


def move_push_devices(connection: Connection, survivor_id: str, merged_id: str) -> None:
    """A merge: the merged record's devices are the survivor's now."""
    connection.execute(
        update(push_devices).where(push_devices.c.customer_id == merged_id).values(customer_id=survivor_id)
    )
    _refresh_push_tokens(connection, [survivor_id, merged_id])


def live_push_devices(
    connection: Connection, customer_ids: Iterable[str], platforms: Iterable[str] | None = None
) -> dict[str, list[PushDevice]]:
    """Each customer's devices not removed, oldest first, of ``platforms`` (all when None)."""
    found: dict[str, list[PushDevice]] = {}
    chosen = None if platforms is None else sorted(set(platforms))
    for part in chunks(sorted(set(customer_ids))):
        query = select(push_devices).where(
            push_devices.c.customer_id.in_(part), push_devices.c.removed_at.is_(None)
        )
        if chosen is not None:
            query = query.where(push_devices.c.platform.in_(chosen))
        for row in connection.execute(query.order_by(push_devices.c.id)):
            found.setdefault(row.customer_id, []).append(PushDevice(**row._asdict()))
    return found


def _register(
    connection: Connection, customer_id: str, registration: PushDeviceRegistration, now: datetime
) -> PushDevice:
    subscription = registration.subscription
    token = subscription.endpoint if subscription is not None else registration.token
    assert token is not None  # the registration's validator
    values = {
        "customer_id": customer_id,
        "p256dh": subscription.keys.p256dh if subscription is not None else None,
        "auth": subscription.keys.auth if subscription is not None else None,
        "app_id": registration.app_id,
        "device_ref": registration.device_id,
        "last_seen_at": now,
        "removed_at": None,
        "removed_reason": None,
    }
    same = and_(push_devices.c.platform == registration.platform, push_devices.c.token == token)
    before = connection.execute(select(push_devices.c.id, push_devices.c.customer_id).where(same)).first()
    if before is None:
        connection.execute(
            insert(push_devices).values(**values, platform=registration.platform, token=token, created_at=now)
        )
    else:
        connection.execute(update(push_devices).where(push_devices.c.id == before.id).values(**values))
    _refresh_push_tokens(connection, {customer_id, *([] if before is None else [before.customer_id])})
    row = connection.execute(select(push_devices).where(same)).one()
    return PushDevice(**row._asdict())


def _remove(connection: Connection, removals: Sequence[tuple[int, str]], now: datetime) -> None:
    if not removals:
        return
    live = select(push_devices.c.customer_id).where(
        push_devices.c.id.in_(sorted({device_id for device_id, _ in removals})),
        push_devices.c.removed_at.is_(None),
    )
    owners = set(connection.execute(live).scalars())
    for device_id, reason in removals:
        connection.execute(
            update(push_devices)
            .where(push_devices.c.id == device_id, push_devices.c.removed_at.is_(None))
            .values(removed_at=now, removed_reason=reason[:1000])
        )
    _refresh_push_tokens(connection, owners)


def _refresh_push_tokens(connection: Connection, customer_ids: Iterable[str]) -> None:
    ids = sorted(set(customer_ids))
    live = live_push_devices(connection, ids)
    for customer_id in ids:
        addresses = [device.address for device in live.get(customer_id, [])]
        connection.execute(
            update(customers).where(customers.c.customer_id == customer_id).values(push_tokens=addresses)
        )
