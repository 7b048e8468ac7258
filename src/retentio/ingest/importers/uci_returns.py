"""Which earlier invoice a cancellation line of the UCI Online Retail file takes back.

The file never links a ``C`` invoice to the invoice it cancels, so the rule is: a cancelled line
(customer, StockCode, n units, time t) is taken from that customer's invoices of that StockCode placed
at or before t, newest first, never more units than an invoice sold and not yet taken back. Units no
earlier invoice can cover (bought before the file starts, or a StockCode never sold to them — ``D``
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
    invoice: str
    customer: str
    at: datetime
    sku: str
    quantity: int


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
    """Part (or all) of a cancelled line, taken from one earlier invoice."""

    cancelled: Cancelled
    invoice: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    taken: tuple[Taken, ...]
    unmatched: tuple[tuple[Cancelled, int], ...]  # a line and its units no invoice covers


@dataclass
class _Stock:
    invoice: str
    at: datetime
    left: int


def allocate_returns(sold: Iterable[Sold], cancelled: Sequence[Cancelled]) -> Allocation:
    """Cancellations are served in time order, so an earlier one takes from the newest invoice first."""
    stock: dict[tuple[str, str], list[_Stock]] = defaultdict(list)
    for sale in sold:
        stock[sale.customer, sale.sku].append(_Stock(sale.invoice, sale.at, sale.quantity))
    for entries in stock.values():
        entries.sort(key=lambda entry: (entry.at, entry.invoice))
    taken: list[Taken] = []
    unmatched: list[tuple[Cancelled, int]] = []
    for line in sorted(cancelled, key=lambda line: (line.at, line.invoice, line.line)):
        wanted = line.quantity
        for entry in reversed(stock.get((line.customer, line.sku), [])):
            if wanted == 0:
                break
            if entry.at > line.at or entry.left == 0:
                continue
            units = min(wanted, entry.left)
            entry.left -= units
            wanted -= units
            taken.append(Taken(line, entry.invoice, units))
        if wanted:
            unmatched.append((line, wanted))
    return Allocation(tuple(taken), tuple(unmatched))
