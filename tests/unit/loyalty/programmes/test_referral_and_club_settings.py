"""The [referral] and [membership] sections of a programme: a wrong one is refused naming the file,
the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from retentio.loyalty import LoyaltyConfigError, load_loyalty_config

BASE = """
[programmes.shop]
name = "Shop"
currency = "RUB"
point_value_minor = 100

[programmes.shop.earning]
points_per_unit = "0.05"
"""


def load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "loyalty.toml"
    path.write_text(BASE + text, encoding="utf-8")
    load_loyalty_config(path, {})


def test_the_default_programme_has_referrals_and_a_club() -> None:
    club = load_loyalty_config(None, {}).programme("club")
    assert club.referral is not None and club.referral.friend_points == 200
    assert club.membership is not None and club.membership.sku == "CLUB-12M"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[programmes.shop.referral]\nlink = "https://shop.example/"\nfriend_points = 5\n',
            r"programmes\.shop\.referral\.link: 'https://shop\.example/' must hold \{code\} exactly once",
        ),
        (
            "[programmes.shop.referral]\nfriend_points = 0\n",
            r"programmes\.shop: referral rewards nobody: set actions\.referral",
        ),
        (
            '[programmes.shop.actions]\nreferral = { points = 5, once = "ever" }\n'
            "[programmes.shop.referral]\n",
            r'actions\.referral needs once = "each"',
        ),
        (
            "[programmes.shop.referral]\nfriend_points = 5\nmax_friends = 0\n",
            r":\d+: programmes\.shop\.referral\.max_friends: Input should be greater than or equal to 1",
        ),
        (
            "[programmes.shop.membership]\nterm_months = 12\n",
            r"programmes\.shop\.membership: nobody could join: give sku",
        ),
        (
            '[programmes.shop.membership]\nsku = "CLUB"\nterm_months = 0\n',
            r":\d+: programmes\.shop\.membership\.term_months: Input should be greater than or equal to 1",
        ),
        (
            '[programmes.shop.membership]\nsku = "CLUB"\ngrace = 3\n',
            r"programmes\.shop\.membership\.grace: unknown key",
        ),
    ],
)
def test_a_wrong_section_is_refused_naming_the_key(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(LoyaltyConfigError, match=problem):
        load(tmp_path, text)
