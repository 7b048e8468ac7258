"""Rendering one message for one channel: the template with the customer's data and the request's
variables; in email, links that record clicks, the open pixel and the unsubscribe link; in every
message the customer's preference page (``preferences_url``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retentio.loyalty import points_to_money
from retentio.messaging.content import Body, ChannelName, EmailBody, Kind
from retentio.messaging.links import Links
from retentio.messaging.send.facts import CustomerFacts, LoyaltyStanding
from retentio.messaging.store import StoredMessage
from retentio.messaging.templates import (
    CompiledTemplate,
    ContextInvalid,
    TemplateError,
    add_pixel,
    context_from_dict,
    render,
    rewrite_links,
)
from retentio.offers import OfferDecision
from retentio.types.money import from_minor

# The outbox shows what one of the real channels would have carried: the first the template has.
_OUTBOX_STANDS_FOR = (
    ChannelName.EMAIL,
    ChannelName.SMS,
    ChannelName.TELEGRAM,
    ChannelName.PUSH,
    ChannelName.ONSITE,
)
# What a request's variables may hold besides the customer (whom Retentio knows itself).
REQUEST_VARIABLES = frozenset({"cart", "order", "products", "coupon", "loyalty", "offer"})


class RenderFailed(ValueError):
    """The message cannot be rendered for this customer: its reason is the message's outcome."""


def render_for(
    compiled: CompiledTemplate,
    channel: ChannelName,
    message: StoredMessage,
    facts: CustomerFacts,
    links: Links,
    currency: str,
    now: datetime,
) -> Body:
    unknown = sorted(set(message.variables) - REQUEST_VARIABLES)
    if unknown:
        raise RenderFailed(
            f"unknown variable {unknown[0]!r}: a message may carry {', '.join(sorted(REQUEST_VARIABLES))}"
        )
    unsubscribe = None if message.kind is Kind.TRANSACTIONAL else links.unsubscribe(message.message_id)
    try:
        preferences = links.preferences(message.customer_id)
        context = context_from_dict(_context(message, facts, currency, now, unsubscribe, preferences))
        body = render(compiled, _body_channel(compiled, channel), context).body
    except (ContextInvalid, TemplateError) as error:
        raise RenderFailed(str(error)) from None
    if isinstance(body, EmailBody) and body.html is not None:
        html = rewrite_links(body.html, lambda target: links.click(message.message_id, target))
        html = add_pixel(html, links.open_pixel(message.message_id))
        body = EmailBody(body.subject, body.text, html)
    return body


def _body_channel(compiled: CompiledTemplate, channel: ChannelName) -> ChannelName:
    has = compiled.template.channels
    if channel is ChannelName.OUTBOX:
        return next((each for each in _OUTBOX_STANDS_FOR if each in has), channel)
    return channel


def _context(
    message: StoredMessage,
    facts: CustomerFacts,
    currency: str,
    now: datetime,
    unsubscribe: str | None,
    preferences: str,
) -> dict[str, Any]:
    contacts, profile = facts.contacts, facts.profile
    customer: dict[str, Any] = {
        "id": contacts.customer_id,
        "first_name": contacts.first_name,
        "last_name": contacts.last_name,
        "email": contacts.email,
        "phone": contacts.phone,
        "locale": contacts.locale,
        "attributes": dict(contacts.attributes),
    }
    if contacts.timezone:
        customer["timezone"] = contacts.timezone
    figures: dict[str, Any] = {
        "orders": profile.orders,
        "revenue": str(from_minor(profile.revenue_minor, profile.currency or currency)),
        "first_order_at": profile.first_order_at,
        "last_order_at": profile.last_order_at,
    }
    known: dict[str, Any] = {
        "customer": customer,
        "now": now,
        "profile": figures,
        "currency": currency,
        "unsubscribe_url": unsubscribe,
        "preferences_url": preferences,
    }
    if facts.loyalty is not None:
        known["loyalty"] = _loyalty(facts.loyalty)
    if facts.offer is not None:
        known["offer"] = _offer(facts.offer)
    known["recommendations"] = [
        {"sku": r.sku, "name": r.name, "kind": r.kind, "reason": r.reason, "score": r.score}
        for r in facts.recommendations
    ]
    return {**known, **message.variables}


def _loyalty(standing: LoyaltyStanding) -> dict[str, Any]:
    programme, points = standing.programme, standing.points
    return {
        "programme": programme.name,
        "points": points.available,
        "pending": points.pending,
        "points_value": str(points_to_money(programme, points.available)),
        "expiring_points": points.expiring_points,
        "expiring_at": points.expiring_at,
        "tier": None if standing.tier is None else standing.tier.title,
    }


def _offer(decision: OfferDecision) -> dict[str, Any]:
    return {
        "code": decision.code,
        "kind": decision.offer,
        "size": decision.size_text,
        "expires_at": decision.valid_until,
        "occasion": decision.occasion,
        "value": str(decision.cost),
    }
