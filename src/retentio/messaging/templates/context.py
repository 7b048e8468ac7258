"""What a template sees: the variables of one message, typed.

Every name is always defined: an optional part the message lacks is ``None`` (``products`` an empty
list), so ``{% if coupon %}`` works, and using a part the message lacks (``{{ coupon.code }}`` without
a coupon) fails that message with a clear error. Money is ``Decimal`` in the shop's currency
(``currency``); times are timezone-aware (UTC) and shown in the customer's timezone by ``date`` and
``datetime``.

The sending side builds a ``MessageContext`` from the areas' facades; ``context_from_dict`` reads one from
plain JSON-like data (the API's and the CLI's preview) and works out the derived figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from retentio.clock import Instant


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None  # "ru", "en", "ru_RU"; picks the template's body
    timezone: str = "Europe/Moscow"  # an IANA name; the shop's when the customer has none
    attributes: Mapping[str, Any] = field(default_factory=dict)  # the shop's own fields: city, birthday…

    @property
    def full_name(self) -> str:
        return " ".join(name for name in (self.first_name, self.last_name) if name)


@dataclass(frozen=True, slots=True)
class Profile:
    """The customer's figures so far."""

    orders: int = 0
    revenue: Decimal = Decimal(0)
    average_order_value: Decimal | None = None  # None until the first order
    first_order_at: Instant | None = None
    last_order_at: Instant | None = None
    days_since_last_order: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A line of a cart or an order."""

    name: str
    price: Decimal  # one unit's
    quantity: int = 1
    sku: str | None = None
    url: str | None = None
    image_url: str | None = None

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True, slots=True)
class Cart:
    items: tuple[Item, ...] = ()
    url: str | None = None  # back to the cart

    @property
    def total(self) -> Decimal:
        return sum((item.total for item in self.items), Decimal(0))

    @property
    def quantity(self) -> int:
        return sum(item.quantity for item in self.items)


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    total: Decimal
    items: tuple[Item, ...] = ()
    placed_at: Instant | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Product:
    """A product to show (recommendations, a new arrival)."""

    name: str
    price: Decimal | None = None
    sku: str | None = None
    url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    description: str | None = None
    valid_until: Instant | None = None


@dataclass(frozen=True, slots=True)
class Loyalty:
    """The customer's standing in the shop's main loyalty programme, as of the message's time
    (filled in by Retentio unless the message carries its own)."""

    points: Decimal = Decimal(0)  # available to spend
    tier: str | None = None  # the tier's name
    pending: Decimal = Decimal(0)  # earned, waiting for the orders' return windows to close
    points_value: Decimal | None = None  # what the available points pay, in the programme's currency
    expiring_points: Decimal = Decimal(0)  # what expires at ``expiring_at``, the soonest expiry
    expiring_at: Instant | None = None
    programme: str | None = None  # the programme's name


@dataclass(frozen=True, slots=True)
class Offer:
    """The customer's best valid personal offer from the offer policy (docs/offer-policy.md): the
    code worth most among those not yet expired (filled in by Retentio unless the message carries
    its own)."""

    code: str
    kind: str  # percent, free_delivery, gift
    size: Decimal  # the percent off; 1 for a free delivery or a gift
    expires_at: Instant | None = None  # the code works before this instant
    occasion: str | None = None  # win_back, cart, birthday…
    value: Decimal | None = None  # what the offer is worth, in ``currency``


@dataclass(frozen=True, slots=True)
class Recommended:
    """A product recommended to the customer (the recommenders' email list), with the reason."""

    sku: str
    name: str
    kind: str  # next_basket, similar, bought_together, next, upsell, popular, ...
    reason: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class MessageContext:
    customer: Customer
    now: Instant  # the message's time (the clock's), for "today" and countdowns
    profile: Profile = field(default_factory=Profile)
    cart: Cart | None = None
    order: Order | None = None
    products: tuple[Product, ...] = ()
    coupon: Coupon | None = None
    loyalty: Loyalty | None = None
    offer: Offer | None = None
    recommendations: tuple[Recommended, ...] = ()  # filled in by Retentio from the recommenders
    currency: str = "RUB"  # the shop's; money() uses it unless told otherwise
    unsubscribe_url: str | None = None  # the signed one-click link, filled in by tracking
    preferences_url: str | None = None  # the customer's signed preference page, filled in likewise


# The types a template reads: frozen data, only fields and properties (the sandbox trusts them).
CONTEXT_TYPES = frozenset(
    {Customer, Profile, Item, Cart, Order, Product, Coupon, Loyalty, Offer, Recommended, MessageContext}
)

# The template's names and, for the ones that are objects, what they hold (validation checks both).
VARIABLE_TYPES: Mapping[str, type | None] = {
    "customer": Customer,
    "now": None,
    "profile": Profile,
    "cart": Cart,
    "order": Order,
    "products": None,
    "coupon": Coupon,
    "loyalty": Loyalty,
    "offer": Offer,
    "recommendations": None,
    "currency": None,
    "unsubscribe_url": None,
    "preferences_url": None,
}


def variables(context: MessageContext) -> dict[str, Any]:
    """The context as Jinja's top-level names (one level only: the parts stay typed objects)."""
    return {each.name: getattr(context, each.name) for each in fields(context)}


class ContextInvalid(ValueError):
    pass


_ADAPTER = TypeAdapter(MessageContext)


def _with_derived_figures(context: MessageContext) -> MessageContext:
    profile = context.profile
    average = profile.average_order_value
    if average is None and profile.orders > 0:
        average = (profile.revenue / profile.orders).quantize(Decimal("0.01"))
    days = profile.days_since_last_order
    if days is None and profile.last_order_at is not None:
        days = max((context.now - profile.last_order_at).days, 0)
    profile = Profile(
        profile.orders, profile.revenue, average, profile.first_order_at, profile.last_order_at, days
    )
    return MessageContext(**{**variables(context), "profile": profile})


def context_from_dict(data: Mapping[str, Any]) -> MessageContext:
    """A message's variables from plain data (numbers as numbers or strings, times as ISO 8601 with
    an offset); the average order value and days since the last order are worked out when absent."""
    try:
        context = _ADAPTER.validate_python(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(step) for step in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ContextInvalid(f"the message's data is invalid: {problems}") from None
    return _with_derived_figures(context)
