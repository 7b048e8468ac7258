"""The guards against templates that explode: every way a template can make a big string, a big
number or a long loop out of a small source passes through one of these checks.

Jinja's sandbox already stops reaching Python internals (``''.__class__``) and caps ``range()`` at
100,000 items. What it lets through, and these catch: ``'x' * 10**9`` and ``[0] * 10**9``,
``2 ** 10**9``, ``'%999999999s' % ''`` and ``'{:>999999999}'.format('')``, ``'x'.center(10**9)``,
strings doubled by ``~`` or ``+`` line after line, by a recursive macro or a loop over a namespace,
and nested loops that print nothing (the renderer reads the clock between output chunks; these read
it at every loop item and every call, so a silent loop is stopped too).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from string import Formatter
from typing import Any, TypeVar, overload

from jinja2.sandbox import MAX_RANGE
from jinja2.utils import Namespace

from retentio.messaging.templates.budget import LimitExceeded, check_length, check_time

T = TypeVar("T")

MAX_INT_BITS = 100_000  # about 30,000 digits: more than any figure, less than a slow number
MAX_FORMAT_WIDTH = 1000  # a field width or precision in "%" or str.format
# str methods that turn a small string and a number into a big string; the filters do the same jobs
BLOCKED_STR_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "join", "replace"})
BLOCKED_INT_METHODS = frozenset({"to_bytes"})

BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?([^a-zA-Z%]*)[a-zA-Z%]")


def _sized(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def _as_decimal(left: Any, right: Any) -> tuple[Any, Any]:
    """Prices are Decimals and template literals floats (``price * 0.9``), which Python refuses to
    mix: the float is read as the decimal it was written as."""
    if isinstance(left, Decimal) and isinstance(right, float):
        return left, Decimal(repr(right))
    if isinstance(left, float) and isinstance(right, Decimal):
        return Decimal(repr(left)), right
    return left, right


def _check_format_widths(spec: str) -> None:
    if "*" in spec or "{" in spec:
        raise LimitExceeded("a format width must be written as a number, not taken from a value")
    widths = [int(digits) for digits in re.findall(r"\d+", spec)]
    if widths and max(widths) > MAX_FORMAT_WIDTH:
        raise LimitExceeded(f"a format width or precision above {MAX_FORMAT_WIDTH}")


def checked_binop(symbol: str, left: Any, right: Any) -> Any:
    check_time()
    left, right = _as_decimal(left, right)
    if symbol == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded("a number too large to compute")
    elif symbol == "*" and (isinstance(left, int) or isinstance(right, int)):
        count, sequence = (left, right) if isinstance(left, int) else (right, left)
        check_length(_sized(sequence) * max(count, 0))
    elif symbol == "+":
        check_length(_sized(left) + _sized(right))
    elif symbol == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
            raise LimitExceeded("a number too large to compute")
    elif symbol == "%" and isinstance(left, str):
        for spec in _PERCENT_FIELD.findall(left):
            _check_format_widths(spec)
    return BINOPS[symbol](left, right)


def check_format_string(template: str) -> None:
    """``'{:>999999}'.format(x)`` would build a string as wide as it says."""
    for _, field, spec, _ in Formatter().parse(template):
        if field is not None and spec:
            _check_format_widths(spec)


def check_call_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Every call (a macro, a loop's recursion, a function): a macro that doubles its argument each
    time is stopped at the size limit, a recursive one by the clock."""
    check_time()
    for value in (*args, *kwargs.values()):
        check_length(_sized(value))


def _total_length(parts: Iterable[Any]) -> int:
    return sum(len(part) if isinstance(part, str) else len(str(part)) for part in parts)


def checked_parts(parts: tuple[Any, ...]) -> tuple[Any, ...]:
    """What ``~`` joins (``a ~ b``), checked before it is joined."""
    check_length(_total_length(parts))
    return parts


def checked_concat(parts: Iterable[Any]) -> str:
    """What Jinja collects from ``{% set %}…{% endset %}``, macros, call and filter blocks, checked
    before it is joined."""
    pieces = list(parts)
    check_length(_total_length(pieces))
    return "".join(pieces)


def clocked(items: Iterable[T]) -> Iterator[T]:
    """What every ``{% for %}`` iterates through: the items, with the clock read before each."""
    for item in items:
        check_time()
        yield item


class GuardedRange(Sequence[int]):
    """``range()`` as the sandbox allows it (100,000 items at most), with the clock read at every
    item, also when a filter rather than a loop walks it."""

    def __init__(self, *args: int) -> None:
        self._numbers = range(*args)
        try:
            too_long = len(self._numbers) > MAX_RANGE
        except OverflowError:  # longer than a C integer can count
            too_long = True
        if too_long:
            raise LimitExceeded(f"range() of more than {MAX_RANGE} items")

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        return self._numbers[index]

    def __iter__(self) -> Iterator[int]:
        return clocked(self._numbers)

    def __reversed__(self) -> Iterator[int]:
        return clocked(reversed(self._numbers))

    def __repr__(self) -> str:
        return repr(self._numbers)


class GuardedNamespace(Namespace):
    """``namespace()`` is the one thing a loop can change from one item to the next; its values are
    kept within the size limit, so a loop cannot double a string into gigabytes."""

    def __setitem__(self, name: str, value: Any) -> None:
        check_time()
        check_length(_sized(value))
        super().__setitem__(name, value)
