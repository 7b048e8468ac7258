"""What a rule may talk about: the whitelist of fields with their types, the built-in families, the
predictions, and what is known of each event type's properties. Pure data, no SQL."""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from retentio.events import CUSTOM_PREFIX, PROPERTY_MODELS
from retentio.segments.config import DEFAULT_RFM_RULES, UNMATCHED_SEGMENT
from retentio.segments.ladder import LADDER_STAGES
from retentio.segments.lifecycle import LIFECYCLE_STAGES


class Kind(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"  # in the store's currency, major units (₽ 1500.50)
    TEXT = "text"
    BOOLEAN = "boolean"
    TIME = "time"  # an ISO 8601 instant or date
    DAYS = "days"  # whole days elapsed until "now"
    MONTH = "month"  # 1..12
    JSON = "json"  # a free attribute: its type is the type of the value in the rule


_ORDERED = frozenset({"=", "!=", "<", "<=", ">", ">=", "in", "not_in", "between"})
OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.INTEGER: _ORDERED,
    Kind.NUMBER: _ORDERED,
    Kind.MONEY: _ORDERED,
    Kind.DAYS: _ORDERED,
    Kind.MONTH: _ORDERED,
    Kind.TEXT: frozenset({"=", "!=", "in", "not_in", "contains"}),
    Kind.BOOLEAN: frozenset({"=", "!="}),
    Kind.TIME: frozenset({"<", "<=", ">", ">=", "between"}),
    Kind.JSON: _ORDERED | {"contains"},
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    nullable: bool
    description: str
    key: str | None = None  # the part after a prefix: attribute name, channel, category


def _spec(name: str, kind: Kind, nullable: bool, description: str) -> tuple[str, FieldSpec]:
    return name, FieldSpec(name, kind, nullable, description)


FIELDS: dict[str, FieldSpec] = dict(
    [
        _spec("customer.email", Kind.TEXT, True, "email address"),
        _spec("customer.phone", Kind.TEXT, True, "phone number"),
        _spec("customer.has_email", Kind.BOOLEAN, False, "an email address is known"),
        _spec("customer.has_phone", Kind.BOOLEAN, False, "a phone number is known"),
        _spec("customer.has_push", Kind.BOOLEAN, False, "at least one push token is known"),
        _spec("customer.has_telegram", Kind.BOOLEAN, False, "a Telegram id is known"),
        _spec("customer.has_viber", Kind.BOOLEAN, False, "a Viber id is known"),
        _spec("customer.locale", Kind.TEXT, True, "language, e.g. ru or ru-RU"),
        _spec("customer.timezone", Kind.TEXT, True, "IANA time zone, e.g. Europe/Moscow"),
        _spec("customer.birthday_month", Kind.MONTH, True, "month of the birthday, 1..12"),
        _spec("customer.created_at", Kind.TIME, False, "when the customer record was created"),
        _spec("customer.days_since_created", Kind.DAYS, False, "days since the record was created"),
        _spec("profile.orders", Kind.INTEGER, False, "orders placed and not cancelled"),
        _spec("profile.revenue", Kind.MONEY, False, "revenue net of returns"),
        _spec("profile.average_check", Kind.MONEY, True, "revenue / orders (none without orders)"),
        _spec("profile.first_order_at", Kind.TIME, True, "time of the first order"),
        _spec("profile.last_order_at", Kind.TIME, True, "time of the last order"),
        _spec("profile.days_since_first_order", Kind.DAYS, True, "days since the first order"),
        _spec("profile.days_since_last_order", Kind.DAYS, True, "days since the last order"),
        _spec("profile.cancellations", Kind.INTEGER, False, "orders cancelled"),
        _spec("profile.returns", Kind.INTEGER, False, "orders with a return"),
        _spec("profile.returned", Kind.MONEY, False, "amount returned"),
        _spec("profile.coupon_share", Kind.NUMBER, True, "share of orders with a coupon, 0..1"),
        _spec("profile.events", Kind.INTEGER, False, "events of any type"),
        _spec("profile.last_activity_at", Kind.TIME, True, "time of the last event of any type"),
        _spec("profile.days_since_last_activity", Kind.DAYS, True, "days since the last event"),
        _spec("profile.last_content_view_at", Kind.TIME, True, "time content or a category was last viewed"),
        _spec("profile.last_product_view_at", Kind.TIME, True, "time a product was last viewed or searched"),
        _spec("profile.last_cart_at", Kind.TIME, True, "time a cart last changed or a checkout started"),
        _spec("profile.days_since_content_view", Kind.DAYS, True, "days since content was last viewed"),
        _spec("profile.days_since_product_view", Kind.DAYS, True, "days since a product was last viewed"),
        _spec("profile.days_since_cart", Kind.DAYS, True, "days since the cart last changed"),
        _spec("standing.rfm_recency", Kind.INTEGER, True, "RFM recency score, 1..5"),
        _spec("standing.rfm_frequency", Kind.INTEGER, True, "RFM frequency score, 1..5"),
        _spec("standing.rfm_monetary", Kind.INTEGER, True, "RFM monetary score, 1..5"),
        _spec("standing.bad_customer", Kind.BOOLEAN, False, "flagged by the bad-customer checklist"),
        _spec("standing.do_not_incentivize", Kind.BOOLEAN, False, "no rewards or offers"),
        _spec("standing.reward_propensity", Kind.TEXT, True, "discount_seeker, novelty_seeker or neutral"),
        _spec("standing.preferred_channel", Kind.TEXT, True, "the channel the customer is active in"),
        _spec("standing.usual_interval_days", Kind.NUMBER, True, "usual days between purchases"),
    ]
)

CHANNELS = ("email", "sms", "push", "viber", "telegram", "web", "app")
_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_CATEGORY = re.compile(r"^[^\"\\\x00-\x1f]{1,200}$")


@dataclass(frozen=True, slots=True)
class _Prefix:
    kind: Kind
    description: str
    pattern: re.Pattern[str] | None = None
    choices: tuple[str, ...] = ()


PREFIXES: dict[str, _Prefix] = {
    "customer.attributes.": _Prefix(Kind.JSON, "a free attribute (letters, digits, _ and -)", _KEY),
    "profile.last_activity.": _Prefix(Kind.TIME, "last activity in a channel", choices=CHANNELS),
    "profile.days_since_activity.": _Prefix(Kind.DAYS, "days since activity in a channel", choices=CHANNELS),
    "profile.category_purchases.": _Prefix(Kind.INTEGER, "order lines bought in a category", _CATEGORY),
}

PREDICTIONS: dict[str, FieldSpec] = dict(
    [
        _spec("p_alive", Kind.NUMBER, True, "probability the customer is still active, 0..1"),
        _spec("expected_purchases_90d", Kind.NUMBER, True, "purchases expected in the next 90 days"),
        _spec("predicted_clv", Kind.MONEY, True, "predicted customer lifetime value"),
    ]
)

# The built-in families (SEG-1..3) and the names their segments take. RFM names follow the shop's
# rule table, which may be its own: names outside the default table are accepted unless they look
# like a typo of a default one.
STANDING_NAMES: dict[str, tuple[str, ...]] = {
    "rfm": (*(rule.name for rule in DEFAULT_RFM_RULES), UNMATCHED_SEGMENT),
    "lifecycle": LIFECYCLE_STAGES,
    "ladder": LADDER_STAGES,
}
OPEN_FAMILIES = frozenset({"rfm"})


def lookup_field(name: str) -> FieldSpec | str:
    """The spec of ``name``, or why it is refused."""
    if name in FIELDS:
        return FIELDS[name]
    for prefix, rule in PREFIXES.items():
        if name.startswith(prefix):
            return _prefixed(name, prefix, rule)
    return f"unknown field {name!r}"


def _prefixed(name: str, prefix: str, rule: _Prefix) -> FieldSpec | str:
    key = name[len(prefix) :]
    if rule.choices and key not in rule.choices:
        return f"unknown channel {key!r} in {name!r}; channels: {', '.join(rule.choices)}"
    if rule.pattern is not None and not rule.pattern.match(key):
        return f"{name!r}: the part after {prefix!r} must be {rule.description}"
    return FieldSpec(name, rule.kind, True, rule.description, key)


def field_names() -> list[str]:
    return [*FIELDS, *(f"{prefix}<key>" for prefix in PREFIXES)]


def known_event_type(name: str) -> bool:
    return name in PROPERTY_MODELS or (name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX))


def declared_property_kind(event_type: str, name: str) -> Kind | None:
    """The type a built-in event type declares for a top-level property (None when not declared);
    ``Kind.JSON`` stands for a list or object, which a filter or sum cannot use."""
    model = PROPERTY_MODELS.get(event_type)
    if model is None or name not in model.model_fields:
        return None
    return _kind_of_annotation(model.model_fields[name].annotation)


def _kind_of_annotation(annotation: Any) -> Kind:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind_of_annotation(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind_of_annotation(arg) for arg in get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else Kind.JSON
    if origin is Literal:
        return Kind.TEXT
    if annotation is bool:
        return Kind.BOOLEAN
    if annotation in (int, float, Decimal):
        return Kind.NUMBER
    if annotation is str:
        return Kind.TEXT
    return Kind.JSON
