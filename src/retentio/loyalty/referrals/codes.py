"""Referral codes: the coupons' readable alphabet (no 0/O/1/I), ten symbols (50 bits) shown in
groups of four (``ABCD-EFGH-JK``), and read back however a customer types them."""

from __future__ import annotations

from retentio.loyalty.coupons.codes import display, normalise, random_part

CODE_SYMBOLS = 10


def new_code() -> str:
    """A stored (normalised) code."""
    return random_part(CODE_SYMBOLS)


def shown(code: str) -> str:
    return display(code, 0)


def read_code(typed: str) -> str:
    """The stored form of a typed code, or ``InvalidCode`` naming what is wrong."""
    return normalise(typed)


def link_for(template: str, code: str) -> str:
    return template.replace("{code}", shown(code))
