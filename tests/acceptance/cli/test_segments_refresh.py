"""``retentio segments refresh``: the built-in families and every custom segment, or a part of them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.helpers import event, ingest
from typer.testing import CliRunner, Result

from retentio.cli import app
from retentio.cli.context import runtime

runner = CliRunner()
LATER = (NOW + timedelta(days=6)).isoformat()
VIEWED_COFFEE = (
    '{"event": {"type": "product_viewed", "where": [{"property": "category", "op": "=", "value": "coffee"}],'
    ' "window": {"days": 7}, "count": {">=": 3}}}'
)


@pytest.fixture(autouse=True)
def _close_the_cli_engine() -> Iterator[None]:
    yield
    if "engine" in vars(runtime()):
        runtime().engine.dispose()


@pytest.fixture
def env(database_url: str, engine: Engine, tmp_path: Path) -> dict[str, str]:
    """anna viewed coffee three times this week, boris twice; "coffee_fans" (anna) is built on
    "coffee_viewers" (anna), both computed at NOW."""
    views = [
        event(f"{who}{n}", "product_viewed", NOW - timedelta(days=n), who, sku="C1", category="coffee")
        for who, times in (("anna", 3), ("boris", 2))
        for n in range(times)
    ]
    ingest(engine, views, NOW)
    env = {"RETENTIO_DATABASE_URL": database_url}
    rules = {"coffee_viewers": VIEWED_COFFEE, "coffee_fans": '{"segment": "coffee_viewers"}'}
    for name, rule in rules.items():
        path = tmp_path / f"{name}.json"
        path.write_text(rule, encoding="utf-8")
        created = runner.invoke(
            app, ["segments", "create", name, "--rule", str(path), "--as-of", NOW.isoformat()], env=env
        )
        assert created.exit_code == 0, created.output
    return env


def _refresh(env: dict[str, str], *options: str) -> Result:
    return runner.invoke(app, ["segments", "refresh", "--as-of", LATER, *options], env=env)


def _has_standing(env: dict[str, str], customer_id: str) -> bool:
    return runner.invoke(app, ["customers", "standing", customer_id, "--json"], env=env).exit_code == 0


def _custom_refreshes(env: dict[str, str], name: str) -> int:
    shown = orjson.loads(runner.invoke(app, ["segments", "show", name, "--json"], env=env).stdout)
    return len(shown["sizes"]) - 1  # the first point is the creation's


def test_refresh_runs_the_built_in_families_then_every_custom_segment(env: dict[str, str]) -> None:
    # when
    result = _refresh(env, "--json")
    # then
    assert result.exit_code == 0, result.output
    document = orjson.loads(result.stdout)
    assert (document["builtin"]["changed"], document["builtin"]["new"]) == (2, 2)
    assert document["custom"] == [
        {"name": "coffee_viewers", "size": 0, "entered": 0, "exited": 1},
        {"name": "coffee_fans", "size": 0, "entered": 0, "exited": 1},
    ]
    assert _has_standing(env, "anna")


def test_refresh_prints_one_line_for_the_built_in_families_and_one_per_custom_segment(
    env: dict[str, str],
) -> None:
    lines = _refresh(env).stdout.splitlines()
    assert lines[0].startswith("refreshed standing: 2 customers changed, 2 new, in ")
    assert lines[1:] == [
        "coffee_viewers: 0 customers (+0 entered, -1 exited)",
        "coffee_fans: 0 customers (+0 entered, -1 exited)",
    ]


def test_builtin_only_leaves_the_custom_segments(env: dict[str, str]) -> None:
    result = _refresh(env, "--builtin-only")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1
    assert _has_standing(env, "anna")
    assert _custom_refreshes(env, "coffee_viewers") == 0


@pytest.mark.parametrize(
    "options",
    [["--custom", "coffee_viewers"], ["coffee_viewers"]],
    ids=["--custom", "a name as before"],
)
def test_custom_narrows_to_the_named_segments(env: dict[str, str], options: list[str]) -> None:
    result = _refresh(env, *options)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["coffee_viewers: 0 customers (+0 entered, -1 exited)"]
    assert not _has_standing(env, "anna")
    assert _custom_refreshes(env, "coffee_fans") == 0


def test_custom_repeated_and_custom_only(env: dict[str, str]) -> None:
    repeated = _refresh(env, "--custom", "coffee_fans", "--custom", "coffee_viewers")
    every_custom = _refresh(env, "--custom-only")
    assert [line.split(":")[0] for line in repeated.stdout.splitlines()] == ["coffee_viewers", "coffee_fans"]
    assert [line.split(":")[0] for line in every_custom.stdout.splitlines()] == [
        "coffee_viewers",
        "coffee_fans",
    ]
    assert not _has_standing(env, "anna")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--builtin-only", "--custom", "coffee_fans"],
            "--builtin-only cannot go with --custom or a segment name",
        ),
        (["--builtin-only", "--custom-only"], "--builtin-only cannot go with --custom-only"),
        (["--custom-only", "--everyone"], "--everyone applies to the built-in families"),
    ],
)
def test_contradicting_options_are_refused_and_nothing_is_refreshed(
    env: dict[str, str], options: list[str], message: str
) -> None:
    result = _refresh(env, *options)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not _has_standing(env, "anna")
    assert _custom_refreshes(env, "coffee_fans") == 0


def test_an_unknown_custom_segment_refreshes_nothing(env: dict[str, str]) -> None:
    result = _refresh(env, "--custom", "nope")
    assert (result.exit_code, result.stderr.strip()) == (1, "error: no segment named 'nope'")
    assert _custom_refreshes(env, "coffee_viewers") == 0


def test_refresh_builtin_still_refreshes_only_the_built_in_families(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["segments", "refresh-builtin", "--as-of", LATER], env=env)
    assert result.exit_code == 0, result.output
    assert _has_standing(env, "anna")
    assert _custom_refreshes(env, "coffee_viewers") == 0
