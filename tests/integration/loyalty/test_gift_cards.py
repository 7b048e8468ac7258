"""Gift cards against a real store: spent in parts, topped up, refunded, expired; every change an
entry; concurrent spends never take more than the balance (ACIDRain); bad input changes nothing."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from retentio.events.tables import events
from retentio.loyalty import (
    GiftCardChange,
    GiftCardError,
    GiftCardExpired,
    GiftCardNotFound,
    InsufficientBalance,
    WrongCurrency,
    do_expire,
    do_issue,
    do_refund,
    do_spend,
    do_top_up,
    get_gift_card,
    gift_card_entries,
    rebuilt_balance,
)


def _issue(engine: Engine, now: datetime, amount: str = "1000.00", **options: object) -> str:
    with engine.begin() as connection:
        card = do_issue(connection, Decimal(amount), "RUB", "sale-1", now, **options)  # type: ignore[arg-type]
    return card.code


def test_a_refund_gives_back_no_more_than_its_order_spent(engine: Engine, now: datetime) -> None:
    code = _issue(engine, now)
    with engine.begin() as connection:
        do_spend(connection, code, GiftCardChange(Decimal("300.00"), "RUB", "order-1", "order-1"), now)
        do_refund(connection, code, GiftCardChange(Decimal("200.00"), "RUB", "refund-1", "order-1"), now)
    for change, field, message in [
        (
            GiftCardChange(Decimal("100.01"), "RUB", "refund-2", "order-1"),
            "amount",
            "100.00 RUB of its spend",
        ),
        (GiftCardChange(Decimal("1.00"), "RUB", "refund-3", "order-9"), "amount", "0.00 RUB of its spend"),
        (GiftCardChange(Decimal("1.00"), "RUB", "refund-4"), "order_id", "names the order"),
    ]:
        with pytest.raises(GiftCardError) as refused, engine.begin() as connection:
            do_refund(connection, code, change, now)
        assert refused.value.field == field and message in refused.value.message
    with engine.connect() as connection:
        assert get_gift_card(connection, code).balance == Decimal("900.00")


def test_spent_in_parts_topped_up_and_refunded_every_change_an_entry(engine: Engine, now: datetime) -> None:
    code = _issue(engine, now, customer_id="anna")
    with engine.begin() as connection:
        do_spend(connection, code, GiftCardChange(Decimal("300.00"), "RUB", "order-1", "order-1"), now)
        do_spend(
            connection, code.lower(), GiftCardChange(Decimal("250.50"), "RUB", "order-2", "order-2"), now
        )
        do_top_up(connection, code, GiftCardChange(Decimal("100.00"), "RUB", "payment-9"), now)
        do_refund(
            connection, code, GiftCardChange(Decimal("250.50"), "RUB", "refund-order-2", "order-2"), now
        )
        do_spend(
            connection, code, GiftCardChange(Decimal("300.00"), "RUB", "order-1", "order-1"), now
        )  # retried
        card = get_gift_card(connection, code)
        entries = gift_card_entries(connection, code)
        rebuilt = rebuilt_balance(connection, code)
        types = connection.execute(select(events.c.type).order_by(events.c.id)).scalars().all()
    assert card.balance == Decimal("800.00") == rebuilt
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        ("issued", Decimal("1000.00"), Decimal("1000.00")),
        ("spent", Decimal("-300.00"), Decimal("700.00")),
        ("spent", Decimal("-250.50"), Decimal("449.50")),
        ("topped_up", Decimal("100.00"), Decimal("549.50")),
        ("refunded", Decimal("250.50"), Decimal("800.00")),
    ]
    assert types == [
        "gift_card_issued",
        "gift_card_spent",
        "gift_card_spent",
        "gift_card_topped_up",
        "gift_card_refunded",
    ]


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        (GiftCardChange(Decimal("10.00"), "EUR", "o"), WrongCurrency, "currency"),
        (GiftCardChange(Decimal("-5.00"), "RUB", "o"), GiftCardError, "amount"),
        (GiftCardChange(Decimal("0"), "RUB", "o"), GiftCardError, "amount"),
        (GiftCardChange(Decimal("0.001"), "RUB", "o"), GiftCardError, "amount"),
        (GiftCardChange(Decimal("NaN"), "RUB", "o"), GiftCardError, "amount"),
        (GiftCardChange(Decimal("1000.01"), "RUB", "o"), InsufficientBalance, "amount"),
        (GiftCardChange(Decimal("10.00"), "RUB", ""), GiftCardError, "source_key"),
    ],
)
def test_a_refused_spend_names_the_field_and_changes_nothing(
    engine: Engine, now: datetime, change: GiftCardChange, error: type[Exception], field: str
) -> None:
    code = _issue(engine, now)
    with engine.begin() as connection, pytest.raises(error) as raised:
        do_spend(connection, code, change, now)
    assert raised.value.field == field  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert get_gift_card(connection, code).balance == Decimal("1000.00")
        assert len(gift_card_entries(connection, code)) == 1


def test_another_currency_is_refused_with_a_clear_message(engine: Engine, now: datetime) -> None:
    code = _issue(engine, now)
    with (
        engine.begin() as connection,
        pytest.raises(WrongCurrency, match="holds RUB; it cannot pay or take EUR"),
    ):
        do_spend(connection, code, GiftCardChange(Decimal("1.00"), "EUR", "o"), now)


def test_unknown_and_expired_cards(engine: Engine, now: datetime) -> None:
    code = _issue(engine, now, expires_at=now + timedelta(days=1))
    later = now + timedelta(days=1)
    with engine.begin() as connection:
        with pytest.raises(GiftCardNotFound):
            do_spend(connection, "GC-2222-2222-2222-2222", GiftCardChange(Decimal(1), "RUB", "o"), now)
        with pytest.raises(GiftCardExpired):
            do_spend(connection, code, GiftCardChange(Decimal(1), "RUB", "o"), later)
        assert do_expire(connection, later) == 1
        assert do_expire(connection, later) == 0
        card = get_gift_card(connection, code)
        assert card.balance == 0 == rebuilt_balance(connection, code)
        assert gift_card_entries(connection, code)[-1].kind == "expired"


@pytest.mark.slow
def test_two_hundred_concurrent_partial_spends_never_overspend(engine: Engine, now: datetime) -> None:
    # given a card of 1,000.00 and 200 spends of 7.00 from 20 threads started together
    code = _issue(engine, now)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def spend(thread: int) -> None:
        start.wait()
        for n in range(10):
            try:
                with engine.begin() as connection:
                    do_spend(
                        connection, code, GiftCardChange(Decimal("7.00"), "RUB", f"order-{thread}-{n}"), now
                    )
                outcomes.append("spent")
            except InsufficientBalance:
                outcomes.append("refused")

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly what the balance covers was spent, and the entries agree with the balance
    assert outcomes.count("spent") == 142 and outcomes.count("refused") == 58
    with engine.connect() as connection:
        card = get_gift_card(connection, code)
        assert card.balance == Decimal("6.00") == rebuilt_balance(connection, code)
        assert len(gift_card_entries(connection, code)) == 143


def test_a_long_source_key_is_one_event_and_one_entry(engine: Engine, now: datetime) -> None:
    code = _issue(engine, now)
    long_key = "payment-" + "9" * 190
    with engine.begin() as connection:
        do_spend(connection, code, GiftCardChange(Decimal("1.00"), "RUB", long_key), now)
        do_spend(connection, code, GiftCardChange(Decimal("1.00"), "RUB", long_key), now)
        spent = (
            connection.execute(select(events.c.event_id).where(events.c.type == "gift_card_spent"))
            .scalars()
            .all()
        )
    assert len(spent) == 1 and len(spent[0]) <= 128


def test_money_refunded_onto_an_expired_card_expires_again_even_at_the_same_time(
    engine: Engine, now: datetime
) -> None:
    # given a card that was spent from and then expired
    code = _issue(engine, now, expires_at=now + timedelta(days=1))
    expiry = now + timedelta(days=2)
    with engine.begin() as connection:
        do_spend(connection, code, GiftCardChange(Decimal("300.00"), "RUB", "order-1", "order-1"), now)
    with engine.begin() as connection:
        assert do_expire(connection, expiry) == 1
    # when the order's return puts money back and the expiry runs again with the same time
    with engine.begin() as connection:
        do_refund(connection, code, GiftCardChange(Decimal("300.00"), "RUB", "refund-1", "order-1"), expiry)
    with engine.begin() as connection:
        assert do_expire(connection, expiry) == 1
    with engine.begin() as connection:
        assert do_expire(connection, expiry) == 0
    # then both expiries are entries of their own and the card holds nothing
    with engine.connect() as connection:
        entries = gift_card_entries(connection, code)
        assert [entry.kind for entry in entries].count("expired") == 2
        assert get_gift_card(connection, code).balance == 0 == rebuilt_balance(connection, code)
