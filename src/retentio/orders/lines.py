"""An order's lines, the returned lines sent against it, and which units of which line they take back.

A SKU may sit on several lines of one order at different prices (a free unit next to paid ones,
manual lines of one code), so a return is valued line by line, never at one price per SKU. A
returned line that names its order line (``line_no``, the line's 1-based position in the order's
``order_placed`` items) takes from that line first; other units of the SKU are taken earliest line
first. No line gives back more units than it holds, and no order more money than its total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    quantity: int
    price_minor: int


@dataclass(frozen=True, slots=True)
class ReturnLine:
    sku: str
    quantity: int
    price_minor: int  # as sent: what the units are worth until the order's lines are known
    line_no: int | None = None  # the order line it takes back, when the return says


def returned_units(lines: Sequence[OrderLine], returns: Iterable[ReturnLine]) -> tuple[int, ...]:
    """Units taken back from each line, aligned with ``lines``; the order of ``returns`` does not matter.

    Named lines are served before anything else, so which line an unnamed unit lands on never depends
    on which return arrived first; a named line's units beyond what it holds (or a name that points at
    no line of its SKU) fall back to the earliest-line-first rule rather than being lost.
    """
    left = [line.quantity for line in lines]
    unnamed: Counter[str] = Counter()
    for returned in returns:
        wanted = returned.quantity
        index = _named_index(lines, returned)
        if index is not None:
            taken = min(wanted, left[index])
            left[index] -= taken
            wanted -= taken
        unnamed[returned.sku] += wanted
    for index, line in enumerate(lines):
        taken = min(unnamed[line.sku], left[index])
        left[index] -= taken
        unnamed[line.sku] -= taken
    return tuple(line.quantity - remaining for line, remaining in zip(lines, left, strict=True))


def returned_value(lines: Sequence[OrderLine], units: Sequence[int], total_minor: int) -> int:
    """Each returned unit at its own line's price, and never more than the order's total.

    The cap matters for a discounted order: its lines add up to more than was paid for them.
    """
    worth = sum(taken * line.price_minor for line, taken in zip(lines, units, strict=True))
    return min(worth, total_minor)


def _named_index(lines: Sequence[OrderLine], returned: ReturnLine) -> int | None:
    number = returned.line_no
    if number is None or not 1 <= number <= len(lines) or lines[number - 1].sku != returned.sku:
        return None
    return number - 1
