"""Messaging from the command line: save a template, preview it for a customer, ask for a message,
let the worker send it over SMTP, see where it stands; a channel with a wrong password stops the
worker at start, naming it."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine
from tests.fakes.smtp import FakeSmtpServer
from typer.testing import CliRunner

from retentio.cli.app import app
from retentio.cli.context import runtime
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer

AS_OF = "2026-06-01T12:00:00+00:00"
TEMPLATE = """
name: order_shipped
default_locale: ru
channels:
  email:
    ru:
      subject: "Заказ {{ order.id }} отправлен"
      text: "{{ customer.first_name }}, ваш заказ на {{ order.total | money }} в пути."
  sms:
    ru:
      text: "{{ customer.first_name }}, заказ {{ order.id }} отправлен"
"""


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer(users={"shop": "right"}) as server:
        yield server


@pytest.fixture
def retentio(database_url: str) -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
        result = runner.invoke(app, ["--database-url", database_url, "--as-of", AS_OF, *arguments], env=env)
        runtime().engine.dispose()
        return result

    return invoke


def _settings(tmp_path: Path, smtp: FakeSmtpServer, password: str) -> dict[str, str]:
    path = tmp_path / "messaging.toml"
    path.write_text(
        f'[channels.email]\nprovider = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}\nsecurity = "none"\n'
        f'username = "shop"\npassword = "env:SMTP_PASSWORD"\nfrom_address = "shop@example.ru"\n'
        "[rules]\nquiet_hours = false\n",
        encoding="utf-8",
    )
    return {"RETENTIO_MESSAGING_CONFIG": str(path), "SMTP_PASSWORD": password}


def test_a_template_is_previewed_then_a_message_is_sent_by_the_worker(
    retentio: Callable[..., Result], engine: Engine, smtp: FakeSmtpServer, tmp_path: Path
) -> None:
    at = datetime.fromisoformat(AS_OF)
    with engine.begin() as connection:
        data = CustomerUpsert.model_validate(
            {"first_name": "Анна", "email": "ann@example.ru", "phone": "+79161234567"}
        )
        do_upsert_customer(connection, "c1", data, at, timedelta(days=1))
    (tmp_path / "shipped.yaml").write_text(TEMPLATE, encoding="utf-8")
    env = _settings(tmp_path, smtp, "right")

    saved = retentio("templates", "create", str(tmp_path / "shipped.yaml"))
    assert saved.exit_code == 0, saved.output
    assert "saved template order_shipped (email, sms)" in saved.output
    order = json.dumps({"order": {"id": "A-17", "total": "1234.5"}})
    shown = retentio(
        "templates", "preview", "order_shipped", "--customer", "c1", "--channel", "sms", "--vars", order
    )
    assert shown.exit_code == 0, shown.output
    preview = json.loads(shown.output)
    assert preview["text"] == "Анна, заказ A-17 отправлен"
    assert (preview["sms"]["encoding"], preview["sms"]["segments"]) == ("UCS-2", 1)

    asked = retentio(
        "messages",
        "send",
        "--customer",
        "c1",
        "--template",
        "order_shipped",
        "--channel",
        "email",
        "--key",
        "shipped-A-17",
        "--var",
        'order={"id": "A-17", "total": "1234.5"}',
    )
    assert asked.exit_code == 0, asked.output
    message_id = asked.output.split()[0]
    worked = retentio("worker", "--once", env=env)
    assert worked.exit_code == 0, worked.output
    [received] = smtp.received
    mail = email.message_from_bytes(received.content, policy=email.policy.default)
    assert mail["Subject"] == "Заказ A-17 отправлен"
    assert mail.get_content().replace("\xa0", " ").strip() == "Анна, ваш заказ на 1 234,50 ₽ в пути."
    state = json.loads(retentio("messages", "show", message_id).output)
    assert (state["state"], state["channel"]) == ("sent", "email")
    listed = retentio("messages", "list", "--customer", "c1")
    assert message_id in listed.output and "sent" in listed.output


def test_a_wrong_smtp_password_stops_the_worker_at_start_naming_the_channel(
    retentio: Callable[..., Result], smtp: FakeSmtpServer, tmp_path: Path
) -> None:
    env = _settings(tmp_path, smtp, "wrong")
    started = retentio("worker", "--once", env=env)
    assert started.exit_code == 2
    assert "channel email:" in started.output
    checked = retentio("channels", "check", env=env)
    assert checked.exit_code == 1
    assert "email     FAILED" in checked.output


def test_bad_input_is_named(retentio: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: x\ndefault_locale: ru\nchannels: {fax: {}}\n", encoding="utf-8")
    saved = retentio("templates", "create", str(tmp_path / "bad.yaml"))
    assert saved.exit_code == 2 and "unknown channel 'fax'" in saved.output
    asked = retentio("messages", "send", "--customer", "ghost", "--template", "x")
    assert asked.exit_code == 2 and "no customer 'ghost'" in asked.output
    wrong_var = retentio("messages", "send", "--customer", "c1", "--template", "x", "--var", "novalue")
    assert wrong_var.exit_code == 2 and "is not NAME=VALUE" in wrong_var.output
