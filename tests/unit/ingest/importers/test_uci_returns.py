"""Matching Online Retail cancellation lines to earlier sales: newest first, never over-returned."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from retentio.ingest.importers.uci_returns import Cancelled, Sold, allocate_returns


def _at(day: int) -> datetime:
    return datetime(2011, 1, day, 12, 0, tzinfo=UTC)


def _cancel(line: int, day: int, quantity: int, sku: str = "A", customer: str = "c") -> Cancelled:
    return Cancelled(line, f"C{line}", customer, _at(day), sku, quantity, Decimal("1.25"))


def test_a_cancellation_takes_from_the_newest_earlier_sale_then_older_ones() -> None:
    # given
    sold = [Sold("1", "c", _at(1), "A", 12), Sold("2", "c", _at(5), "A", 6), Sold("3", "c", _at(20), "A", 50)]
    # when
    allocation = allocate_returns(sold, [_cancel(10, day=10, quantity=10)])
    # then
    assert [(taken.invoice, taken.quantity) for taken in allocation.taken] == [("2", 6), ("1", 4)]
    assert allocation.unmatched == ()


def test_units_already_taken_back_are_not_taken_twice_and_the_rest_is_unmatched() -> None:
    # given
    sold = [Sold("1", "c", _at(1), "A", 5)]
    cancelled = [_cancel(11, day=3, quantity=4), _cancel(12, day=4, quantity=3)]
    # when
    allocation = allocate_returns(sold, cancelled)
    # then
    assert [(taken.cancelled.line, taken.quantity) for taken in allocation.taken] == [(11, 4), (12, 1)]
    assert [(line.line, units) for line, units in allocation.unmatched] == [(12, 2)]


def test_only_the_same_customers_sales_of_the_same_stock_code_match() -> None:
    # given
    sold = [Sold("1", "other", _at(1), "A", 5), Sold("2", "c", _at(1), "B", 5)]
    # when
    allocation = allocate_returns(sold, [_cancel(13, day=2, quantity=1)])
    # then
    assert allocation.taken == ()
    assert [(line.line, units) for line, units in allocation.unmatched] == [(13, 1)]
