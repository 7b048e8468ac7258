"""Coupon codes: random, readable, and read back the same however a customer types them.

The alphabet is A–Z and 2–9 without the four characters people confuse (0/O, 1/I): 32 symbols, so
each carries 5 bits and a byte maps onto it without bias (256 is a multiple of 32). A code's random
part is at least 10 symbols (50 bits, over the 48 asked for; 12 by default, 60 bits), grouped by
four for reading (``ABCD-EFGH-JKLM``) after an optional prefix (``SUMMER-…`` is refused: its I is
ambiguous; ``SMMR`` is fine). Typed input is normalised: case, spaces and dashes do not matter; a
0, O, 1 or I is *refused* with a message saying so rather than guessed at, because no code holds
one and mapping them would silently turn a typo into a different customer's code.
"""

from __future__ import annotations

import secrets

from retentio.loyalty.coupons.errors import InvalidCode

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BITS_PER_SYMBOL = 5
MIN_RANDOM_LENGTH = 10  # 50 bits
DEFAULT_RANDOM_LENGTH = 12  # 60 bits
MAX_RANDOM_LENGTH = 32
MAX_PREFIX_LENGTH = 12
MAX_CODE_LENGTH = MAX_PREFIX_LENGTH + MAX_RANDOM_LENGTH
GROUP = 4
AMBIGUOUS = frozenset("0O1I")
_SEPARATORS = str.maketrans("", "", " -\t_\u2010\u2011\u2012\u2013\u2014")
_IN_ALPHABET = frozenset(ALPHABET)
# Byte b → ALPHABET[b % 32], applied to a whole buffer of random bytes at once.
_BYTE_TO_SYMBOL = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))


def random_part(length: int = DEFAULT_RANDOM_LENGTH) -> str:
    check_random_length(length)
    return secrets.token_bytes(length).translate(_BYTE_TO_SYMBOL).decode("ascii")


def random_parts(
    count: int, length: int = DEFAULT_RANDOM_LENGTH, prefix: str = "", ordered: bool = False
) -> list[str]:
    """``count`` codes (``prefix`` + a random part) from one buffer of ``secrets`` bytes: a million
    in well under a second, where one call per code would take seconds. ``ordered`` sorts them (in
    C, as fixed-width byte strings), so they enter the unique index page after page."""
    check_random_length(length)
    symbols = secrets.token_bytes(count * length).translate(_BYTE_TO_SYMBOL)
    if ordered:
        import numpy as np  # only bulk generation needs it

        symbols = np.sort(np.frombuffer(symbols, dtype=f"S{length}")).tobytes()
    text = symbols.decode("ascii")
    return [prefix + text[start : start + length] for start in range(0, count * length, length)]


def check_random_length(length: int) -> None:
    if not MIN_RANDOM_LENGTH <= length <= MAX_RANDOM_LENGTH:
        raise InvalidCode(
            "length",
            f"a code's random part has {MIN_RANDOM_LENGTH} to {MAX_RANDOM_LENGTH} characters "
            f"({MIN_RANDOM_LENGTH * BITS_PER_SYMBOL} bits at least), not {length}",
        )


def check_prefix(prefix: str) -> str:
    """The prefix as stored (upper case); refused when it holds characters codes never hold."""
    upper = prefix.strip().upper()
    if len(upper) > MAX_PREFIX_LENGTH:
        raise InvalidCode("prefix", f"a prefix has at most {MAX_PREFIX_LENGTH} characters")
    _check_characters(upper, "prefix")
    return upper


def display(code: str, prefix_length: int) -> str:
    """The stored (normalised) code as people read it: prefix, then groups of four."""
    prefix, rest = code[:prefix_length], code[prefix_length:]
    groups = [rest[i : i + GROUP] for i in range(0, len(rest), GROUP)]
    return "-".join([prefix, *groups] if prefix else groups)


def normalise(typed: str) -> str:
    """What a customer typed → the stored form, or ``InvalidCode`` naming what is wrong."""
    code = typed.translate(_SEPARATORS).upper()
    if not code:
        raise InvalidCode("code", "the code is empty")
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidCode("code", f"a code has at most {MAX_CODE_LENGTH} characters")
    _check_characters(code, "code")
    return code


def _check_characters(text: str, field: str) -> None:
    ambiguous = sorted(AMBIGUOUS.intersection(text))
    if ambiguous:
        raise InvalidCode(
            field,
            f"{field} holds {', '.join(repr(c) for c in ambiguous)}: codes never hold 0, O, 1 or I "
            f"(they are too easy to mix up); check the code",
        )
    other = sorted(set(text) - _IN_ALPHABET)
    if other:
        raise InvalidCode(
            field, f"{field} holds {', '.join(repr(c) for c in other)}: codes hold only A–Z and 2–9"
        )
