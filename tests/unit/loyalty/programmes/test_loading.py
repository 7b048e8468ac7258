"""Loyalty settings files: TOML and YAML read alike; a bad file is refused naming the file, the line, the
key path and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from retentio.loyalty import LoyaltyConfigError, load_loyalty_config

from .conftest import WORKED_EXAMPLE

DOCS = Path(__file__).parents[4] / "docs"


def write(tmp_path: Path, text: str, name: str = "loyalty.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_programme_is_read_without_a_file() -> None:
    config = load_loyalty_config(None, {})
    club = config.programme("club")
    assert (club.currency, club.point_value_minor, club.tiers is not None) == ("RUB", 100, True)
    assert club.tiers is not None and club.tiers.timezone == "Europe/Moscow"  # the programme's zone


def test_the_docs_example_holds_two_programmes_in_two_currencies() -> None:
    config = load_loyalty_config(DOCS / "loyalty.example.toml", {})
    assert {programme.currency for programme in config.programmes.values()} == {"RUB", "KZT"}


def test_yaml_reads_like_toml(tmp_path: Path) -> None:
    text = """
programmes:
  club:
    name: Клуб
    currency: rub
    point_value_minor: 100
    earning: {cashback_percent: 5, categories: {coffee: {points_per_unit: "0.2"}}}
    actions: {birthday: {points: 200, once: yearly}}
"""
    club = load_loyalty_config(write(tmp_path, text, "loyalty.yaml"), {}).programme("club")
    assert (club.currency, club.earning.cashback_percent, club.actions["birthday"].once) == (
        "RUB",
        5,
        "yearly",
    )


def test_env_values_are_read_from_the_environment(tmp_path: Path) -> None:
    text = WORKED_EXAMPLE.replace('name = "Клуб"', 'name = "env:CLUB_NAME"')
    config = load_loyalty_config(write(tmp_path, text), {"CLUB_NAME": "Друзья"})
    assert config.programme("club").name == "Друзья"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("max_share_percent = 30", "max_share_percent = 0"),
            r":17: programmes\.club\.redemption\.max_share_percent: Input should be greater than 0",
        ),
        (
            ('points_per_unit = "0.1"', 'points_per_unit = "0.1"\ncashback_percent = 5'),
            r":9: programmes\.club\.earning: give either points_per_unit or cashback_percent",
        ),
        (
            ('categories.coffee = { points_per_unit = "0.2" }', "categories.coffee = { points = 2 }"),
            r":14: programmes\.club\.earning\.categories\.coffee\.points: unknown key",
        ),
        (
            ("quarters_after = 4", "quarters_after = 4\nafter_days = 90"),
            r":21: programmes\.club\.expiry: give",
        ),
        (('currency = "RUB"', 'currency = "ZZZ"'), r":4: programmes\.club\.currency: unknown currency 'ZZZ'"),
        (("point_value_minor = 100\n", ""), r": programmes\.club\.point_value_minor: missing"),
        (
            ('birthday = { points = 200, once = "yearly" }', 'birthday = { points = 200, once = "monthly" }'),
            r":26: programmes\.club\.actions\.birthday\.once: Input should be 'ever', 'yearly' or 'each'",
        ),
        (
            ("registration = { points = 100 }", "signup = { points = 100 }"),
            r":25: programmes\.club\.actions\.signup",
        ),
        (
            ('timezone = "Europe/Moscow"', 'timezone = "Moscow"'),
            r":5: programmes\.club\.timezone: 'Moscow' is not",
        ),
        (
            ('name = "Клуб"', 'name = "env:NOPE"'),
            r":3: programmes\.club\.name: reads \$NOPE, which is not set",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_the_line_and_the_key(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    old, new = change
    assert old in WORKED_EXAMPLE
    path = write(tmp_path, WORKED_EXAMPLE.replace(old, new, 1))
    with pytest.raises(LoyaltyConfigError, match=problem) as refused:
        load_loyalty_config(path, {})
    assert str(refused.value).startswith(str(path))


def test_a_bad_tier_level_is_named_by_its_position(tmp_path: Path) -> None:
    text = (
        (DOCS / "loyalty.example.toml")
        .read_text(encoding="utf-8")
        .replace("multiplier = 2", "multiplier = -2")
    )
    with pytest.raises(
        LoyaltyConfigError,
        match=r":\d+: programmes\.club\.tiers\.levels\.2\.multiplier: Input should be greater than 0",
    ) as refused:
        load_loyalty_config(write(tmp_path, text), {})
    line = int(str(refused.value).split(":")[1])
    assert text.splitlines()[line - 1].strip() == "multiplier = -2"


def test_a_bad_yaml_value_is_named_with_its_line(tmp_path: Path) -> None:
    text = (
        "programmes:\n  club:\n    name: x\n    currency: RUB\n"
        "    point_value_minor: 0\n    earning: {points_per_unit: 1}\n"
    )
    with pytest.raises(
        LoyaltyConfigError, match=r"loyalty\.yml:5: programmes\.club\.point_value_minor: Input should be"
    ):
        load_loyalty_config(write(tmp_path, text, "loyalty.yml"), {})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[programmes.club\n", "not TOML"),
        ("", r"programmes: missing"),
        ("[programmes]\n", r"programmes: Dictionary should have at least 1 item"),
        (
            WORKED_EXAMPLE.replace("[programmes.club]\n", '[programmes.club]\nid = "other"\n'),
            "make it 'club'",
        ),
    ],
)
def test_a_file_without_programmes_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(LoyaltyConfigError, match=problem):
        load_loyalty_config(write(tmp_path, text), {})


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LoyaltyConfigError, match=r"nowhere\.toml: no such file"):
        load_loyalty_config(tmp_path / "nowhere.toml", {})
