"""Demo customers: the profiles a store would hold (CDP-1) and the hidden traits that drive how
each of them behaves in the simulation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt

from retentio.sim.config import SimConfig
from retentio.sim.people import (
    EMAIL_DOMAINS,
    FIRST_NAMES_EN,
    FIRST_NAMES_RU,
    LATIN_NAMES,
    TIMEZONES,
)
from retentio.sim.vocabulary import CATEGORIES

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CHANNELS = ("email", "sms", "push")
PLATFORMS = ("", "ios", "android")
EXISTING_SPAN_DAYS = 730  # existing customers signed up within two years before the start


@dataclass(frozen=True, slots=True)
class SimCustomer:
    customer_id: str
    email: str | None
    phone: str | None
    first_name: str
    birthday: date | None
    timezone: str
    locale: str
    consents: dict[str, bool]  # channel -> consent given at sign-up
    signed_up_at: datetime


@dataclass(frozen=True)
class CustomerTraits:
    """What the store cannot see but the behaviour follows: one array entry per customer."""

    timezone: IntArray  # index into TIMEZONES
    utc_offset_seconds: IntArray
    active_hour: FloatArray  # local hour of day the customer usually shops
    purchase_rate: FloatArray  # orders a day while the customer is still "alive"
    dropout: FloatArray  # chance to lapse for good after each order
    browse_rate: FloatArray  # sessions without a cart, a day
    spend: FloatArray  # relative basket size and premium taste, mean about 1
    favourites: IntArray  # (customers, 2) favourite category positions
    coupon_share: FloatArray  # chance an order uses a coupon
    return_share: FloatArray  # chance a paid order is returned
    platform: IntArray  # index into PLATFORMS; 0 means no app
    signup_offset_seconds: IntArray  # from the start; negative for existing customers
    alive_at_start: BoolArray
    has_email: BoolArray
    has_phone: BoolArray
    consents: BoolArray  # (customers, 3) in CHANNELS order


def build_traits(config: SimConfig, rng: np.random.Generator) -> CustomerTraits:
    """Draw every customer's hidden traits at once."""
    size = config.customers
    shape = config.purchase_rate_shape
    rate = rng.gamma(shape, config.purchase_rate_mean / shape, size)
    concentration = config.dropout_concentration
    lapse = config.dropout_mean
    dropout = rng.beta(lapse * concentration, (1 - lapse) * concentration, size)
    # Browsing follows buying, with its own noise; a floor keeps non-buyers visible now and then.
    browse = rate * config.browse_sessions_per_order * rng.lognormal(-0.125, 0.5, size) + 0.01
    seekers = rng.random(size) < config.discount_seeker_share
    serial_returners = rng.random(size) < config.serial_returner_share
    existing = rng.random(size) < config.existing_share
    signup = np.where(
        existing,
        -rng.integers(1, EXISTING_SPAN_DAYS * 86_400, size),
        rng.integers(0, config.days * 86_400, size),
    )
    zone = rng.choice(len(TIMEZONES), size=size, p=_zone_shares())
    offsets = np.array([hours * 3600 for _, hours, _ in TIMEZONES], dtype=np.int64)
    kind = rng.random(size)
    has_email = kind >= config.phone_only_share
    has_phone = kind < 1 - config.email_only_share
    platform = np.where(rng.random(size) < config.app_user_share, rng.integers(1, 3, size), 0)
    consent_draw = rng.random((size, len(CHANNELS)))
    consents = np.stack(
        [
            has_email & (consent_draw[:, 0] < 0.7),
            has_phone & (consent_draw[:, 1] < 0.5),
            (platform > 0) & (consent_draw[:, 2] < 0.6),
        ],
        axis=1,
    )
    return CustomerTraits(
        timezone=zone.astype(np.int64),
        utc_offset_seconds=offsets[zone],
        active_hour=_active_hours(rng, size),
        purchase_rate=rate,
        dropout=dropout,
        browse_rate=browse,
        spend=rng.lognormal(-(config.spend_sigma**2) / 2, config.spend_sigma, size),
        favourites=_favourites(rng, size),
        coupon_share=np.where(seekers, config.seeker_coupon_share, config.coupon_share),
        return_share=np.where(serial_returners, config.serial_return_share, config.return_share),
        platform=platform.astype(np.int64),
        signup_offset_seconds=signup.astype(np.int64),
        alive_at_start=~existing | (rng.random(size) < config.existing_alive_share),
        has_email=has_email,
        has_phone=has_phone,
        consents=consents,
    )


