"""Creating and changing segments: what is refused, and that a refusal stores nothing."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select, text
from tests.conftest import postgres_url

from retentio.segments.custom.errors import InvalidRule, SegmentExists, SegmentNotFound
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import (
    do_create_segment,
    do_update_segment,
    list_segments,
    refresh_segments,
)
from retentio.segments.custom.tables import custom_segments


def _definition(rule: object, description: str = "") -> Definition:
    return Definition(parse_rule(rule), description)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(custom_segments)).scalar_one())


def _refusal(engine: Engine, name: str, rule: object, now: datetime) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRule) as caught, engine.begin() as connection:
        do_create_segment(connection, name, _definition(rule), now)
    return [(error.path, error.message) for error in caught.value.errors]


def test_a_segment_is_stored_with_its_rule_in_the_language(engine: Engine, now: datetime) -> None:
    rule = {"field": "profile.orders", "op": ">=", "value": 3}
    with engine.begin() as connection:
        view = do_create_segment(connection, "loyal", _definition(rule, "Постоянные покупатели"), now)
    assert (view.name, view.description, view.rule, view.size, view.refreshed_at) == (
        "loyal",
        "Постоянные покупатели",
        rule,
        0,
        None,
    )


def test_a_reference_to_an_unknown_segment_is_refused_at_its_path(engine: Engine, now: datetime) -> None:
    rule = {"all": [{"field": "profile.orders", "op": ">=", "value": 1}, {"not": {"segment": "vip"}}]}
    assert _refusal(engine, "a", rule, now) == [("rule.all[1].not.segment", "no segment named 'vip'")]
    assert _count(engine) == 0


def test_a_segment_cannot_contain_itself(engine: Engine, now: datetime) -> None:
    assert _refusal(engine, "a", {"segment": "a"}, now) == [
        ("rule.segment", "a segment cannot contain itself")
    ]


def test_a_bad_name_is_refused(engine: Engine, now: datetime) -> None:
    assert _refusal(engine, "Кофе", {"segment": "x"}, now)[0][0] == "name"


def test_a_second_segment_with_the_same_name_is_refused(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        do_create_segment(
            connection, "a", _definition({"field": "profile.orders", "op": ">", "value": 0}), now
        )
    with pytest.raises(SegmentExists), engine.begin() as connection:
        do_create_segment(
            connection, "a", _definition({"field": "profile.orders", "op": ">", "value": 1}), now
        )
    assert _count(engine) == 1


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_a_create_racing_an_uncommitted_one_of_the_same_name_is_refused_as_existing(
    engine: Engine, now: datetime
) -> None:
    # given: a create of "a" inserted, not committed yet
    rule = _definition({"field": "profile.orders", "op": ">", "value": 0})
    outcome: list[BaseException | None] = []

    def second_create() -> None:
        try:
            with engine.begin() as connection:
                do_create_segment(connection, "a", rule, now)
            outcome.append(None)
        except BaseException as error:  # reported to the test thread
            outcome.append(error)

    with engine.begin() as first:
        do_create_segment(first, "a", rule, now)
        # when: a second create of "a" reaches its insert and waits on the first one's row
        racer = threading.Thread(target=second_create)
        racer.start()
        _wait_until_a_query_waits_on_a_lock(engine)
    racer.join(timeout=60)
    # then: the first commit wins and the second is told the name is taken
    assert len(outcome) == 1
    assert isinstance(outcome[0], SegmentExists), outcome[0]
    assert _count(engine) == 1


def _wait_until_a_query_waits_on_a_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE '%custom_segments%'"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(waiting).scalar_one() > 0:
                return
        threading.Event().wait(0.05)
    raise AssertionError("the second create never waited on the first one's row")


def test_a_change_that_would_make_a_cycle_is_refused(engine: Engine, now: datetime) -> None:
    # given b → a
    with engine.begin() as connection:
        do_create_segment(
            connection, "a", _definition({"field": "profile.orders", "op": ">", "value": 0}), now
        )
        do_create_segment(connection, "b", _definition({"segment": "a"}), now)
    # when a is changed to refer to b
    with pytest.raises(InvalidRule, match="cycle: a → b → a"), engine.begin() as connection:
        do_update_segment(connection, "a", _definition({"segment": "b"}), now)
    # then a keeps its rule
    with engine.connect() as connection:
        rules = {view.name: view.rule for view in list_segments(connection)}
    assert rules["a"] == {"field": "profile.orders", "op": ">", "value": 0}


def test_refreshing_an_unknown_segment_is_an_error(engine: Engine, now: datetime) -> None:
    with pytest.raises(SegmentNotFound):
        refresh_segments(engine, ["nope"], now, "RUB")
