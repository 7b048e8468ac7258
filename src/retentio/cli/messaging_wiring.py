"""Messaging as the worker and the commands run it: the settings file read once, the configured
channels built and checked (a wrong password stops ``retentio worker`` at start with the reason, not
a silent queue), and the send step and the asking for delivery reports registered as due work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import typer

from retentio.cli.context import Runtime
from retentio.ingest import ingest_delivery_reports
from retentio.loyalty import LoyaltyConfigError, load_loyalty_config
from retentio.messaging import (
    POLL_REPORTS,
    SEND,
    ChannelLoop,
    ChannelName,
    Links,
    MessagingConfigError,
    ReportPoller,
    ReportsByCallback,
    Sender,
    Wiring,
    build_channels,
    links_for,
    load_messaging_config,
    resolve,
    sending_rules,
)
from retentio.schedule import Backoff, Delivery, Kind

# Asking a batch of rows about one message each (SMSC, SMS Aero) at the providers' rate takes longer
# than the worker's claim lease.
POLL_LEASE = timedelta(minutes=10)


@dataclass
class Messaging:
    channels: ChannelLoop
    sender: Sender
    poller: ReportPoller

    def kinds(self) -> list[Kind]:
        # At least once: a worker killed after a provider took a message and before the answer was
        # recorded sends it again, with the same message id (docs/messaging.md).
        send = Kind(
            SEND,
            self.sender.run_one,
            Delivery.AT_LEAST_ONCE,
            max_attempts=20,
            backoff=Backoff(),
            batch_handler=self.sender.run,
        )
        # At least once too: asked again after a crash, a report is the same event, stored once.
        poll = Kind(
            POLL_REPORTS,
            self.poller.run_one,
            Delivery.AT_LEAST_ONCE,
            max_attempts=20,
            backoff=Backoff(),
            lease=POLL_LEASE,
            batch_handler=self.poller.run,
        )
        return [send, poll]

    def close(self) -> None:
        self.channels.close()


def start_messaging(run: Runtime, check: bool = True) -> Messaging:
    """Exits with code 2 and the reason when the settings file or a channel cannot be used."""
    try:
        config = load_messaging_config(run.settings.messaging_config)
        channels = ChannelLoop(build_channels(config, Wiring(run.engine, run.clock)))
        rules = sending_rules(config.rules, run.settings.timezone)
        programme = load_loyalty_config(run.settings.loyalty_config).main
    except (MessagingConfigError, LoyaltyConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if check:
        problems = {name: problem for name, problem in channels.check_all().items() if problem is not None}
        if problems:
            channels.close()
            for name, problem in problems.items():
                typer.echo(f"error: channel {name.value}: {problem}", err=True)
            raise typer.Exit(2)
    sender = Sender(
        run.engine,
        channels,
        rules,
        message_links(run),
        run.clock,
        run.settings.default_currency,
        loyalty_programme=programme,
    )
    record = partial(ingest_delivery_reports, run.engine, options=run.ingest_options())
    poller = ReportPoller(run.engine, channels, record, run.clock)
    return Messaging(channels, sender, poller)


def message_links(run: Runtime) -> Links:
    secret = run.settings.secret_key
    with run.engine.begin() as connection:
        return links_for(
            connection,
            run.settings.public_url,
            None if secret is None else secret.get_secret_value(),
            run.now(),
        )


def report_readers(run: Runtime) -> dict[str, tuple[ChannelName, ReportsByCallback]]:
    """The configured providers whose delivery reports come as callbacks, by provider name (the
    path ``/v1/callbacks/{provider}``); the mail server's bounces come to ``smtp``."""
    try:
        config = load_messaging_config(run.settings.messaging_config)
        channels = build_channels(config, Wiring(run.engine, run.clock))
    except MessagingConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    readers: dict[str, tuple[ChannelName, ReportsByCallback]] = {}
    for name, chosen in config.channels.items():
        provider_name, provider = resolve(name, chosen)
        adapter = channels[provider.channel]
        if isinstance(adapter, ReportsByCallback):
            readers[provider_name] = (provider.channel, adapter)
    return readers
