"""What a hit on a tracking link says, as the event it becomes: an open, a click or an unsubscribe,
about one message, on the channel that carried it; and whether a machine rather than the customer
made it (mail privacy proxies fetch every image, link scanners follow every link)."""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import datetime, timedelta
from typing import Any

from retentio.messaging.store import StoredMessage

# Apple Mail Privacy Protection fetches images from Apple's own network when mail arrives.
_APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")
# Security gateways and scanners that fetch links and images before anyone reads the mail.
_MACHINE_AGENTS = (
    "bot",
    "crawler",
    "spider",
    "scanner",
    "barracuda",
    "proofpoint",
    "mimecast",
    "python-",
    "curl/",
)
# Nobody opens a message and clicks within this long of its sending; scanners do.
_TOO_FAST = timedelta(seconds=2)


def is_machine(user_agent: str, client_ip: str | None, sent_at: datetime | None, at: datetime) -> bool:
    agent = user_agent.lower()
    if not agent or any(marker in agent for marker in _MACHINE_AGENTS):
        return True
    if client_ip is not None:
        try:
            if ipaddress.ip_address(client_ip) in _APPLE_NETWORK:
                return True
        except ValueError:
            pass
    return sent_at is not None and at - sent_at < _TOO_FAST


def hit_event(
    message: StoredMessage, event_type: str, at: datetime, machine: bool, url: str | None = None
) -> dict[str, Any]:
    """The event a hit becomes. Its id makes repeats one event: the first open (human or machine),
    each link's first click, the one unsubscribe."""
    channel = message.channel or "email"
    suffix = "machine" if machine else "human"
    if url is not None:
        suffix += ":" + hashlib.sha256(url.encode()).hexdigest()[:16]
    properties: dict[str, Any] = {"message_id": message.message_id, "channel": channel, "machine": machine}
    if url is not None:
        properties["url"] = url[:1000]
    return {
        "event_id": f"{message.message_id}:{event_type.removeprefix('message_')}:{suffix}",
        "type": event_type,
        "customer_id": message.customer_id,
        "timestamp": at.isoformat(),
        "properties": properties,
    }
