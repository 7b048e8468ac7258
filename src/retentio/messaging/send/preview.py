"""A template as one real customer would get it on one channel — what ``retentio templates
preview`` and ``POST /v1/templates/{name}/preview`` show, SMS length included — rendered exactly as
the send step renders it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.loyalty import Programme
from retentio.messaging.content import Body, ChannelName, Kind, TextBody
from retentio.messaging.links import Links
from retentio.messaging.requests import message_id_for
from retentio.messaging.send.facts import load_facts
from retentio.messaging.send.render import render_for
from retentio.messaging.status import State
from retentio.messaging.store import StoredMessage
from retentio.messaging.template_store import CompiledTemplates
from retentio.messaging.templates import sms_length


class PreviewRefused(LookupError):
    """No such template or customer."""


def preview_message(
    connection: Connection,
    template: str,
    customer_id: str,
    channel: ChannelName,
    variables: Mapping[str, Any],
    links: Links,
    currency: str,
    now: datetime,
    kind: Kind = Kind.MARKETING,
    programme: Programme | None = None,
) -> dict[str, Any]:
    """The rendered body as JSON; ``RenderFailed`` says why it cannot be rendered for this customer."""
    compiled = CompiledTemplates().load(connection, [template]).get(template)
    if compiled is None:
        raise PreviewRefused(f"no template {template!r}")
    facts = load_facts(connection, [customer_id], now, programme).get(customer_id)
    if facts is None:
        raise PreviewRefused(f"no customer {customer_id!r}")
    body = render_for(
        compiled, channel, _draft(template, customer_id, kind, variables, now), facts, links, currency, now
    )
    return describe(channel, body)


def describe(channel: ChannelName, body: Body) -> dict[str, Any]:
    shown: dict[str, Any] = {"channel": channel.value, "type": type(body).__name__, **asdict(body)}
    if isinstance(body, TextBody):
        length = sms_length(body.text)
        shown["sms"] = {**asdict(length), "encoding": length.encoding.value}
    return shown


def _draft(
    template: str, customer_id: str, kind: Kind, variables: Mapping[str, Any], now: datetime
) -> StoredMessage:
    return replace(
        _EMPTY,
        message_id=message_id_for(f"preview:{template}:{customer_id}"),
        customer_id=customer_id,
        template=template,
        kind=kind,
        variables=dict(variables),
        requested_at=now,
        due_at=now,
        updated_at=now,
    )


_EMPTY = StoredMessage(
    message_id="",
    idempotency_key="preview",
    customer_id="",
    template="",
    kind=Kind.MARKETING,
    priority=0,
    channels=("auto",),
    until_seen=False,
    incentive=False,
    deliver_within_seconds=3600,
    seen_within_seconds=86400,
    variables={},
    requested_at=datetime.min,
    due_at=datetime.min,
    valid_until=None,
    state=State.WAITING,
    reason=None,
    detail=None,
    channel=None,
    provider_id=None,
    consent_change_id=None,
    steps=(),
    sent_at=None,
    updated_at=datetime.min,
)
