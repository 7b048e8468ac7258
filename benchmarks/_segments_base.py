"""A synthetic base for the segments benchmarks, written straight into the tables with set-based SQL
(no event path): customers, profiles with a long-tailed purchase history, and segment signals.

Values come from integer hashing of the row number, so a run is reproducible on both dialects.
"""

from __future__ import annotations

from sqlalchemy import Connection

_SERIES = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) ",
    "postgresql": "WITH n(i) AS (SELECT generate_series(0, {last})) ",
}


def _run(connection: Connection, sql: str) -> None:
    """``%`` is the modulo here; psycopg reads it as a placeholder unless doubled."""
    connection.exec_driver_sql(sql.replace("%", "%%") if connection.dialect.name == "postgresql" else sql)


def _time(dialect: str, seconds: str) -> str:
    if dialect == "sqlite":
        return f"(strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '.000000')"
    return f"to_timestamp({seconds})"


def _json(dialect: str, text: str) -> str:
    return f"'{text}'" + ("::jsonb" if dialect == "postgresql" else "")


def generate_base(connection: Connection, customers: int, now_seconds: int, same_day: bool = False) -> None:
    """``same_day``: every customer made exactly one order at ``now_seconds`` and nothing else, so they
    all cross the same thresholds at the same moments."""
    dialect = connection.dialect.name
    series = _SERIES[dialect].format(last=customers - 1)
    hashed = "((i * 2654435761) % 4294967296)"
    stamp = _time(dialect, str(now_seconds))
    _run(
        connection,
        series + "INSERT INTO customers (customer_id, push_tokens, attributes, created_at, updated_at) "
        f"SELECT 'c' || lpad_id, {_json(dialect, '[]')}, {_json(dialect, '{}')}, {stamp}, {stamp} "
        f"FROM (SELECT i, {_padded(dialect)} AS lpad_id FROM n) x",
    )
    if same_day:
        _one_order_each(connection, series, now_seconds)
        return
    _profiles(connection, series, hashed, now_seconds)
    _signals(connection, series, hashed, now_seconds)


def _one_order_each(connection: Connection, series: str, at: int) -> None:
    dialect = connection.dialect.name
    stamp = _time(dialect, str(at))
    _run(
        connection,
        series
        + "INSERT INTO customer_profiles (customer_id, orders, revenue_minor, currency, first_order_at,"
        " last_order_at, cancellations, returns, returned_minor, coupon_orders, events, last_event_at,"
        " channel_activity, hour_histogram, category_counts, updated_at)"
        f" SELECT 'c' || {_padded(dialect)}, 1, 100000, 'RUB', {stamp}, {stamp}, 0, 0, 0, 0, 1, {stamp},"
        f" {_json(dialect, '{}')}, {_json(dialect, '[]')}, {_json(dialect, '{}')}, {stamp} FROM n",
    )


def _padded(dialect: str) -> str:
    return "printf('%07d', i)" if dialect == "sqlite" else "lpad(i::text, 7, '0')"


def _profiles(connection: Connection, series: str, hashed: str, now: int) -> None:
    dialect = connection.dialect.name
    day = 86400
    # 30 % never ordered, 35 % once, the rest a long tail up to 12 orders.
    orders = "(CASE WHEN h % 100 < 30 THEN 0 WHEN h % 100 < 65 THEN 1 ELSE 2 + (h / 100) % 11 END)"
    last = f"({now} - ((h / 7) % (700 * {day})))"
    interval = f"(5 * {day} + (h / 13) % (60 * {day}))"
    columns = (
        "customer_id, orders, revenue_minor, currency, first_order_at, last_order_at, previous_order_at,"
        " cancellations, returns, returned_minor, coupon_orders, events, last_event_at, last_content_at,"
        " last_browse_at, last_cart_at, channel_activity, hour_histogram, category_counts, updated_at"
    )
    select = (
        f"SELECT 'c' || {_padded(dialect)}, o, o * (50000 + (h / 17) % 900000), 'RUB',"
        f" CASE WHEN o > 0 THEN {_time(dialect, 'lo - (o - 1) * iv')} END,"
        f" CASE WHEN o > 0 THEN {_time(dialect, 'lo')} END,"
        f" CASE WHEN o > 1 THEN {_time(dialect, 'lo - iv')} END,"
        f" (h / 19) % 3 * (o / 3), (h / 23) % 4 * (o / 4), 0, (h / 29) % 2 * (o / 2), 5 + o * 4,"
        f" {_time(dialect, f'lo + (h / 31) % (20 * {day})')},"
        # Content, product and cart activity for 60 % of the base.
        f" CASE WHEN i % 10 < 6 AND h % 3 = 0 THEN {_time(dialect, f'{now} - (h / 3) % (120 * {day})')} END,"
        f" CASE WHEN i % 10 < 6 AND h % 2 = 0 THEN {_time(dialect, f'{now} - (h / 5) % (90 * {day})')} END,"
        f" CASE WHEN i % 10 < 6 AND h % 7 = 0 THEN {_time(dialect, f'{now} - (h / 11) % (40 * {day})')} END,"
        f" {_json(dialect, '{}')}, {_json(dialect, '[]')}, {_json(dialect, '{}')}, {_time(dialect, str(now))}"
        f" FROM (SELECT i, h, {orders} AS o, {last} AS lo, {interval} AS iv"
        f" FROM (SELECT i, {hashed} AS h FROM n) a) x"
    )
    _run(connection, series + f"INSERT INTO customer_profiles ({columns}) " + select)


def _signals(connection: Connection, series: str, hashed: str, now: int) -> None:
    dialect = connection.dialect.name
    day = 86400
    columns = (
        "customer_id, complaints, negative_feedback, discounted_orders, coupon_codes, margin_minor,"
        " late_payments, unpaid_orders, unpaid_oldest_at, unpaid_newest_at, updated_at"
    )
    select = (
        f"SELECT 'c' || {_padded(dialect)},"
        " CASE WHEN h % 97 = 0 THEN 1 ELSE 0 END, CASE WHEN h % 89 = 0 THEN 2 ELSE 0 END,"
        " (h / 37) % 3, (h / 41) % 6, CASE WHEN h % 53 = 0 THEN -5000 ELSE 100000 END, 0,"
        " CASE WHEN h % 61 = 0 THEN 1 ELSE 0 END,"
        f" CASE WHEN h % 61 = 0 THEN {_time(dialect, f'{now} - (h / 43) % (30 * {day})')} END,"
        f" CASE WHEN h % 61 = 0 THEN {_time(dialect, f'{now} - (h / 43) % (30 * {day})')} END,"
        f" {_time(dialect, str(now))}"
        f" FROM (SELECT i, {hashed} AS h FROM n WHERE i % 10 < 6) x"
    )
    _run(connection, series + f"INSERT INTO customer_signals ({columns}) " + select)
