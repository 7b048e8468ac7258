"""``retentio import …`` and ``retentio stats`` through the command line, as an operator runs them."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from retentio.cli.app import app
from retentio.cli.context import runtime

Cli = Callable[..., Result]
AS_OF = "2026-06-01T12:00:00+00:00"


@pytest.fixture
def retentio(database_url: str) -> Cli:
    """``retentio(*arguments)`` runs the command line in-process against the test's database."""
    runner = CliRunner()

    def invoke(*arguments: str) -> Result:
        result = runner.invoke(app, ["--database-url", database_url, "--as-of", AS_OF, *arguments])
        runtime().engine.dispose()  # each invocation configures an engine of its own
        return result

    return invoke


def _stats(retentio: Cli) -> dict[str, object]:
    result = retentio("stats", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # exactly one JSON object, nothing else
    assert isinstance(document, dict)
    return document


def test_stats_json_is_one_object_with_every_count(retentio: Cli) -> None:
    assert _stats(retentio) == {
        "customers": 0,
        "products": 0,
        "orders": 0,
        "order_lines": 0,
        "events": 0,
        "events_sent": 0,
        "events_derived": 0,
        "orders_by_status": {},
    }


def test_stats_shows_the_events_clients_sent_apart_from_the_ones_retentio_derived(
    retentio: Cli, tmp_path: Path
) -> None:
    # given: three views sent; the refresh moves both viewers up the ladder (two derived events)
    path = tmp_path / "events.jsonl"
    path.write_text(
        "".join(
            f'{{"event_id": "e-{n}", "type": "product_viewed", "customer_id": "{who}",'
            f' "timestamp": "2026-05-{28 + n}T10:00:00Z", "properties": {{"sku": "A"}}}}\n'
            for n, who in enumerate(["anna", "anna", "boris"])
        )
    )
    assert retentio("import", "events", str(path)).exit_code == 0
    assert retentio("segments", "refresh", "--builtin-only").exit_code == 0
    # when
    text = retentio("stats").stdout.splitlines()
    document = _stats(retentio)
    # then
    assert text[-3:] == [
        "events                  5",
        "  sent by clients                 3",
        "  derived by Retentio             2",
    ]
    assert (document["events"], document["events_sent"], document["events_derived"]) == (5, 3, 2)


def test_import_events_reports_bad_lines_and_writes_them_all_with_errors(
    retentio: Cli, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"event_id": "e-1", "type": "product_viewed", "customer_id": "c-1",'
        ' "timestamp": "2026-05-01T10:00:00Z", "properties": {"sku": "A"}}\n'
        "not json\n"
        '{"event_id": "e-2", "type": "product_viewed", "timestamp": "2026-05-01T10:00:00Z"}\n'
    )
    errors = tmp_path / "errors.csv"
    # when
    result = retentio("import", "events", str(path), "--errors", str(errors))
    # then
    assert result.exit_code == 0, result.output
    assert "rows read" in result.stdout and "events accepted" in result.stdout
    assert "line 2: not valid JSON" in result.stdout
    with errors.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason"]
    assert [row[0] for row in rows[1:]] == ["2", "3"]
    assert rows[2] == ["3", "properties: Field required"]
    assert _stats(retentio)["events"] == 1


def test_import_customers_with_a_mapping_then_again_changes_nothing(retentio: Cli, tmp_path: Path) -> None:
    # given
    path = tmp_path / "clients.csv"
    path.write_text("Код;E-mail;Телефон\nk-1;anna@example.ru;+7 916 123 45 67\nk-2;bad;\n", encoding="cp1251")
    arguments = (
        "import",
        "customers",
        str(path),
        "--map",
        "Код=customer_id",
        "--map",
        "Телефон=phone",
        "--json",
    )
    # when
    first = retentio(*arguments)
    second = retentio(*arguments)
    # then
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    assert summary["problems"][0]["line"] == 3
    assert (json.loads(second.stdout)["accepted"], json.loads(second.stdout)["duplicates"]) == (0, 1)
    assert _stats(retentio)["customers"] == 1


def test_import_orders_in_the_cdnow_format(retentio: Cli, tmp_path: Path) -> None:
    # given
    path = tmp_path / "CDNOW_sample.txt"
    path.write_text(" 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n")
    # when
    result = retentio("import", "orders", "--format", "cdnow", str(path), "--json")
    # then
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 2
    stats = _stats(retentio)
    assert (stats["customers"], stats["orders"], stats["order_lines"]) == (1, 2, 2)


def test_import_events_reports_a_time_out_of_range_and_keeps_the_good_lines(
    retentio: Cli, tmp_path: Path
) -> None:
    # given
    line = (
        '{{"event_id": "{id}", "type": "product_viewed", "customer_id": "c-1",'
        ' "timestamp": "{at}", "properties": {{"sku": "A"}}}}\n'
    )
    path = tmp_path / "events.jsonl"
    path.write_text(
        line.format(id="e-1", at="2026-05-01T10:00:00Z")
        + line.format(id="e-2", at="9999-12-31T23:00:00-02:00")
        + line.format(id="e-3", at="0001-01-01T00:00:00+23:59")
        + line.format(id="e-4", at="2026-05-02T10:00:00Z")
    )
    # when
    result = retentio("import", "events", str(path), "--json")
    # then
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["accepted"], summary["rejected"]) == (2, 2)
    assert [problem["line"] for problem in summary["problems"]] == [2, 3]
    assert all(
        "timestamp" in problem["reason"] and "out of range" in problem["reason"]
        for problem in summary["problems"]
    )
    assert _stats(retentio)["events"] == 2


def test_import_orders_reports_a_time_out_of_range_and_keeps_the_good_orders(
    retentio: Cli, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,timestamp,sku,price\n"
        "o-1,c-1,2026-05-01T10:00:00+03:00,A,10\n"
        "o-2,c-1,9999-12-31T23:00:00-02:00,A,10\n"
        "o-3,c-2,0001-01-01T00:00:00+23:59,A,10\n"
    )
    # when
    result = retentio("import", "orders", str(path), "--json")
    # then
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["accepted"], summary["rejected"]) == (1, 2)
    assert [problem["line"] for problem in summary["problems"]] == [3, 4]
    assert all(
        "timestamp" in problem["reason"] and "out of range" in problem["reason"]
        for problem in summary["problems"]
    )
    assert _stats(retentio)["orders"] == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("import", "events", "missing.jsonl"), "missing.jsonl: no such file"),
        (("import", "orders", "missing.csv"), "missing.csv: no such file"),
        (("import", "customers", "{file}", "--map", "Email=email"), "the file has no column 'Email'"),
        (("import", "orders", "{file}"), "no column for order_id"),
    ],
)
def test_a_source_that_cannot_be_imported_exits_non_zero_with_a_clear_message(
    retentio: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: tuple[str, ...], message: str
) -> None:
    # given
    monkeypatch.chdir(tmp_path)
    file = tmp_path / "customers.csv"
    file.write_text("customer_id,mail\nc-1,a@example.com\n")
    # when
    result = retentio(*(argument.format(file=file) for argument in arguments))
    # then
    assert result.exit_code == 2
    assert message in result.stderr
    assert _stats(retentio)["customers"] == 0


def test_import_into_a_database_without_schema_says_to_upgrade(tmp_path: Path) -> None:
    # given
    runner = CliRunner()
    path = tmp_path / "events.jsonl"
    path.write_text("")
    # when
    result = runner.invoke(
        app, ["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "import", "events", str(path)]
    )
    runtime().engine.dispose()
    # then
    assert result.exit_code == 2
    assert "retentio db upgrade" in result.stderr
