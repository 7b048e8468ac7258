"""Every figure the simulator uses, with defaults tuned to the shapes in SIMULATOR.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# Mon..Sun: people shop less on Friday evening and Saturday, catch up on Sunday and Monday.
DEFAULT_WEEKDAY_FACTORS = (1.08, 1.05, 1.02, 1.0, 0.94, 0.8, 0.92)
# Jan..Dec: a January lull after New Year, 8 March gifts, a summer dip, November sales
# (11.11 and Black Friday) and the pre-New-Year December run.
DEFAULT_MONTH_FACTORS = (0.85, 0.95, 1.05, 0.95, 0.95, 0.9, 0.9, 0.95, 1.0, 1.0, 1.6, 1.3)
DEFAULT_COUPONS = (("WELCOME10", 10), ("SALE15", 15), ("VIP20", 20))


@dataclass(frozen=True, kw_only=True)
class SimConfig:
    """Size, seed and behaviour of one simulated store; rates are per day unless named otherwise."""

    customers: int = 2000
    days: int = 180
    seed: int = 1
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)

    # Catalogue.
    products: int = 300
    premium_share: float = 0.15  # share of products that are a premium variant of another
    currency: str = "RUB"

    # Who the customers are.
    existing_share: float = 0.55  # signed up before `start`; the rest arrive during the run
    existing_alive_share: float = 0.5  # of those, still "alive" (not yet lapsed) at `start`
    email_only_share: float = 0.3
    phone_only_share: float = 0.15  # the rest give both
    app_user_share: float = 0.35
    english_share: float = 0.05

    # Buy till you die: a gamma-distributed order rate and a beta-distributed dropout chance
    # after each order (BG/NBD); a low gamma shape gives the long tail of heavy buyers.
    purchase_rate_mean: float = 1 / 65
    purchase_rate_shape: float = 1.0
    dropout_mean: float = 0.28
    dropout_concentration: float = 1.0  # a + b of the beta: low means loyal or gone
    # Shape of the gamma-distributed wait between orders: 1 is memoryless; 3 means people
    # rarely reorder days after an order, which gives the real ~30-day median gap.
    purchase_regularity: float = 3.0
    first_order_share: float = 0.55  # new customers who order in their sign-up session

    # Browsing and the funnel.
    browse_sessions_per_order: float = 7.0  # customer sessions without a cart, per expected order
    lapsed_browse_factor: float = 0.1  # lapsed customers still look in now and then
    visitor_sessions_per_customer: float = 0.04  # anonymous visitors' sessions a day, per customer
    visitor_cart_share: float = 0.03
    # Share of regular carts never ordered; replenishment and sign-up carts convert more often,
    # so about 70% of all carts end up abandoned.
    cart_abandonment: float = 0.72
    checkout_share_of_abandoned: float = 0.3  # abandoned carts that got as far as checkout
    logged_out_share: float = 0.1  # customer sessions that start anonymous and then identify
    app_session_share: float = 0.6  # app users' sessions that start by opening the app
    views_mean: float = 2.5  # extra product views per session beyond the first
    visitor_views_mean: float = 0.6
    category_view_share: float = 0.4
    search_share: float = 0.25
    active_hour_spread: float = 2.5  # hours around a customer's own active hour

    # Baskets and order value.
    extra_lines_mean: float = 0.6  # lines beyond the first, scaled by the customer's spend level
    spend_sigma: float = 0.5  # lognormal spread of customers' spend level
    favourite_share: float = 0.6  # picks from the first favourite category
    second_favourite_share: float = 0.25
    complement_share: float = 0.3  # a second line that goes with the first
    premium_share_of_picks: float = 0.12  # chosen premium over base, scaled by spend level
    extra_quantity_mean: float = 0.35  # units beyond the first for consumables

    # Rewards, cancellations, returns, replenishment.
    discount_seeker_share: float = 0.15
    seeker_coupon_share: float = 0.85
    coupon_share: float = 0.08
    coupons: tuple[tuple[str, int], ...] = DEFAULT_COUPONS  # code, per cent off
    cancel_share: float = 0.04
    serial_returner_share: float = 0.06
    serial_return_share: float = 0.35
    return_share: float = 0.03
    full_return_share: float = 0.5
    replenish_share: float = 0.55  # consumable buyers who come back when it runs out
    replenish_conversion: float = 0.85
    consumption_spread: float = 0.2  # lognormal spread around the consumption period

    # Consent changes, per subscribed (or unsubscribed) customer and channel.
    unsubscribe_rate: float = 0.0008
    resubscribe_rate: float = 0.0002

    # Rhythm.
    weekday_factors: tuple[float, ...] = DEFAULT_WEEKDAY_FACTORS
    month_factors: tuple[float, ...] = DEFAULT_MONTH_FACTORS

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("SimConfig.start must be timezone-aware")
        # Frozen, so normalise through object.__setattr__: everything downstream assumes UTC.
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        if self.customers < 1 or self.days < 1 or self.products < 50:
            raise ValueError("need at least 1 customer, 1 day and 50 products")
        if len(self.weekday_factors) != 7 or len(self.month_factors) != 12:
            raise ValueError("weekday_factors needs 7 values and month_factors 12")
        if not self.coupons:
            raise ValueError("give at least one coupon")
