"""The offer policy's settings file: the default reads, and a bad key is named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from retentio.offers import PolicyConfigError, load_offer_policy, parse_offer_policy

GOOD = """
currency = "RUB"
value_caps = [{ from_value = "0", max_percent = "10" }]

[occasions.cart]
kinds = ["percent"]
percent = "5"
max_percent = "10"
"""


def test_the_default_policy_covers_every_occasion_the_occasions_emit() -> None:
    policy = load_offer_policy(None)
    assert set(policy.occasions) == {
        "win_back",
        "cart",
        "viewed",
        "birthday",
        "anniversary",
        "replenishment",
        "post_purchase",
        "subscription_renewal",
    }
    experiment = policy.experiment("win_back")
    assert experiment is not None and set(experiment.variants) == {"policy", "flat_10"}


def test_a_minimal_file_fills_in_the_defaults() -> None:
    policy = parse_offer_policy(GOOD, Path("mine.toml"))
    rule = policy.rule("cart")
    assert rule is not None and rule.validity_days == 7 and policy.budget.period == "month"
    assert policy.rule("birthday") is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('\npercent = "5"', '\npercent = "15"', "mine.toml:5: occasions.cart: percent is above max_percent"),
        (
            '["percent"]',
            '["coupon"]',
            "mine.toml:6: occasions.cart.kinds.0: Input should be 'percent', 'free",
        ),
        ('\npercent = "5"', '\npercnt = "5"', "mine.toml:7: occasions.cart.percnt: unknown key (a typo?"),
        (
            'from_value = "0"',
            'from_value = "10"',
            "mine.toml:3: value_caps: the first cap starts at from_value = 0",
        ),
        (
            "occasions.cart",
            "occasions.easter",
            "mine.toml:5: occasions.easter: unknown name; it may be 'win_back', 'cart'",
        ),
    ],
)
def test_a_bad_key_is_named_with_its_file_and_line(old: str, new: str, message: str) -> None:
    with pytest.raises(PolicyConfigError) as error:
        parse_offer_policy(GOOD.replace(old, new), Path("mine.toml"))
    assert str(error.value).startswith(message)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError, match=r"absent\.toml: no such file"):
        load_offer_policy(tmp_path / "absent.toml")
