"""GET /v1/loyalty/programmes: the programmes the settings file defines, as they run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from retentio.api.app import create_app
from retentio.clock import FixedClock
from retentio.config import Settings


def test_the_default_programme_is_shown_with_its_rules(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    answer = client.get("/v1/loyalty/programmes", headers=headers_for("read"))
    assert answer.status_code == 200, answer.text
    document = answer.json()
    [club] = document["programmes"]
    assert document["main"] == club["id"] == "club"
    assert (club["currency"], club["point_value_minor"], club["pending_days"]) == ("RUB", 100, 14)
    assert club["redemption"]["max_share_percent"] == "30"  # decimals travel as exact strings
    assert [level["id"] for level in club["tiers"]["levels"]] == ["base", "silver", "gold"]
    one = client.get("/v1/loyalty/programmes/club", headers=headers_for("read"))
    assert one.json() == club
    missing = client.get("/v1/loyalty/programmes/nope", headers=headers_for("read"))
    assert missing.status_code == 404 and "the file has club" in missing.json()["detail"]


@pytest.fixture
def broken_client(engine: Engine, now: datetime, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    broken = tmp_path / "loyalty.toml"
    broken.write_text('[programmes.euro]\nname = "Euro"\ncurrency = "EUR"\n')
    settings = Settings(database_url=database_url, loyalty_config=broken)
    with TestClient(create_app(engine, FixedClock(now), settings)) as test_client:
        yield test_client


def test_a_broken_settings_file_is_an_error_that_names_the_field(
    broken_client: TestClient, make_key: Callable[[str], str]
) -> None:
    answer = broken_client.get(
        "/v1/loyalty/programmes", headers={"Authorization": f"Bearer {make_key('read')}"}
    )
    assert answer.status_code == 500
    assert "point_value_minor" in answer.json()["detail"]
