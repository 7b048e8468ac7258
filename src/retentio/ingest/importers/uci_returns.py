"""Which earlier invoice a cancellation line of the UCI Online Retail file takes back.

The file never links a ``C`` invoice to the invoice it cancels, so the rule is: a cancelled line
(customer, StockCode, n units, time t) is taken from that customer's invoices of that StockCode placed
at or before t, newest first, never more units than an invoice sold and not yet taken back. An invoice
may hold the StockCode on several lines at different prices (a free unit next to paid ones, several
``M`` manual lines); its lines at the cancelled line's price give first, then the others in file
order, and each part taken names its line, so the return is valued at what those lines charged. Units
no earlier invoice can cover (bought before the file starts, or a StockCode never sold to them — ``D``
discounts, manual adjustments) stay unmatched and are reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Sold:
    """One sale line; ``line_no`` is its place among its invoice's lines (1 = the first)."""

    invoice: str
    customer: str
    at: datetime
    sku: str
    quantity: int
    price: Decimal
    line_no: int


@dataclass(frozen=True, slots=True)
class Cancelled:
    line: int
    invoice: str
    customer: str
    at: datetime
    sku: str
    quantity: int  # units taken back, positive
    price: Decimal


@dataclass(frozen=True, slots=True)
class Taken:
    """Part (or all) of a cancelled line, taken from one line of an earlier invoice."""

    cancelled: Cancelled
    invoice: str
    line_no: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    taken: tuple[Taken, ...]
    unmatched: tuple[tuple[Cancelled, int], ...]  # a line and its units no invoice covers


@dataclass
class _Stock:
    sold: Sold
    left: int


def allocate_returns(sold: Iterable[Sold], cancelled: Sequence[Cancelled]) -> Allocation:
    """Cancellations are served in time order, so an earlier one takes from the newest invoice first."""
    stock: dict[tuple[str, str], list[_Stock]] = defaultdict(list)
    for sale in sold:
        stock[sale.customer, sale.sku].append(_Stock(sale, sale.quantity))
    taken: list[Taken] = []
    unmatched: list[tuple[Cancelled, int]] = []
    for line in sorted(cancelled, key=lambda line: (line.at, line.invoice, line.line)):
        wanted = line.quantity
        for entry in _serving_order(stock.get((line.customer, line.sku), []), line):
            if wanted == 0:
                break
            units = min(wanted, entry.left)
            entry.left -= units
            wanted -= units
            taken.append(Taken(line, entry.sold.invoice, entry.sold.line_no, units))
        if wanted:
            unmatched.append((line, wanted))
    return Allocation(tuple(taken), tuple(unmatched))


def _serving_order(entries: list[_Stock], line: Cancelled) -> list[_Stock]:
    """The sale lines that can still give to ``line``: newest invoice first; within an invoice, its
    lines at the cancelled price first, then in file order (sorting is stable, also in reverse)."""
    usable = [entry for entry in entries if entry.left and entry.sold.at <= line.at]
    usable.sort(key=lambda entry: (entry.sold.price != line.price, entry.sold.line_no))
    usable.sort(key=lambda entry: (entry.sold.at, entry.sold.invoice), reverse=True)
    return usable
