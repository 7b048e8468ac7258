"""``retentio messages``: ask for a message from the command line, see where one stands, list a
customer's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
import typer

from retentio.cli.context import runtime
from retentio.messaging import (
    AUTO,
    Kind,
    MessageRequest,
    customer_messages,
    do_request_messages,
    load_messages,
)

app = typer.Typer(help="Messages: send one, show one, list a customer's.", no_args_is_help=True)


@app.command("send")
def send_command(
    customer_id: str = typer.Option(..., "--customer", help="Who gets it."),
    template: str = typer.Option(..., "--template", help="The template's name."),
    kind: Kind = typer.Option(Kind.TRANSACTIONAL, "--kind", help="transactional, trigger or marketing."),
    channels: list[str] = typer.Option(
        [AUTO],
        "--channel",
        help="A channel of the cascade, in order (repeat it); 'auto' orders them per customer.",
    ),
    key: str | None = typer.Option(None, "--key", help="The idempotency key (default: a new one)."),
    priority: int = typer.Option(0, "--priority", help="0-100: who gets the last slot under a cap."),
    variables: list[str] = typer.Option(
        [], "--var", help="NAME=VALUE for the template (repeat it); VALUE may be JSON."
    ),
    due_at: str | None = typer.Option(None, "--due", help="When (ISO 8601 with offset); default now."),
    incentive: bool = typer.Option(
        False, "--incentive", help="It carries a reward: not for customers flagged bad."
    ),
) -> None:
    """Ask for one message; `retentio worker` sends it. The same --key again is the same message."""
    run = runtime()
    try:
        request = MessageRequest(
            customer_id=customer_id,
            template=template,
            kind=kind,
            idempotency_key=key or f"cli:{uuid.uuid4()}",
            priority=priority,
            channels=tuple(channels),
            variables=_variables(variables),
            incentive=incentive,
            due_at=None if due_at is None else datetime.fromisoformat(due_at),
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    with run.engine.begin() as connection:
        requested, refused = do_request_messages(connection, [request], run.now())
    if refused:
        typer.echo(f"error: {refused[0].reason}", err=True)
        raise typer.Exit(2)
    [message] = requested
    typer.echo(
        f"{message.message_id} {'asked for' if message.created else 'already asked for with this key'}"
    )


@app.command("show")
def show_command(message_id: str) -> None:
    """Where a message stands: its state, why it was not sent or failed, each channel tried."""
    run = runtime()
    with run.reader.connect() as connection:
        found = load_messages(connection, [message_id]).get(message_id)
    if found is None:
        typer.echo(f"error: no message {message_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(orjson.dumps(found.as_json(), option=orjson.OPT_INDENT_2).decode())


@app.command("list")
def list_command(
    customer_id: str = typer.Option(..., "--customer"), limit: int = typer.Option(20, "--limit", min=1)
) -> None:
    """A customer's messages, newest first: id, state, channel, template, reason."""
    run = runtime()
    with run.reader.connect() as connection:
        found = customer_messages(connection, customer_id, limit)
    for message in found:
        reason = f"  {message.reason}: {message.detail}" if message.reason else ""
        typer.echo(
            f"{message.requested_at.isoformat()}  {message.message_id}  {message.state.value:<9} "
            f"{message.channel or '-':<9} {message.template}{reason}"
        )


def _variables(pairs: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--var {pair!r} is not NAME=VALUE")
        try:
            found[name] = orjson.loads(value)
        except orjson.JSONDecodeError:
            found[name] = value
    return found
