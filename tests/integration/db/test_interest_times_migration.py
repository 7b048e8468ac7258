"""Migration 0006 moves the interest times from the signals to the profile and back, losing none."""

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from retentio.customers.store import ensure_customers
from retentio.db.codec import codec_for
from retentio.db.migrate import current_revision, downgrade, head_revision, upgrade

NOW = datetime(2026, 11, 1, tzinfo=UTC)
VIEWED = datetime(2026, 10, 20, 8, 30, tzinfo=UTC)
CART = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)


def _profile(connection: Connection, customer_id: str) -> None:
    stamp = codec_for(connection).timestamp(NOW)
    connection.execute(
        text(
            "INSERT INTO customer_profiles (customer_id, orders, revenue_minor, cancellations, returns,"
            " returned_minor, coupon_orders, events, channel_activity, hour_histogram, category_counts,"
            " updated_at) VALUES (:c, 0, 0, 0, 0, 0, 0, 1, '{}', '[]', '{}', :t)"
        ),
        {"c": customer_id, "t": stamp},
    )


def _times(connection: Connection, table: str, customer_id: str) -> tuple[datetime | None, ...]:
    codec = codec_for(connection)
    row = connection.execute(
        text(f"SELECT last_content_at, last_browse_at, last_cart_at FROM {table} WHERE customer_id = :c"),
        {"c": customer_id},
    ).one()
    return tuple(codec.read_timestamp(value) for value in row)


def test_interest_times_survive_the_upgrade_and_the_downgrade(engine: Engine) -> None:
    # given: the schema before 0006, one customer with a signals row, one who only has a profile
    downgrade(engine, "0005")
    with engine.begin() as connection:
        codec = codec_for(connection)
        ensure_customers(connection, ["anna", "boris"], NOW)
        _profile(connection, "anna")
        _profile(connection, "boris")
        connection.execute(
            text(
                "INSERT INTO customer_signals (customer_id, last_browse_at, last_cart_at, complaints,"
                " negative_feedback, discounted_orders, coupon_codes, late_payments, unpaid_orders,"
                " updated_at) VALUES ('anna', :viewed, :cart, 1, 0, 0, 0, 0, 0, :now)"
            ),
            {"viewed": codec.timestamp(VIEWED), "cart": codec.timestamp(CART), "now": codec.timestamp(NOW)},
        )

    # when
    upgrade(engine)

    # then: the times are on the profile, the signals keep the rest
    with engine.begin() as connection:
        assert _times(connection, "customer_profiles", "anna") == (None, VIEWED, CART)
        assert _times(connection, "customer_profiles", "boris") == (None, None, None)
        complaints = connection.execute(text("SELECT complaints FROM customer_signals")).scalar_one()
        assert complaints == 1
        connection.execute(
            text("UPDATE customer_profiles SET last_content_at = :viewed WHERE customer_id = 'boris'"),
            {"viewed": codec_for(connection).timestamp(VIEWED)},
        )

    # when: back down, and up again
    downgrade(engine, "0005")

    # then: a customer without a signals row gets one rather than losing the time
    with engine.begin() as connection:
        assert _times(connection, "customer_signals", "anna") == (None, VIEWED, CART)
        assert _times(connection, "customer_signals", "boris") == (VIEWED, None, None)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
