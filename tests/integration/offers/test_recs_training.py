"""Training from the store: paid, not-cancelled lines become baskets; every recommender is trained and
stored as a version that turns current; a new version retires the old; old versions are pruned."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from tests.integration.offers.shop import tea_shop

from retentio.clock import FixedClock
from retentio.offers import recs_kinds, start_recs_training
from retentio.offers.recs.business_rules import Rules
from retentio.offers.recs.config import RecsConfig, Training
from retentio.offers.recs.refresh import do_train_recs
from retentio.offers.recs.serving import KIND, RecsCache, recommend
from retentio.offers.recs.versions import list_versions
from retentio.schedule import Daily, Registry, Runner, SqlQueue


def test_training_from_the_store_learns_every_recommender(engine: Engine, now: datetime) -> None:
    # given the tea shop
    tea_shop(engine, now)
    # when the recommenders are trained
    version = do_train_recs(engine, RecsConfig(training=Training(min_support=0.01, min_confidence=0.1)), now)
    # then the version is current and holds the rules, next purchases and moves up
    assert version.status == "current"
    assert version.sizes["baskets"] == 30 * 2 + 6  # the unpaid order is not a basket
    loaded = RecsCache(recheck_seconds=0).get(engine)
    assert loaded is not None and loaded.model_id == version.id
    model = loaded.model
    tea = model.item_of("TEA")
    span = model.rules.of(tea)
    rules = {
        str(model.skus[b]): (s, c)
        for b, s, c in zip(
            model.rules.consequent[span], model.rules.support[span], model.rules.confidence[span], strict=True
        )
    }
    assert rules["LEMON"] == (15 / 66, 1.0)
    assert "COFFEE" not in rules
    nxt = model.next.of(tea)
    assert str(model.skus[model.next.item[nxt][0]]) in {"TEA-GOLD", "LEMON"}
    up = model.moved_up.of(tea)
    assert [str(model.skus[i]) for i in model.moved_up.item[up]] == ["TEA-GOLD"]
    assert model.moved_up.score[up][0] == 15
    assert loaded.personal.next_basket is not None and loaded.personal.knn is not None


def test_a_new_version_retires_the_old_and_old_ones_are_pruned(engine: Engine, now: datetime) -> None:
    tea_shop(engine, now, customers=6)
    config = RecsConfig(training=Training(keep_versions=2))
    for day in range(4):
        do_train_recs(engine, config, now + timedelta(days=day))
    with engine.connect() as connection:
        versions = list_versions(connection, KIND)
    assert [(v.version, v.status) for v in versions] == [(4, "current"), (3, "retired")]


def test_a_store_without_sales_trains_and_serves_empty_lists(engine: Engine, now: datetime) -> None:
    # given models trained before the first sale, and then a customer who buys
    version = do_train_recs(engine, RecsConfig(), now)
    assert version.sizes["items"] == 0
    tea_shop(engine, now, customers=2)
    loaded = RecsCache(recheck_seconds=0).get(engine)
    # then the lists hold only what the catalogue says, and no error
    with engine.connect() as connection:
        for context in ("email", "home"):
            assert recommend(connection, loaded, "c000", context, [], 5, Rules(), now) == []
        for context in ("cart", "product"):
            listed = recommend(connection, loaded, "c000", context, ["TEA"], 5, Rules(), now)
            assert {(r.sku, r.kind) for r in listed} == {("MUG", "complement")}  # c000 has TEA-GOLD


def test_the_worker_refreshes_daily_at_the_settings_time(engine: Engine, now: datetime) -> None:
    # given the worker's refresh at 06:30 UTC and a shop with sales
    tea_shop(engine, now, customers=4)
    config = RecsConfig(training=Training(train_at=time(6, 30)))
    daily = Daily(time(3, 0), ZoneInfo("UTC"))
    runner = Runner(SqlQueue(engine), Registry(recs_kinds(engine, daily, config)), FixedClock(now))
    # when the worker starts (at noon) and runs what is due, and again the next day
    assert start_recs_training(engine, daily, config, now)
    runner.run_all_due()
    Runner(
        SqlQueue(engine), Registry(recs_kinds(engine, daily, config)), FixedClock(now + timedelta(days=1))
    ).run_all_due()
    # then today's run and tomorrow's each stored a version
    with engine.connect() as connection:
        versions = list_versions(connection, KIND)
    assert [(v.version, v.status, v.trained_at) for v in versions] == [
        (2, "current", now + timedelta(days=1)),
        (1, "retired", now),
    ]