def _zone_shares() -> FloatArray:
    shares = np.array([share for _, _, share in TIMEZONES], dtype=np.float64)
    normalised: FloatArray = shares / shares.sum()
    return normalised


def _active_hours(rng: np.random.Generator, size: int) -> FloatArray:
    """Most people shop in the evening, some at lunch, a few before work."""
    centre = rng.choice(np.array([8.5, 13.0, 20.5]), size=size, p=[0.15, 0.3, 0.55])
    return np.clip(centre + rng.normal(0.0, 1.3, size), 0.0, 23.9)


def _favourites(rng: np.random.Generator, size: int) -> IntArray:
    weights = np.array([spec.weight for spec in CATEGORIES], dtype=np.float64)
    first = rng.choice(len(CATEGORIES), size=size, p=weights / weights.sum())
    # The second favourite is any other category: shift by 1..n-1 so it never repeats the first.
    second = (first + rng.integers(1, len(CATEGORIES), size)) % len(CATEGORIES)
    return np.stack([first, second], axis=1).astype(np.int64)


def build_customers(
    config: SimConfig,
    traits: CustomerTraits,
    rng: np.random.Generator,
) -> list[SimCustomer]:
    """Profiles for the traits, built column by column: a million customers take seconds."""
    size = config.customers
    english = rng.random(size) < config.english_share
    names = rng.integers(0, len(FIRST_NAMES_RU), size)
    numbers = range(1, size + 1)
    domains = [EMAIL_DOMAINS[d] for d in rng.integers(0, len(EMAIL_DOMAINS), size).tolist()]
    latin = np.where(
        english,
        np.array([n.lower() for n in FIRST_NAMES_EN], dtype=object)[names % len(FIRST_NAMES_EN)],
        np.array(LATIN_NAMES, dtype=object)[names],
    ).tolist()
    emails = [
        f"{name}.{number}@{domain}" if has_email else None
        for name, number, domain, has_email in zip(
            latin, numbers, domains, traits.has_email.tolist(), strict=True
        )
    ]
    # An odd multiplier is a bijection modulo 10**9, so phone numbers never collide.
    phone_numbers = (np.arange(size) * 7_919 + int(rng.integers(10**9))) % 10**9
    phones = [
        f"+79{number:09d}" if has_phone else None
        for number, has_phone in zip(phone_numbers.tolist(), traits.has_phone.tolist(), strict=True)
    ]
    first_names = np.where(
        english,
        np.array(FIRST_NAMES_EN, dtype=object)[names % len(FIRST_NAMES_EN)],
        np.array(FIRST_NAMES_RU, dtype=object)[names],
    ).tolist()
    zones = np.array([zone for zone, _, _ in TIMEZONES], dtype=object)[traits.timezone].tolist()
    consents = [{"email": email, "sms": sms, "push": push} for email, sms, push in traits.consents.tolist()]
    return list(
        map(
            SimCustomer,
            [f"C{number:07d}" for number in numbers],
            emails,
            phones,
            first_names,
            _birthdays(rng, size, config.start.year),
            zones,
            np.where(english, "en", "ru").astype(object).tolist(),
            consents,
            _instants(config.start, traits.signup_offset_seconds),
        )
    )


def _instants(start: datetime, offsets: IntArray) -> list[datetime]:
    """`start` plus each offset in seconds, as aware UTC datetimes (numpy does the arithmetic)."""
    naive = np.datetime64(start.replace(tzinfo=None), "s") + offsets.astype("timedelta64[s]")
    return [moment.replace(tzinfo=UTC) for moment in naive.astype(object).tolist()]


def _birthdays(rng: np.random.Generator, size: int, year: int) -> list[date | None]:
    """About one customer in seven never gives a birthday; the rest are 18 to 70."""
    first = np.datetime64(f"{year - 70}-01-01", "D")
    days = first + rng.integers(0, 52 * 365, size).astype("timedelta64[D]")
    known = rng.random(size) < 0.85
    return [day if is_known else None for day, is_known in zip(days.tolist(), known.tolist(), strict=True)]
