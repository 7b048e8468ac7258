"""Personalisation facts: reward propensity, preferred channel and hour, usual interval."""

from retentio.segments.config import FactsConfig
from retentio.segments.facts import decide_facts
from retentio.segments.inputs import DAY, CustomerInputs, Signals

CONFIG = FactsConfig()
JAN = 1_767_225_600  # 2026-01-01T00:00:00Z (winter)


def histogram(hour: int) -> tuple[int, ...]:
    return tuple(5 if h == hour else 1 for h in range(24))


def test_discount_seekers_and_novelty_seekers() -> None:
    seeker = CustomerInputs("c", orders=4, signals=Signals(discounted_orders=3))
    explorer = CustomerInputs("c", orders=4, category_counts={"a": 1, "b": 1, "c": 2})
    plain = CustomerInputs("c", orders=4, category_counts={"a": 4})
    assert decide_facts(seeker, CONFIG).reward_propensity == "discount_seeker"
    assert decide_facts(explorer, CONFIG).reward_propensity == "novelty_seeker"
    assert decide_facts(plain, CONFIG).reward_propensity == "neutral"
    assert decide_facts(
        CustomerInputs("c", orders=1, signals=Signals(discounted_orders=1)), CONFIG
    ).reward_propensity == ("neutral")


def test_preferred_channel_is_where_the_customer_engaged_last() -> None:
    activity = {"email": "2026-01-02T10:00:00+00:00", "app": "2026-01-03T10:00:00+00:00"}
    assert decide_facts(CustomerInputs("c", channel_activity=activity), CONFIG).preferred_channel == "push"
    assert decide_facts(CustomerInputs("c"), CONFIG).preferred_channel is None


def test_preferred_hour_is_local_when_the_zone_is_known() -> None:
    utc = CustomerInputs("c", hour_histogram=histogram(7), last_event_at=JAN)
    moscow = CustomerInputs("c", hour_histogram=histogram(7), last_event_at=JAN, timezone="Europe/Moscow")
    unknown = CustomerInputs("c", hour_histogram=histogram(7), last_event_at=JAN, timezone="Nowhere/Else")
    assert decide_facts(utc, CONFIG).preferred_hour == 7
    assert decide_facts(moscow, CONFIG).preferred_hour == 10
    assert decide_facts(unknown, CONFIG).preferred_hour == 7
    assert decide_facts(CustomerInputs("c"), CONFIG).preferred_hour is None


def test_usual_interval_is_the_mean_gap_in_days() -> None:
    inputs = CustomerInputs("c", orders=3, first_order_at=JAN, last_order_at=JAN + 45 * DAY)
    assert decide_facts(inputs, CONFIG).usual_interval_days == 22.5
    assert decide_facts(CustomerInputs("c", orders=1), CONFIG).usual_interval_days is None
