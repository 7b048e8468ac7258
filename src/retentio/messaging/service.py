"""The actions other parts call: ask for messages (checking the customer and the template exist,
each request alone), read a message, a customer's messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.customers import load_contacts
from retentio.messaging.requests import MessageRequest, Requested, request_messages
from retentio.messaging.tables import message_templates


@dataclass(frozen=True, slots=True)
class Refused:
    index: int
    idempotency_key: str
    reason: str


def do_request_messages(
    connection: Connection, requests: Sequence[MessageRequest], now: datetime
) -> tuple[list[Requested], list[Refused]]:
    """Store the requests whose customer and template exist; refuse the others, naming why."""
    customers = load_contacts(connection, {request.customer_id for request in requests})
    templates = _known_templates(connection, {request.template for request in requests})
    refused: list[Refused] = []
    accepted: list[MessageRequest] = []
    for index, request in enumerate(requests):
        customer = customers.get(request.customer_id)
        if customer is None:
            refused.append(Refused(index, request.idempotency_key, f"no customer {request.customer_id!r}"))
        elif customer.merged_into is not None:
            reason = (
                f"customer {request.customer_id!r} was merged into {customer.merged_into!r}: ask for that one"
            )
            refused.append(Refused(index, request.idempotency_key, reason))
        elif request.template not in templates:
            refused.append(Refused(index, request.idempotency_key, f"no template {request.template!r}"))
        else:
            accepted.append(request)
    return request_messages(connection, accepted, now), refused


def _known_templates(connection: Connection, names: set[str]) -> set[str]:
    query = select(message_templates.c.name).where(message_templates.c.name.in_(sorted(names)))
    return set(connection.execute(query).scalars())
