"""``retentio templates``: save, list and preview message templates, and send a test to an address."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import typer
import yaml

from retentio.cli.context import runtime
from retentio.cli.messaging_wiring import message_links, start_messaging
from retentio.loyalty import LoyaltyConfigError, load_loyalty_config
from retentio.messaging import (
    Body,
    ChannelName,
    EmailBody,
    Kind,
    Outgoing,
    PreviewRefused,
    PushBody,
    RenderFailed,
    TemplateError,
    TemplateInvalid,
    TextBody,
    delete_template,
    preview_message,
    save_template,
    template_names,
)

templates_app = typer.Typer(help="Message templates: create, list, preview, test-send.", no_args_is_help=True)


@templates_app.command("create")
def create_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A JSON or YAML file."),
) -> None:
    """Save the template the file describes (replacing one of that name); every problem is named."""
    run = runtime()
    try:
        text = path.read_text(encoding="utf-8")
        definition = orjson.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (orjson.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as error:
        typer.echo(f"error: {path}: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        with run.engine.begin() as connection:
            template = save_template(connection, definition, run.now())
    except TemplateInvalid as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    channels = ", ".join(sorted(channel.value for channel in template.channels))
    typer.echo(f"saved template {template.name} ({channels})")


@templates_app.command("list")
def list_command() -> None:
    run = runtime()
    with run.reader.connect() as connection:
        for entry in template_names(connection):
            typer.echo(f"{entry['name']}  {entry['updated_at']}")


@templates_app.command("delete")
def delete_command(name: str) -> None:
    run = runtime()
    with run.engine.begin() as connection:
        if not delete_template(connection, name):
            typer.echo(f"error: no template {name!r}", err=True)
            raise typer.Exit(1)
    typer.echo(f"deleted template {name}")


@templates_app.command("preview")
def preview_command(
    name: str,
    customer_id: str = typer.Option(..., "--customer", help="Render it for this customer."),
    channel: ChannelName = typer.Option(ChannelName.EMAIL, "--channel"),
    variables: str = typer.Option("{}", "--vars", help="The message's data as JSON: cart, order, coupon..."),
) -> None:
    """The template as this customer would get it; for SMS, the length and parts."""
    shown = _preview(name, customer_id, channel, variables)
    typer.echo(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode())


@templates_app.command("test-send")
def send_test_command(
    name: str,
    to: str = typer.Option(..., "--to", help="The address, phone, chat id or token to send to."),
    customer_id: str = typer.Option(..., "--customer", help="Whose data fills the template."),
    channel: ChannelName = typer.Option(ChannelName.EMAIL, "--channel"),
    variables: str = typer.Option("{}", "--vars"),
) -> None:
    """Render for a customer and send to TO at once over the configured channel (not queued, no
    caps, no consent check: for the operator's own address)."""
    run = runtime()
    shown = _preview(name, customer_id, channel, variables)
    messaging = start_messaging(run, check=False)
    try:
        adapter = messaging.channels.channels.get(channel)
        if adapter is None:
            typer.echo(f"error: channel {channel.value} is not configured", err=True)
            raise typer.Exit(2)
        outgoing = Outgoing(f"test-{uuid.uuid4().hex[:16]}", channel, to, _body_of(shown), Kind.TRANSACTIONAL)
        [result] = messaging.channels.send_all([outgoing])
    finally:
        messaging.close()
    if result.status.value != "sent":
        typer.echo(f"error: {result.status.value}: {result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"sent to {to} ({result.provider_id})")


def _preview(name: str, customer_id: str, channel: ChannelName, variables: str) -> dict[str, Any]:
    run = runtime()
    try:
        data = orjson.loads(variables)
    except orjson.JSONDecodeError as error:
        typer.echo(f"error: --vars is not JSON: {error}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(data, dict):
        typer.echo("error: --vars is a JSON object", err=True)
        raise typer.Exit(2)
    links = message_links(run)
    try:
        with run.reader.connect() as connection:
            return preview_message(
                connection,
                name,
                customer_id,
                channel,
                data,
                links,
                run.settings.default_currency,
                run.now(),
                programme=load_loyalty_config(run.settings.loyalty_config).main,
            )
    except (PreviewRefused, RenderFailed, TemplateError, LoyaltyConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _body_of(shown: dict[str, Any]) -> Body:
    """The previewed body back as the adapter takes it."""
    fields = {key: value for key, value in shown.items() if key not in {"channel", "type", "sms"}}
    kinds: dict[str, type[Body]] = {"EmailBody": EmailBody, "TextBody": TextBody, "PushBody": PushBody}
    return kinds[str(shown["type"])](**fields)
