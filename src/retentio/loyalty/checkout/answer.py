"""The calculation as the API asks for it: the facts read once, then the pure decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from retentio.loyalty.checkout.decide import calculate
from retentio.loyalty.checkout.facts import read_facts
from retentio.loyalty.checkout.model import Calculation, CheckoutRequest
from retentio.loyalty.programmes.settings import LoyaltyConfig


def calculate_checkout(
    connection: Connection, request: CheckoutRequest, config: LoyaltyConfig, now: datetime
) -> Calculation:
    """What the cart gets: nothing is held or written (``do_reserve_checkout`` holds it)."""
    return calculate(request, read_facts(connection, request, config, now), now)
