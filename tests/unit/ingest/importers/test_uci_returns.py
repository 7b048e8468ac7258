"""Matching Online Retail cancellation lines to earlier sales: newest first, never over-returned, each
part naming the sale line it takes back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from retentio.ingest.importers.uci_returns import Cancelled, Sold, allocate_returns


def _at(day: int) -> datetime:
    return datetime(2011, 1, day, 12, 0, tzinfo=UTC)


def _cancel(
    line: int, day: int, quantity: int, sku: str = "A", customer: str = "c", price: str = "1.25"
) -> Cancelled:
    return Cancelled(line, f"C{line}", customer, _at(day), sku, quantity, Decimal(price))


def _sold(
    invoice: str, customer: str, day: int, sku: str, quantity: int, price: str = "1.25", line_no: int = 1
) -> Sold:
    return Sold(invoice, customer, _at(day), sku, quantity, Decimal(price), line_no)


def test_a_cancellation_takes_from_the_newest_earlier_sale_then_older_ones() -> None:
    # given
    sold = [_sold("1", "c", 1, "A", 12), _sold("2", "c", 5, "A", 6), _sold("3", "c", 20, "A", 50)]
    # when
    allocation = allocate_returns(sold, [_cancel(10, day=10, quantity=10)])
    # then
    assert [(taken.invoice, taken.quantity) for taken in allocation.taken] == [("2", 6), ("1", 4)]
    assert allocation.unmatched == ()


def test_units_already_taken_back_are_not_taken_twice_and_the_rest_is_unmatched() -> None:
    # given
    sold = [_sold("1", "c", 1, "A", 5)]
    cancelled = [_cancel(11, day=3, quantity=4), _cancel(12, day=4, quantity=3)]
    # when
    allocation = allocate_returns(sold, cancelled)
    # then
    assert [(taken.cancelled.line, taken.quantity) for taken in allocation.taken] == [(11, 4), (12, 1)]
    assert [(line.line, units) for line, units in allocation.unmatched] == [(12, 2)]


def test_only_the_same_customers_sales_of_the_same_stock_code_match() -> None:
    # given
    sold = [_sold("1", "other", 1, "A", 5), _sold("2", "c", 1, "B", 5)]
    # when
    allocation = allocate_returns(sold, [_cancel(13, day=2, quantity=1)])
    # then
    assert allocation.taken == ()
    assert [(line.line, units) for line, units in allocation.unmatched] == [(13, 1)]


def test_within_a_sale_the_lines_at_the_cancelled_price_give_first_then_the_earliest() -> None:
    # given: one invoice with the StockCode on three lines (Online Retail's 550188 has a free unit
    # next to paid ones)
    sold = [
        _sold("1", "c", 1, "A", 8, "7.65", line_no=1),
        _sold("1", "c", 1, "A", 1, "0.00", line_no=2),
        _sold("1", "c", 1, "A", 4, "7.65", line_no=3),
    ]
    # when
    allocation = allocate_returns(sold, [_cancel(20, day=2, quantity=10, price="7.65")])
    # then
    assert [(taken.line_no, taken.quantity) for taken in allocation.taken] == [(1, 8), (3, 2)]


def test_a_cancellation_at_a_price_no_line_has_takes_the_lines_in_file_order() -> None:
    # given
    sold = [_sold("1", "c", 1, "M", 1, "40.46", line_no=1), _sold("1", "c", 1, "M", 1, "424.06", line_no=2)]
    # when
    allocation = allocate_returns(sold, [_cancel(21, day=2, quantity=2, sku="M", price="99.00")])
    # then
    assert [(taken.invoice, taken.line_no, taken.quantity) for taken in allocation.taken] == [
        ("1", 1, 1),
        ("1", 2, 1),
    ]
