from __future__ import annotations

import pytest

from retentio.loyalty import Programme, load_loyalty_config

WORKED_EXAMPLE = """
[programmes.club]
name = "Клуб"
currency = "RUB"
timezone = "Europe/Moscow"
point_value_minor = 100
pending_days = 14

[programmes.club.earning]
points_per_unit = "0.1"
discounted_lines = "paid"
excluded_categories = ["tobacco"]
excluded_skus = ["GIFT-1000"]
categories.coffee = { points_per_unit = "0.2" }

[programmes.club.redemption]
max_share_percent = 30
min_balance = 100
min_order = 500

[programmes.club.expiry]
quarters_after = 4

[programmes.club.actions]
registration = { points = 100 }
birthday = { points = 200, once = "yearly" }
review = { points = 20, once = "each" }
"""


@pytest.fixture(scope="session")
def club(tmp_path_factory: pytest.TempPathFactory) -> Programme:
    # frozen settings: one programme serves every test, hypothesis's included
    path = tmp_path_factory.mktemp("loyalty") / "loyalty.toml"
    path.write_text(WORKED_EXAMPLE, encoding="utf-8")
    return load_loyalty_config(path, {}).programme("club")
