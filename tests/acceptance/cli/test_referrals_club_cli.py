"""``retentio loyalty referrals`` and ``retentio loyalty club`` as an operator types them, on the
default programme: a code, a friend's paid order consumed by the worker, the reward run, refusals,
and a club membership with its reminder run."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.helpers import event, item
from tests.integration.loyalty.ledger.support import add_customers
from typer.testing import CliRunner

from retentio.cli import app
from retentio.ingest.pipeline import IngestOptions, ingest_events

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def at(when: object) -> list[str]:
    return ["--as-of", str(when.isoformat())]  # type: ignore[attr-defined]


def paid_order(order_id: str, customer: str, sku: str, **extra: object) -> list[dict[str, object]]:
    placed = event(
        f"{order_id}-p",
        "order_placed",
        NOW,
        customer,
        order_id=order_id,
        items=[item(sku, 1, "500.00")],
        total="500.00",
        currency="RUB",
        **extra,
    )
    return [placed, event(f"{order_id}-paid", "order_paid", NOW, customer, order_id=order_id)]


def test_code_friend_reward_and_refusals(engine: Engine, env: dict[str, str]) -> None:
    # given ann's code
    add_customers(engine, ["ann"], NOW)
    issued = runner.invoke(app, [*at(NOW), "loyalty", "referrals", "code", "ann"], env=env)
    assert issued.exit_code == 0, issued.output
    code, link = issued.output.split()
    assert link == f"https://shop.example/?ref={code}"
    # when bob's paid order carries it, ann refers herself, the worker consumes the log
    events = [
        *paid_order("o-1", "bob", "TEA", referral_code=code),
        event("r-1", "referral", NOW, "ann", referral_code=code),
    ]
    ingest_events(engine, events, NOW, IngestOptions())
    worked = runner.invoke(app, [*at(NOW), "worker", "--once"], env=env)
    assert worked.exit_code == 0, worked.output
    early = runner.invoke(app, [*at(NOW + timedelta(days=13)), "loyalty", "referrals", "reward"], env=env)
    late = runner.invoke(app, [*at(NOW + timedelta(days=14)), "loyalty", "referrals", "reward"], env=env)
    shown = runner.invoke(app, ["loyalty", "referrals", "show", "ann"], env=env)
    refusals = runner.invoke(app, ["loyalty", "referrals", "refusals", "--reason", "self_referral"], env=env)
    # then
    assert early.output == "0 rewarded, 0 refused\n"
    assert late.output == "1 rewarded, 0 refused\n"
    lines = shown.output.splitlines()
    assert lines[:3] == [f"code {code}", f"link {link}", "points earned 300"]
    assert orjson.loads(lines[3])["friend_id"] == "bob" and orjson.loads(lines[3])["status"] == "rewarded"
    [refusal] = [orjson.loads(line) for line in refusals.output.splitlines()]
    assert (refusal["reason"], refusal["source"], refusal["friend_id"]) == ("self_referral", "r-1", "ann")


def test_club_membership_and_its_reminder_run(engine: Engine, env: dict[str, str]) -> None:
    # given bob paid for the club product, consumed by the worker
    ingest_events(engine, paid_order("o-9", "bob", "CLUB-12M"), NOW, IngestOptions())
    assert runner.invoke(app, [*at(NOW), "worker", "--once"], env=env).exit_code == 0
    # when
    shown = runner.invoke(app, [*at(NOW), "loyalty", "club", "show", "bob"], env=env)
    reminded = runner.invoke(app, [*at(NOW + timedelta(days=352)), "loyalty", "club", "run"], env=env)
    lapsed = runner.invoke(app, [*at(NOW + timedelta(days=373)), "loyalty", "club", "run"], env=env)
    gone = runner.invoke(app, [*at(NOW + timedelta(days=373)), "loyalty", "club", "show", "bob"], env=env)
    wrong = runner.invoke(app, ["loyalty", "club", "show", "bob", "--programme", "points"], env=env)
    # then
    assert shown.output.splitlines()[:2] == ["member yes", "status active (via paid)"]
    assert reminded.output == "1 reminded, 0 lapsed\n"
    assert lapsed.output == "0 reminded, 1 lapsed\n"
    assert gone.output.splitlines()[:2] == ["member no", "status lapsed (via paid)"]
    assert wrong.exit_code == 2 and "name one with a club (club)" in wrong.output
