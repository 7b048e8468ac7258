"""The consumer and the daily reward meeting on one friend (PostgreSQL, where rows are locked one by
one): the consumer has ended the referral for a return, uncommitted, when the reward run comes; the
run waits for it, then neither pays nor records the refusal a second time. (The other way round
cannot happen: while the run's transaction is open, no consumer reads past it in the log.)"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, text
from tests.conftest import postgres_url
from tests.integration.loyalty.referral_support import (
    CONFIG,
    PROGRAMME,
    add_customer,
    days,
    paid,
    placed,
    points,
    returned,
    send,
)

from retentio.events import validate_event
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import (
    ReferralRewardRun,
    do_issue_referral_code,
    do_reward_referrals,
    list_referral_refusals,
)
from retentio.loyalty.referrals.follow import follow_orders

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL"),
]


def _reward_run(engine: Engine, at: datetime, outcome: list[ReferralRewardRun]) -> threading.Thread:
    def run() -> None:
        with engine.begin() as connection:
            outcome.append(do_reward_referrals(connection, CONFIG, at))

    racer = threading.Thread(target=run)
    racer.start()
    return racer


def _wait_until_a_query_waits_on_a_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE '%referrals%'"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(waiting).scalar_one() > 0:
                return
        threading.Event().wait(0.05)
    raise AssertionError("the reward run never waited on the return's row")


def test_a_reward_run_waiting_on_an_uncommitted_return_pays_nothing(engine: Engine, now: datetime) -> None:
    # given bob's paid first order with ann's code, its window closed
    add_customer(engine, "ann", now)
    with engine.begin() as connection:
        code = do_issue_referral_code(connection, CONFIG.programme(PROGRAMME), "ann", now).code
    send(engine, [placed("o-1", "bob", now, referral_code=code), paid("o-1", "bob", now)], now)
    back = returned("o-1", "bob", now + days(13))
    ingest_events(engine, [back], now + days(13), IngestOptions())
    outcome: list[ReferralRewardRun] = []
    with engine.connect() as consumer:
        transaction = consumer.begin()
        # the consumer has read the return and ended the referral, not yet committed
        follow_orders(consumer, CONFIG, [validate_event(back, now + days(13), days(1))])
        # when the reward run comes at that moment, and the consumer then commits
        racer = _reward_run(engine, now + days(14), outcome)
        _wait_until_a_query_waits_on_a_lock(engine)
        transaction.commit()
        racer.join(timeout=60)
    # then the run found nothing left to pay, and the refusal is recorded once
    [run] = outcome
    with engine.connect() as connection:
        reasons = [refusal.reason for refusal in list_referral_refusals(connection)]
    assert (run.rewarded, run.refused) == (0, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (0, 0)
    assert reasons == ["first_order_returned"]
