"""Opening an SMTP connection as the settings say, and proving at start-up that it works.

``check_server`` turns each way a connection can fail into a ``ChannelNotReady`` that names the
settings to look at, so a wrong password stops ``retentio worker`` at start instead of filling the
queue with retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time

from aiosmtplib import (
    SMTP,
    SMTPAuthenticationError,
    SMTPException,
    SMTPHeloError,
    SMTPResponseException,
    SMTPTimeoutError,
)

from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.port import ChannelNotReady

# How long closing waits for the socket to be released: a TLS close waits for the server's
# close_notify, and a loop that stops before that leaves the socket open behind it.
CLOSE_WAIT_SECONDS = 2.0


async def hang_up(smtp: SMTP) -> None:
    """QUIT when still connected, close, and wait until the socket is released (bounded)."""
    protocol = smtp.protocol
    if smtp.is_connected:
        with contextlib.suppress(Exception):  # a polite goodbye; the socket is closed either way
            await smtp.quit()
    smtp.close()
    deadline = time.monotonic() + CLOSE_WAIT_SECONDS
    while protocol is not None and protocol.transport is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


def server_name(settings: EmailSettings) -> str:
    return f"{settings.host}:{settings.smtp_port}"


async def open_client(settings: EmailSettings) -> SMTP:
    """A connected client: greeted, EHLO said, TLS on if asked, logged in if a username is given."""
    smtp = SMTP(
        hostname=settings.host,
        port=settings.smtp_port,
        username=settings.username,
        password=settings.password.get_secret_value() if settings.password is not None else None,
        local_hostname=settings.helo_name,
        timeout=settings.timeout,
        use_tls=settings.security == "tls",
        start_tls=settings.security == "starttls",
        validate_certs=settings.validate_certs,
        cert_bundle=str(settings.ca_file) if settings.ca_file is not None else None,
    )
    await smtp.connect()
    if smtp.is_ehlo_or_helo_needed:  # connect() says EHLO only for STARTTLS or a login
        try:
            await smtp.ehlo()
        except SMTPHeloError:
            await smtp.helo()  # a server from before ESMTP
    return smtp


async def check_server(settings: EmailSettings, envelope_sender: str) -> None:
    where = f"the SMTP server at {server_name(settings)} (security {settings.security!r})"
    try:
        smtp = await open_client(settings)
    except SMTPAuthenticationError as refused:
        raise ChannelNotReady(
            f"email: {where} refused the login of username {settings.username!r} "
            f"({refused.code} {refused.message}); check [channels.email] username and password"
        ) from None
    except SMTPTimeoutError:
        raise ChannelNotReady(
            f"email: {where} did not answer within {settings.timeout:g} s; check [channels.email] host, "
            "port and security ('tls' is usually port 465, 'starttls' 587)"
        ) from None
    except ssl.SSLError as failed:
        raise ChannelNotReady(
            f"email: TLS with {where} failed ({failed}); check [channels.email] security, "
            "validate_certs and ca_file"
        ) from None
    except (SMTPException, OSError) as failed:
        raise ChannelNotReady(
            f"email: cannot work with {where} ({failed}); check [channels.email] host, port, security "
            "and username"
        ) from None
    try:
        await _try_sender(smtp, where, envelope_sender)
    finally:
        await hang_up(smtp)


async def _try_sender(smtp: SMTP, where: str, envelope_sender: str) -> None:
    """MAIL FROM then RSET: a relay that only lets its users send as themselves says so here."""
    try:
        await smtp.mail(envelope_sender)
        await smtp.rset()
    except SMTPResponseException as refused:
        if refused.code == 530:  # RFC 4954: authentication required
            raise ChannelNotReady(
                f"email: {where} asks for a login ({refused.code} {refused.message}); set [channels.email] "
                "username and password"
            ) from None
        raise ChannelNotReady(
            f"email: {where} refuses {envelope_sender!r} as the envelope sender ({refused.code} "
            f"{refused.message}); check [channels.email] from_address, bounce_domain and return_path_template"
        ) from None
    except (SMTPException, OSError) as failed:
        raise ChannelNotReady(f"email: {where} dropped the connection after the login ({failed})") from None
