"""``retentio apikey``: the printed key works against the API; a revoked one stops working."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from retentio.cli.app import app
from retentio.cli.context import runtime

Cli = Callable[..., Result]


@pytest.fixture
def retentio(database_url: str) -> Cli:
    """``retentio(*arguments)`` runs the command line in-process against the test's database."""
    runner = CliRunner()

    def invoke(*arguments: str) -> Result:
        result = runner.invoke(app, ["--database-url", database_url, *arguments])
        runtime().engine.dispose()  # each run builds its own engine, as a process would
        return result

    return invoke


def test_created_key_is_alone_on_the_last_line_and_works(client: TestClient, retentio: Cli) -> None:
    # when
    created = retentio("apikey", "create", "--scopes", "ingest,read", "--name", "shop")
    # then
    assert created.exit_code == 0, created.output
    key_text = created.stdout.splitlines()[-1]
    assert key_text.startswith("rk_")
    assert key_text == key_text.strip()
    headers = {"Authorization": f"Bearer {key_text}"}
    assert client.put("/v1/customers/c1", json={}, headers=headers).status_code == 200
    assert client.get("/v1/customers/c1", headers=headers).status_code == 200


def test_list_shows_keys_without_their_secret_and_revoke_stops_one(client: TestClient, retentio: Cli) -> None:
    # given
    key_text = retentio("apikey", "create", "--scopes", "read").stdout.splitlines()[-1]
    prefix = key_text.split("_")[1]
    # when
    listed = retentio("apikey", "list").stdout
    revoked = retentio("apikey", "revoke", prefix)
    # then
    assert prefix in listed
    assert key_text.split("_", 2)[2] not in listed
    assert revoked.exit_code == 0
    assert client.get("/v1/products/s1", headers={"Authorization": f"Bearer {key_text}"}).status_code == 401
    assert "revoked" in retentio("apikey", "list").stdout


def test_unknown_scope_is_refused(retentio: Cli) -> None:
    # when
    created = retentio("apikey", "create", "--scopes", "ingest,write")
    # then
    assert created.exit_code == 2
    assert "unknown scope 'write'" in created.stderr
    assert retentio("apikey", "list").stdout == ""


def test_revoking_an_unknown_prefix_fails(retentio: Cli) -> None:
    # when
    revoked = retentio("apikey", "revoke", "0000000000")
    # then
    assert revoked.exit_code == 1
    assert "no active key with prefix '0000000000'" in revoked.stderr
