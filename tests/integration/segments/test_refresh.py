"""The full refresh: RFM edges of the whole base, every standing brought up to date in one go."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from tests.helpers import event, rows
from tests.integration.segments.support import OPTIONS, count_events, moves, placed, send, standing

from retentio.ingest.pipeline import ingest_events
from retentio.segments.config import DEFAULT_CONFIG, LifecycleConfig, SegmentsConfig
from retentio.segments.refresh import do_refresh_standing
from retentio.segments.standing import segment_counts
from retentio.segments.tables import rfm_thresholds

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def _base() -> list[dict[str, object]]:
    """Ten buyers: customer n bought n + 1 times, the last n days after T0, and spent more."""
    batch: list[dict[str, object]] = []
    for n in range(10):
        for k in range(n + 1):
            at = T0 + timedelta(days=n - k * 7)
            batch.append(placed(f"p{n}-{k}", f"c{n}", at, f"o{n}-{k}", total=f"{100 * (n + 1)}.00"))
    return batch


def test_a_refresh_scores_the_base_by_quintiles(engine: Engine) -> None:
    now = T0 + timedelta(days=12)
    send(engine, _base(), now)
    # when
    with engine.begin() as connection:
        result = do_refresh_standing(connection, now, DEFAULT_CONFIG)
    # then
    assert result.edges is not None and result.edges.buyers == 10
    best, worst = standing(engine, "c9"), standing(engine, "c0")
    assert (best["rfm_recency"], best["rfm_frequency"], best["rfm_monetary"], best["rfm_segment"]) == (
        5,
        5,
        5,
        "Champions",
    )
    assert (worst["rfm_recency"], worst["rfm_frequency"], worst["rfm_monetary"]) == (1, 1, 1)
    with engine.connect() as connection:
        stored = connection.execute(select(rfm_thresholds)).all()
        counts = segment_counts(connection)
    assert len(stored) == 1
    assert sum(counts.rfm.values()) == 10
    assert ("segment_entered", "rfm", None, "Champions", now) in moves(engine, "c9")


def test_scores_follow_new_facts_against_the_stored_edges(engine: Engine) -> None:
    now = T0 + timedelta(days=12)
    send(engine, _base(), now)
    with engine.begin() as connection:
        do_refresh_standing(connection, now, DEFAULT_CONFIG)
    # when the worst customer buys a lot, recently, between refreshes
    later = now + timedelta(days=1)
    send(engine, [placed(f"x{k}", "c0", later, f"ox{k}", total="5000.00") for k in range(12)], later)
    # then the scores move at once, against the edges of the last refresh
    row = standing(engine, "c0")
    assert (row["rfm_recency"], row["rfm_frequency"], row["rfm_monetary"]) == (5, 5, 5)


def test_the_default_refresh_equals_deciding_everyone_afresh(engine: Engine) -> None:
    now = T0 + timedelta(days=12)
    send(engine, _base(), now)
    with engine.begin() as connection:
        do_refresh_standing(connection, now, DEFAULT_CONFIG)
    send(engine, [placed("late", "c3", now + timedelta(days=3), "late")], now + timedelta(days=3))
    # when one refresh re-decides who can move and another re-decides everyone
    with engine.begin() as connection:
        do_refresh_standing(connection, now + timedelta(days=40), DEFAULT_CONFIG)
    quick = rows(engine, "customer_standing", drop=("computed_at",))
    with engine.begin() as connection:
        do_refresh_standing(connection, now + timedelta(days=40), DEFAULT_CONFIG, everyone=True)
    # then
    assert rows(engine, "customer_standing", drop=("computed_at",)) == quick


def test_new_settings_re_decide_everyone(engine: Engine) -> None:
    now = T0 + timedelta(days=12)
    send(engine, _base(), now)
    with engine.begin() as connection:
        do_refresh_standing(connection, now, DEFAULT_CONFIG)
    assert standing(engine, "c0")["lifecycle"] == "new"
    impatient = SegmentsConfig(
        lifecycle=LifecycleConfig(churn_days=10, at_risk_min_days=5, at_risk_days_without_interval=5)
    )
    with engine.begin() as connection:
        do_refresh_standing(connection, now, impatient)
    assert standing(engine, "c0")["lifecycle"] == "churned"


def test_a_backfill_of_history_ingested_without_segments(engine: Engine) -> None:
    # given history ingested before segments were switched on
    now = T0 + timedelta(days=12)
    history = [*_base(), event("v", "content_viewed", now, "reader", url="/a")]
    assert not ingest_events(engine, history, now, OPTIONS).rejected
    stored = count_events(engine)
    # when the first refresh backfills without writing moves
    with engine.begin() as connection:
        result = do_refresh_standing(connection, now, DEFAULT_CONFIG, record=False)
    # then everyone stands somewhere, signals were read back from the log, and no event was written
    assert result.new == 11
    assert standing(engine, "reader")["ladder"] == "problem_aware"
    assert standing(engine, "c9")["reward_propensity"] is not None
    assert count_events(engine) == stored


def test_a_refresh_records_one_event_per_move_and_an_exit_only_to_nowhere(engine: Engine) -> None:
    # given a customer scored by a first refresh
    send(engine, [placed("p1", "ann", T0, "o1")], T0 + timedelta(hours=1))
    with engine.begin() as connection:
        do_refresh_standing(connection, T0 + timedelta(days=1), DEFAULT_CONFIG)
    segment = standing(engine, "ann")["rfm_segment"]
    assert segment is not None
    # when the only order is cancelled while the reaction is off, and a refresh re-decides everyone
    cancelled = T0 + timedelta(days=2)
    result = ingest_events(
        engine,
        [event("x1", "order_cancelled", cancelled, "ann", order_id="o1")],
        cancelled,
        OPTIONS,
    )
    assert not result.rejected
    with engine.begin() as connection:
        do_refresh_standing(connection, cancelled, DEFAULT_CONFIG, everyone=True)
    # then each move is one event: entries into the new stages, an exit from the RFM segment to nowhere
    recorded = [m for m in moves(engine, "ann") if m[4] == cancelled]
    assert sorted(recorded) == [
        ("segment_entered", "ladder", "ready_to_buy", "unaware", cancelled),
        ("segment_entered", "lifecycle", "new", "prospect", cancelled),
        ("segment_exited", "rfm", segment, None, cancelled),
    ]
    assert standing(engine, "ann")["rfm_segment"] is None
