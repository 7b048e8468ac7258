"""``retentio coupons``: create a pool, read its figures, export it, check a code; a wrong option is
named and changes nothing."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from retentio.cli import app
from retentio.loyalty.coupons.tables import coupon_pools

runner = CliRunner()


def _cli(database_url: str, now: datetime, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--database-url", database_url, "--as-of", now.isoformat(), "coupons", *arguments]
    )
    return result.exit_code, result.output


def test_create_stats_export_and_check(database_url: str, now: datetime, tmp_path: Path) -> None:
    # when
    code, output = _cli(
        database_url, now, "create-pool", "spring", "--currency", "RUB", "--count", "2000", "--prefix", "SPR",
        "--percent-off", "10", "--minimum-order", "500", "--category", "kitchen",
    )  # fmt: skip
    # then
    assert code == 0, output
    assert output.startswith("pool 1 'spring': 2,000 codes in ")
    code, stats = _cli(database_url, now, "stats", "spring")
    assert code == 0 and "codes                  2,000" in stats
    out = tmp_path / "codes.csv"
    code, written = _cli(database_url, now, "export", "1", "--output", str(out))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert code == 0 and len(rows) == 2000 and "2,000 codes written" in written
    first = rows[0]["code"]
    code, checked = _cli(
        database_url, now, "check", first.lower(), "--currency", "RUB", "--line", "MUG:2:450:kitchen"
    )
    assert (code, checked.strip()) == (0, "applies: the code applies")
    code, checked = _cli(database_url, now, "check", first, "--currency", "RUB", "--line", "TEA:1:450:food")
    assert (code, checked.strip()) == (1, "no_eligible_items: no item of the cart is one the coupon covers")


def test_wrong_options_are_named_and_store_nothing(database_url: str, now: datetime, engine: Engine) -> None:
    code, output = _cli(
        database_url, now, "create-pool", "p", "--currency", "RUB", "--prefix", "WINTER", "--free-shipping"
    )
    assert code == 2 and "prefix" in output and "'I'" in output
    code, output = _cli(database_url, now, "create-pool", "p", "--currency", "RUB", "--percent-off", "ten")
    assert code == 2 and "--percent-off" in output
    code, output = _cli(database_url, now, "stats", "nope")
    assert code == 1 and "no coupon pool 'nope'" in output
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(coupon_pools)).scalar_one() == 0
