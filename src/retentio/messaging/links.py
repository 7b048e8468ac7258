"""Signed links in messages: the open pixel, click links, the one-click unsubscribe and the
customer's preference page.

Each link carries an HMAC of what it does (the message, the action and, for a click, the target
URL; for the preference page, the customer), so the API can act on it without a login and without
becoming an open redirect: a changed target, message id or customer id no longer matches its
signature. The preference page's link names the customer (base64url in the path, since a customer
id may hold a slash) rather than a message, so it works from any message and from the shop's site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote, urlsplit

from sqlalchemy import Connection, select

from retentio.db.batches import insert_ignoring_duplicates
from retentio.messaging.tables import messaging_secrets

SIGNATURE_LENGTH = 22  # characters of URL-safe base64: 132 bits


class Action(StrEnum):
    OPEN = "o"
    CLICK = "c"
    UNSUBSCRIBE = "u"
    PREFERENCES = "p"


class BadLink(ValueError):
    """The link was not made by this Retentio (or was changed on the way)."""


@dataclass(frozen=True, slots=True)
class Links:
    base_url: str  # where the API is reached from the outside, e.g. https://crm.example.ru
    secret: bytes

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"public URL {self.base_url!r} must be an absolute http(s) URL")
        if len(self.secret) < 16:
            raise ValueError("the secret key must have at least 16 bytes")

    def open_pixel(self, message_id: str) -> str:
        return f"{self._root()}/t/o/{message_id}/{self.sign(Action.OPEN, message_id)}.gif"

    def click(self, message_id: str, target: str) -> str:
        signature = self.sign(Action.CLICK, message_id, target)
        return f"{self._root()}/t/c/{message_id}/{signature}?url={quote(target, safe='')}"

    def unsubscribe(self, message_id: str) -> str:
        return f"{self._root()}/u/{message_id}/{self.sign(Action.UNSUBSCRIBE, message_id)}"

    def preferences(self, customer_id: str) -> str:
        token = base64.urlsafe_b64encode(customer_id.encode()).decode().rstrip("=")
        return f"{self._root()}/p/{token}/{self.sign(Action.PREFERENCES, customer_id)}"

    def preferences_customer(self, token: str, signature: str) -> str:
        """The customer a preference link was made for; ``BadLink`` when we did not make it."""
        try:
            customer_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            raise BadLink(f"preference link {token!r} names no customer") from None
        self.verify(Action.PREFERENCES, customer_id, signature)
        return customer_id

    def sign(self, action: Action, message_id: str, target: str = "") -> str:
        text = "\x1f".join((action.value, message_id, target)).encode()
        digest = hmac.new(self.secret, text, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]

    def verify(self, action: Action, message_id: str, signature: str, target: str = "") -> None:
        if not hmac.compare_digest(self.sign(action, message_id, target), signature):
            raise BadLink(f"the {action.name.lower()} link of message {message_id!r} is not signed by us")
        if action is Action.CLICK and urlsplit(target).scheme not in {"http", "https"}:
            raise BadLink(f"click target {target!r} is not an http(s) URL")

    def _root(self) -> str:
        return self.base_url.rstrip("/")


def links_for(connection: Connection, public_url: str, secret_key: str | None, now: datetime) -> Links:
    """The links of this installation: signed with the configured key, else with one made once and
    kept in the database (so the API checks what the worker signed without any setting)."""
    if secret_key is not None:
        return Links(public_url, secret_key.encode())
    return Links(public_url, _stored_secret(connection, now).encode())


def _stored_secret(connection: Connection, now: datetime) -> str:
    query = select(messaging_secrets.c.value).where(messaging_secrets.c.name == _LINK_SECRET)
    found = connection.execute(query).scalar_one_or_none()
    if found is not None:
        return str(found)
    row = {"name": _LINK_SECRET, "value": secrets.token_urlsafe(48), "created_at": now}
    connection.execute(insert_ignoring_duplicates(connection, messaging_secrets), [row])
    return str(connection.execute(query).scalar_one())  # another process may have made it first


_LINK_SECRET = "links"
