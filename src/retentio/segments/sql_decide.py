"""The decisions of ``decide.py`` compiled to SQL, for evaluating many customers at once.

Three layers, each a subquery the next one reads by name, so every value is computed once per row
(``OFFSET 0`` keeps SQLite and PostgreSQL from folding a layer into the next and repeating its
expressions): the inputs as whole epoch seconds, the moments each rule turns on, the decisions.
Each expression mirrors one pure function line for line on the same integers, so the set-based
refresh and the per-customer path agree (a property test holds them to it).
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customer_profiles as p
from retentio.db.types import UtcDateTime
from retentio.segments.bad_customers import MAX_SCORE
from retentio.segments.config import SegmentsConfig
from retentio.segments.inputs import DAY, instant
from retentio.segments.rfm import RfmEdges, segment_cells
from retentio.segments.sql_dialect import as_int, ceil_nonnegative, epoch, greatest2, least
from retentio.segments.tables import customer_signals as s
from retentio.segments.tables import customer_standing as old

Expr = ColumnElement[Any]
STORED = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_segment", "lifecycle", "ladder", "bad_score")
STORED_EXTRA = ("bad_customer",)


def _int(value: int) -> Expr:
    return literal(value, Integer)


def _future(moment: Expr, now: Expr) -> Expr:
    return case((moment > now, moment), else_=null())


def _zero(column: Any) -> Expr:
    result: Expr = func.coalesce(column, 0)
    return result


def inputs_layer(now: datetime, due_only: bool, only: Expr | None = None) -> Subquery:
    """Layer 1: a customer's inputs and stored standing; times as epoch seconds. The evaluation time
    is ``now``, or (``due_only``: customers whose next due time has come) each one's due time;
    ``only`` narrows the customers further (a condition on profile and stored standing)."""
    at: Expr = epoch(old.c.next_due_at) if due_only else bindparam("now_seconds", instant(now), BigInteger)
    joined = p.outerjoin(s, s.c.customer_id == p.c.customer_id)
    joined = (
        joined.join(old, old.c.customer_id == p.c.customer_id)
        if due_only
        else joined.outerjoin(old, old.c.customer_id == p.c.customer_id)
    )
    columns = [
        p.c.customer_id,
        at.label("now"),
        p.c.orders,
        p.c.revenue_minor,
        p.c.cancellations,
        p.c.returns,
        case((and_(p.c.orders >= 1, p.c.last_order_at.is_not(None)), True), else_=False).label("bought"),
        epoch(p.c.last_order_at).label("last_order"),
        epoch(p.c.first_order_at).label("first_order"),
        epoch(p.c.previous_order_at).label("previous_order"),
        epoch(p.c.last_event_at).label("last_event"),
        epoch(p.c.last_content_at).label("content"),
        epoch(p.c.last_browse_at).label("browse"),
        epoch(p.c.last_cart_at).label("cart"),
        _zero(s.c.complaints).label("complaints"),
        _zero(s.c.negative_feedback).label("negative_feedback"),
        _zero(s.c.discounted_orders).label("discounted_orders"),
        _zero(s.c.coupon_codes).label("coupon_codes"),
        s.c.margin_minor,
        _zero(s.c.late_payments).label("late_payments"),
        _zero(s.c.unpaid_orders).label("unpaid_orders"),
        epoch(s.c.unpaid_oldest_at).label("unpaid_oldest"),
        epoch(s.c.unpaid_newest_at).label("unpaid_newest"),
        (old.c.customer_id.is_(None)).label("is_new"),
        epoch(old.c.next_due_at).label("old_next_due"),
        *(old.c[name].label(f"old_{name}") for name in (*STORED, *STORED_EXTRA)),
    ]
    query = select(*columns).select_from(joined)
    if due_only:
        query = query.where(old.c.next_due_at <= bindparam("now_at", now, UtcDateTime()))
    if only is not None:
        query = query.where(only)
    return query.offset(0).subquery("inputs")


_PASSED_ON = frozenset(
    {"customer_id", "now", "bought", "orders", "last_order", "previous_order", "unpaid_oldest",
     "unpaid_newest", "is_new"}
)  # fmt: skip


def moments_layer(i: Subquery, config: SegmentsConfig, edges: RfmEdges | None) -> Subquery:
    """Layer 2: the moments the rules turn on, the checklist score and the RFM scores."""
    c, life, ladder = i.c, config.lifecycle, config.ladder
    span = case((c.orders >= 2, c.last_order - c.first_order), else_=0)
    usual = ceil_nonnegative(span * bindparam("at_risk_factor", life.at_risk_factor) / (c.orders - 1))
    delay = case(
        (c.orders < 2, _int(life.at_risk_days_without_interval * DAY)),
        else_=greatest2(_int(life.at_risk_min_days * DAY), usual),
    )
    rhythm = and_(
        c.orders >= life.loyal_min_orders, span <= _int(life.loyal_max_interval_days * DAY) * (c.orders - 1)
    )
    engaged = case(
        (and_(c.last_event.is_not(None), rhythm), c.last_event + _int(life.engaged_days * DAY)), else_=null()
    )
    open_cart = case((and_(c.last_order.is_not(None), c.cart <= c.last_order), null()), else_=c.cart)
    recency, frequency, monetary = _rfm(i, edges)
    columns = [
        *(column for column in i.c if column.name in _PASSED_ON or column.name.startswith("old_")),
        (c.last_order + delay).label("risk_at"),
        (c.last_order + _int(life.churn_days * DAY)).label("churn_at"),
        engaged.label("engaged_until"),
        case((c.bought, _fresh(c.last_order, ladder.loyal_days, c.now)), else_=null()).label("order_fresh"),
        _fresh(open_cart, ladder.ready_days, c.now).label("cart_fresh"),
        _fresh(c.browse, ladder.solution_days, c.now).label("browse_fresh"),
        _fresh(c.content, ladder.problem_days, c.now).label("content_fresh"),
        _bad_score(i, config).label("bad_score"),
        recency.label("rfm_recency"),
        frequency.label("rfm_frequency"),
        monetary.label("rfm_monetary"),
    ]
    return select(*columns).offset(0).subquery("moments")


def _fresh(moment: Expr, days: int, now: Expr) -> Expr:
    until = moment + _int(days * DAY)
    return case((and_(moment.is_not(None), now < until), until), else_=null())


def _bad_score(i: Subquery, config: SegmentsConfig) -> Expr:
    c, bad, term = i.c, config.bad_customers, _int(config.signals.payment_days * DAY)
    placed = c.orders + c.cancellations
    overdue = case(
        (and_(c.unpaid_newest.is_not(None), c.now >= c.unpaid_newest + term), c.unpaid_orders),
        (and_(c.unpaid_oldest.is_not(None), c.now >= c.unpaid_oldest + term), _int(1)),
        else_=_int(0),
    )
    share = bindparam
    checks = (
        (and_(c.orders >= bad.min_orders, c.returns >= share("returns_share", bad.returns_share) * c.orders),
         bad.returns_weight),
        (and_(placed >= bad.min_orders,
              c.cancellations >= share("cancel_share", bad.cancellations_share) * placed),
         bad.cancellations_weight),
        (c.late_payments + overdue >= bad.unpaid_orders, bad.unpaid_weight),
        (c.complaints + c.negative_feedback >= bad.complaints, bad.complaints_weight),
        (and_(c.margin_minor.is_not(None), c.margin_minor < 0), bad.negative_margin_weight),
        (and_(c.orders >= bad.discount_only_min_orders,
              c.discounted_orders >= share("discount_share", bad.discount_only_share) * c.orders),
         bad.discount_only_weight),
        (c.coupon_codes >= bad.coupon_abuse_codes, bad.coupon_abuse_weight),
    )  # fmt: skip
    total: Expr = _int(0)
    for condition, weight in checks:
        total = total + as_int(condition) * _int(weight)
    capped = case((total > MAX_SCORE, _int(MAX_SCORE)), else_=total)
    # Most customers show no sign at all: one cheap test spares them the checklist.
    any_sign = or_(
        c.returns > 0,
        c.cancellations > 0,
        c.late_payments > 0,
        c.unpaid_orders > 0,
        c.complaints > 0,
        c.negative_feedback > 0,
        c.margin_minor < 0,
        c.discounted_orders > 0,
        c.coupon_codes > 0,
    )
    return case((any_sign, capped), else_=_int(0))


def _rfm(i: Subquery, edges: RfmEdges | None) -> tuple[Expr, Expr, Expr]:
    if edges is None:  # before the first refresh: no scores (typed, so the SQL types still add up)
        nothing = cast(null(), Integer)
        return nothing, nothing, nothing
    c = i.c
    scores = []
    for name, value, four in zip(
        "rfm",
        (c.last_order, c.orders, c.revenue_minor),
        (edges.recency, edges.frequency, edges.monetary),
        strict=True,
    ):
        total: Expr = _int(1)
        for index, edge in enumerate(four):
            total = total + as_int(value > bindparam(f"{name}_edge_{index}", edge, BigInteger))
        scores.append(case((c.bought, total), else_=null()))
    return scores[0], scores[1], scores[2]


def decisions_layer(m: Subquery, config: SegmentsConfig, edges: RfmEdges | None) -> Subquery:
    """Layer 3: the stages, the RFM segment and the next due time."""
    c, life, ladder = m.c, config.lifecycle, config.ladder
    lifecycle = case(
        (~c.bought, literal("prospect")),
        (c.now >= c.churn_at, literal("churned")),
        (c.now >= c.risk_at, literal("at_risk")),
        (
            and_(
                c.previous_order.is_not(None), c.last_order - c.previous_order >= _int(life.churn_days * DAY)
            ),
            literal("reactivated"),
        ),
        (c.orders <= life.new_max_orders, literal("new")),
        (and_(c.engaged_until.is_not(None), c.now < c.engaged_until), literal("loyal")),
        else_=literal("active"),
    )
    stage = case(
        (and_(c.order_fresh.is_not(None), c.orders >= ladder.loyal_min_orders), literal("loyal")),
        (or_(c.cart_fresh.is_not(None), c.order_fresh.is_not(None)), literal("ready_to_buy")),
        (or_(c.browse_fresh.is_not(None), c.bought), literal("solution_aware")),
        (c.content_fresh.is_not(None), literal("problem_aware")),
        else_=literal("unaware"),
    )
    lifecycle_next = case(
        (
            c.bought,
            least(_future(c.risk_at, c.now), _future(c.churn_at, c.now), _future(c.engaged_until, c.now)),
        ),
        else_=null(),
    )
    term = _int(config.signals.payment_days * DAY)
    bad_next = least(_future(c.unpaid_oldest + term, c.now), _future(c.unpaid_newest + term, c.now))
    ladder_next = least(c.order_fresh, c.cart_fresh, c.browse_fresh, c.content_fresh)
    cell = c.rfm_recency * 100 + c.rfm_frequency * 10 + c.rfm_monetary  # the reason's "RFM scores 543"
    keep = (
        "customer_id",
        "now",
        "bad_score",
        "rfm_recency",
        "rfm_frequency",
        "rfm_monetary",
        "is_new",
        "old_next_due",
    )
    columns = [
        *(m.c[name] for name in keep),
        *(column for column in m.c if column.name.startswith("old_") and column.name != "old_next_due"),
        cell.label("rfm_cell"),
        (_segment(c, config) if edges is not None else cast(null(), String)).label("rfm_segment"),
        lifecycle.label("lifecycle"),
        stage.label("ladder"),
        least(lifecycle_next, ladder_next, bad_next).label("next_due"),
    ]
    return select(*columns).offset(0).subquery("decisions")


def _segment(c: Any, config: SegmentsConfig) -> Expr:
    """The segment of the score cell, looked up in a 125-letter string (one letter per cell) rather
    than tested against 125 cases: the rule table is resolved here, once, by ``segment_cells``."""
    names = sorted(segment_cells(config.rfm.rules))
    letters = [""] * 125
    for letter, name in zip(string.ascii_letters, names, strict=False):
        for number in segment_cells(config.rfm.rules)[name]:
            recency, frequency, monetary = number // 100, number // 10 % 10, number % 10
            letters[(recency - 1) * 25 + (frequency - 1) * 5 + monetary - 1] = letter
    index = cast((c.rfm_recency - 1) * 25 + (c.rfm_frequency - 1) * 5 + c.rfm_monetary, Integer)
    code = func.substr(literal_column(f"'{''.join(letters)}'", String), index, 1)
    return case(dict(zip(string.ascii_letters, names, strict=False)), value=code, else_=null())


def differs(d: Subquery) -> Expr:
    """A staged row: new, or any decided value differs from the stored one."""
    c = d.c
    return or_(
        c.is_new,
        *(c[name].is_distinct_from(c[f"old_{name}"]) for name in STORED),
        c.next_due.is_distinct_from(c.old_next_due),
    )
