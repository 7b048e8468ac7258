"""Property: after any stream of event batches and clock moves (each move followed by a refresh, as the
scheduler does), the incrementally kept membership of every segment equals a full recomputation —
and the SQL's answer equals a plain-Python reading of the same rules over the same stored data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from tests.helpers import event, item
from tests.integration.segments.custom.reference import evaluate, read_store

from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.db.metadata import METADATA
from retentio.events.consumers import drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.custom.evaluate import matching_customers
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, refresh_segments, segment_members

START = datetime(2026, 3, 1, tzinfo=UTC)
CUSTOMERS = ["c1", "c2", "c3", "c4"]
OPTIONS = IngestOptions()
CONSUMERS = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),)
Step = tuple[str, Any]

# ---- rules from a small grammar -------------------------------------------------------------

_compare = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
_small = st.integers(0, 3)


def _bound(values: st.SearchStrategy[int]) -> st.SearchStrategy[dict[str, int]]:
    return st.dictionaries(_compare, values, min_size=1, max_size=2)


_window = st.one_of(
    st.builds(lambda d: {"days": d}, st.integers(1, 5)),
    st.builds(lambda h: {"hours": h}, st.integers(1, 72)),
)
_category_filter = st.one_of(
    st.builds(
        lambda op, v: {"property": "category", "op": op, "value": v},
        st.sampled_from(["=", "!="]),
        st.sampled_from(["coffee", "tea"]),
    ),
    st.just({"property": "category", "op": "in", "value": ["coffee", "tea"]}),
    st.just({"property": "price", "op": ">=", "value": 10}),
    st.just({"property": "category", "op": "is_null"}),
)
_field_leaf = st.one_of(
    st.builds(lambda op, v: {"field": "profile.orders", "op": op, "value": v}, _compare, _small),
    st.builds(lambda v: {"field": "profile.orders", "op": "between", "value": [v, v + 1]}, _small),
    st.builds(lambda v: {"field": "profile.revenue", "op": ">=", "value": v}, st.integers(0, 4000)),
    st.builds(
        lambda op, v: {"field": "profile.days_since_last_order", "op": op, "value": v},
        _compare,
        st.integers(0, 12),
    ),
    st.builds(lambda op, v: {"field": "profile.events", "op": op, "value": v}, _compare, st.integers(0, 6)),
    st.builds(lambda op: {"field": "customer.locale", "op": op, "value": "ru"}, st.sampled_from(["=", "!="])),
    st.just({"field": "customer.locale", "op": "is_null"}),
    st.just({"field": "customer.attributes.tier", "op": "=", "value": "gold"}),
)
_event_leaf = st.one_of(
    st.builds(
        lambda where, window, count: {
            "event": {"type": "product_viewed", "where": where, "window": window, "count": count}
        },
        st.lists(_category_filter, max_size=2),
        _window,
        _bound(_small),
    ),
    st.builds(
        lambda window, value: {
            "event": {"type": "order_placed", "sum": "total", "window": window, "value": {">=": value}}
        },
        _window,
        st.sampled_from([0, 100, 1500, 2999.99, 3000]),
    ),
    st.builds(
        lambda window: {"event": {"type": "order_placed", "window": window, "count": {"=": 0}}}, _window
    ),
)
# Event conditions are where incremental evaluation can go wrong: draw them twice as often.
_leaf = st.one_of(_event_leaf, _field_leaf, _event_leaf)


def _rule(earlier: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    leaves = st.one_of(_leaf, st.sampled_from([{"segment": name} for name in earlier])) if earlier else _leaf
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=4,
    )


@st.composite
def rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to three segments; a later one is often built on an earlier one."""
    chosen: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 3))):
        earlier = [f"s{n}" for n in range(number)]
        rule = draw(_rule(earlier))
        if earlier and draw(st.booleans()):
            reference: dict[str, Any] = {"segment": draw(st.sampled_from(earlier))}
            if draw(st.booleans()):
                reference = {"not": reference}
            rule = {draw(st.sampled_from(["all", "any"])): [reference, rule]}
        chosen.append(rule)
    return chosen


# ---- event streams and clock moves ----------------------------------------------------------


