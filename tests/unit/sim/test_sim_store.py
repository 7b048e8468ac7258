"""The demo store: a catalogue and a customer base that look like a Russian online shop."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from retentio.sim import SimConfig, SimStore, build_store

CONFIG = SimConfig(customers=3000, days=90, seed=7)
END = CONFIG.start + timedelta(days=CONFIG.days)


@pytest.fixture(scope="module")
def store() -> SimStore:
    return build_store(CONFIG)


def test_catalogue_has_a_few_hundred_products_over_ten_to_fifteen_categories(
    store: SimStore,
) -> None:
    # given / when
    categories = Counter(product.category for product in store.products)

    # then
    assert len(store.products) == CONFIG.products
    assert 10 <= len(categories) <= 15
    assert min(categories.values()) >= 5
    assert len({product.sku for product in store.products}) == len(store.products)


def test_prices_and_margins_are_decimals_with_sane_values(store: SimStore) -> None:
    for product in store.products:
        assert isinstance(product.price, Decimal)
        assert product.price == product.price.quantize(Decimal("0.01"))
        assert Decimal("99") <= product.price < Decimal("100000")
        assert Decimal(0) < product.margin < Decimal(1)


def test_premium_variants_point_at_a_cheaper_base_of_the_same_category(store: SimStore) -> None:
    # given
    by_sku = {product.sku: product for product in store.products}
    premiums = [product for product in store.products if product.premium_variant_of]

    # then
    assert len(premiums) >= CONFIG.products * 0.1
    for premium in premiums:
        base = by_sku[premium.premium_variant_of or ""]
        assert base.premium_variant_of is None
        assert base.category == premium.category
        assert premium.price > base.price
        assert premium.margin > base.margin


def test_complements_exist_and_consumables_have_a_period(store: SimStore) -> None:
    # given
    skus = {product.sku for product in store.products}

    # when
    with_complements = [p for p in store.products if p.complements]
    consumables = [p for p in store.products if p.consumption_days is not None]

    # then
    assert len(with_complements) > len(store.products) * 0.8
    assert all(set(p.complements) <= skus - {p.sku} for p in with_complements)
    assert len(consumables) > len(store.products) * 0.3
    assert all(7 <= (p.consumption_days or 0) <= 120 for p in consumables)


def test_customers_mix_email_only_phone_only_and_both(store: SimStore) -> None:
    # given
    customers = store.customers

    # when
    email_only = sum(1 for c in customers if c.email and not c.phone) / len(customers)
    phone_only = sum(1 for c in customers if c.phone and not c.email) / len(customers)
    both = sum(1 for c in customers if c.phone and c.email) / len(customers)

    # then
    assert len(customers) == CONFIG.customers
    assert email_only == pytest.approx(CONFIG.email_only_share, abs=0.04)
    assert phone_only == pytest.approx(CONFIG.phone_only_share, abs=0.04)
    assert both == pytest.approx(1 - email_only - phone_only)
    assert len({c.customer_id for c in customers}) == len(customers)
    assert len({c.email for c in customers if c.email}) == sum(1 for c in customers if c.email)
    assert len({c.phone for c in customers if c.phone}) == sum(1 for c in customers if c.phone)


def test_customer_profiles_are_well_formed(store: SimStore) -> None:
    zones = Counter(customer.timezone for customer in store.customers)
    for customer in store.customers:
        ZoneInfo(customer.timezone)  # a real IANA zone
        assert customer.locale in {"ru", "en"}
        assert set(customer.consents) == {"email", "sms", "push"}
        assert not customer.consents["email"] or customer.email
        assert not customer.consents["sms"] or customer.phone
        assert customer.signed_up_at.utcoffset() is not None
        assert customer.signed_up_at < END
        assert customer.phone is None or customer.phone.startswith("+79")
    assert zones.most_common(1)[0][0] == "Europe/Moscow"
    assert len(zones) >= 6


def test_some_customers_exist_before_the_start_and_the_rest_arrive_during_the_run(
    store: SimStore,
) -> None:
    # when
    existing = sum(1 for c in store.customers if c.signed_up_at < CONFIG.start)
    arriving = [c for c in store.customers if c.signed_up_at >= CONFIG.start]

    # then
    assert existing / len(store.customers) == pytest.approx(CONFIG.existing_share, abs=0.04)
    assert all(c.signed_up_at < END for c in arriving)
    assert max(c.signed_up_at for c in arriving) > END - timedelta(days=5)


def test_the_same_seed_builds_the_same_store_and_another_seed_another() -> None:
    # given
    small = SimConfig(customers=200, days=10, seed=3)

    # when
    first, second = build_store(small), build_store(small)
    other = build_store(SimConfig(customers=200, days=10, seed=4))

    # then
    assert first.products == second.products
    assert first.customers == second.customers
    assert first.customers != other.customers
    assert first.products != other.products


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimConfig(start=datetime(2026, 1, 1))
