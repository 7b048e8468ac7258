from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.messaging_templates import sms_text

from retentio.messaging.templates import (
    Cart,
    ContextInvalid,
    Customer,
    Item,
    MessageContext,
    Profile,
    context_from_dict,
)


def test_plain_data_becomes_a_typed_context_with_its_derived_figures() -> None:
    # when
    context = context_from_dict(
        {
            "customer": {"id": "c1", "first_name": "Анна", "locale": "ru", "attributes": {"city": "Тверь"}},
            "now": "2026-06-01T12:00:00+03:00",
            "profile": {"orders": 3, "revenue": "3000.50", "last_order_at": "2026-05-01T09:00:00Z"},
            "cart": {
                "items": [{"name": "Чай", "price": "250.50", "quantity": 2}],
                "url": "https://shop.example/c",
            },
            "products": [{"name": "Кофе", "price": 199}],
            "coupon": {"code": "SPRING", "valid_until": "2026-06-30T23:59:59+03:00"},
            "loyalty": {"points": 120, "tier": "Золото"},
        }
    )
    # then
    assert context.now == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert context.profile == Profile(
        orders=3,
        revenue=Decimal("3000.50"),
        average_order_value=Decimal("1000.17"),
        last_order_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        days_since_last_order=31,
    )
    assert context.cart == Cart((Item("Чай", Decimal("250.50"), 2),), url="https://shop.example/c")
    assert context.cart.total == Decimal("501.00")
    assert context.products[0].price == Decimal(199)
    assert (context.order, context.currency) == (None, "RUB")
    assert sms_text("{{ customer.attributes.city }} {{ loyalty.tier }} {{ products[0].name }}", context) == (
        "Тверь Золото Кофе"
    )


def test_figures_the_caller_gives_are_kept() -> None:
    context = context_from_dict(
        {
            "customer": {"id": "c1"},
            "now": "2026-06-01T12:00:00+03:00",
            "profile": {"orders": 2, "revenue": 10, "average_order_value": 7, "days_since_last_order": 3},
        }
    )
    assert (context.profile.average_order_value, context.profile.days_since_last_order) == (7, 3)


def test_bad_plain_data_says_every_field_that_is_wrong() -> None:
    with pytest.raises(ContextInvalid) as raised:
        context_from_dict(
            {"customer": {}, "now": "2026-06-01T12:00:00", "cart": {"items": [{"price": "abc"}]}}
        )
    assert str(raised.value) == (
        "the message's data is invalid: customer.id: Field required; now: Input should have timezone info; "
        "cart.items.0.name: Field required; cart.items.0.price: Input should be a valid decimal"
    )


def test_a_context_built_in_code_needs_only_a_customer_and_a_time() -> None:
    context = MessageContext(Customer("c1"), datetime(2026, 6, 1, tzinfo=UTC))
    assert (context.cart, context.coupon, context.loyalty, context.products) == (None, None, None, ())
    assert context.customer.timezone == "Europe/Moscow"
    assert Customer("c", first_name="Анна", last_name="Иванова").full_name == "Анна Иванова"