@st.composite
def _batch(draw: st.DrawFn, number: int, now: datetime) -> list[dict[str, Any]]:
    batch = []
    for index in range(draw(st.integers(1, 6))):
        key = f"b{number}-{index}"
        # whole hours, so that events fall exactly on window and "days since" boundaries too
        at = now - timedelta(hours=draw(st.one_of(st.integers(0, 72), st.integers(0, 24 * 12))))
        customer = draw(st.sampled_from([*CUSTOMERS, "visitor", "visitor"]))
        subject = {"customer_id": customer} if customer != "visitor" else {"anonymous_id": "v1"}
        kind = draw(st.sampled_from(["view", "view", "order", "cancel", "app", "identify"]))
        batch.append(_event(key, kind, at, subject, draw))
    return batch


def _event(key: str, kind: str, at: datetime, subject: dict[str, str], draw: st.DrawFn) -> dict[str, Any]:
    customer, anonymous = subject.get("customer_id"), subject.get("anonymous_id")
    if kind == "view":
        category = draw(st.sampled_from(["coffee", "tea", None]))
        extra = {"category": category} if category else {}
        return event(
            key,
            "product_viewed",
            at,
            customer,
            anonymous,
            sku="S",
            price=draw(st.sampled_from([5, "12.50"])),
            **extra,
        )
    if kind == "order":
        total = f"{draw(st.integers(100, 3000))}.{draw(st.sampled_from(['00', '99']))}"
        order = {"order_id": f"o-{key}", "items": [item("S", 1, total)], "total": total, "currency": "RUB"}
        return event(key, "order_placed", at, customer, anonymous, **order)
    if kind == "cancel":
        return event(
            key,
            "order_cancelled",
            at,
            customer,
            anonymous,
            order_id=f"o-{draw(st.sampled_from(['b0-0', 'b1-0', 'b1-1']))}",
        )
    if kind == "identify":
        return event(key, "identify", at, draw(st.sampled_from(["c3", "c4"])), "v1")
    return event(key, "app_opened", at, customer, anonymous)


@st.composite
def steps(draw: st.DrawFn) -> list[Step]:
    now = START
    out: list[Step] = []
    for number in range(draw(st.integers(1, 8))):
        if number and draw(st.integers(0, 2)) == 0:
            hours = draw(st.integers(1, 24 * 10))
            now += timedelta(hours=hours)
            out.append(("advance", now))
        out.append(("batch", draw(_batch(number, now))))
    return out


# ---- the property ---------------------------------------------------------------------------


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(METADATA.sorted_tables):
            connection.execute(delete(table))
        do_upsert_customer(connection, "c1", CustomerUpsert(locale="ru", attributes={"tier": "gold"}), START)
        do_upsert_customer(connection, "c2", CustomerUpsert(locale="en", attributes={"tier": 1}), START)


def _run(engine: Engine, plan: list[Step]) -> datetime:
    now = START
    for kind, payload in plan:
        if kind == "advance":
            now = payload
            refresh_segments(engine, None, now, "RUB")
        else:
            result = ingest_events(engine, payload, now, OPTIONS)
            assert not result.rejected, result.rejected
            drain(engine, CONSUMERS, FixedClock(now))
    return now


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(segment_rules=rules(), plan=steps())
def test_incremental_membership_equals_a_full_recomputation(
    engine: Engine, segment_rules: list[dict[str, Any]], plan: list[Step]
) -> None:
    # given segments created (and refreshed) on an almost empty store
    _reset(engine)
    names = [f"s{number}" for number in range(len(segment_rules))]
    with engine.begin() as connection:
        for name, rule in zip(names, segment_rules, strict=True):
            do_create_segment(connection, name, Definition(parse_rule(rule)), START)
    refresh_segments(engine, None, START, "RUB")
    # when batches arrive (the reaction keeps membership) and time moves (a refresh follows)
    now = _run(engine, plan)
    # then the kept membership is what a full evaluation finds, and what the reference finds
    with engine.connect() as connection:
        store = read_store(connection)
        kept: dict[str, set[str]] = {}
        expected: dict[str, set[str]] = {}
        for name, raw in zip(names, segment_rules, strict=True):
            rule = parse_rule(raw)
            kept[name] = {m.customer_id for m in segment_members(connection, name, None, 100)}
            assert kept[name] == matching_customers(connection, rule, now, "RUB"), name
            expected[name] = evaluate(rule, store, now, expected)
    assert kept == expected
