"""The links inside messages, open to anyone holding one (no key): the open pixel, click redirects
and the one-click unsubscribe (RFC 8058); the preference page is ``preference_page``. Each checks its
signature first, so a forged or edited link does nothing and redirects nowhere; each hit becomes a
message event in the log."""

from __future__ import annotations

import base64
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import read_body
from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep, SettingsDep
from retentio.config import Settings
from retentio.ingest import IngestOptions, ingest_events
from retentio.messaging import (
    Action,
    BadLink,
    Links,
    StoredMessage,
    hit_event,
    is_machine,
    links_for,
    load_messages,
)

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
MessageId = Annotated[str, Path(min_length=1, max_length=64)]
Signature = Annotated[str, Path(min_length=1, max_length=64)]
_NOT_OURS = "this link is not valid"


async def open_pixel(
    message_id: MessageId,
    signature: Signature,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    options: IngestOptionsDep,
) -> Response:
    """The image in an email: its fetch is an open (a machine's when a privacy proxy fetched it)."""
    signature = signature.removesuffix(".gif")
    await run_in_threadpool(
        _hit, engine, settings, options, clock.now(), request, message_id, signature, Action.OPEN
    )
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


async def click(
    message_id: MessageId,
    signature: Signature,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    options: IngestOptionsDep,
    url: Annotated[str, Query(max_length=4000)],
) -> RedirectResponse:
    """A link in a message: records the click, then sends the browser to the link's own target."""
    await run_in_threadpool(
        _hit, engine, settings, options, clock.now(), request, message_id, signature, Action.CLICK, url
    )
    return RedirectResponse(url, status.HTTP_302_FOUND, headers={"Cache-Control": "no-store"})


async def unsubscribe_page(
    message_id: MessageId, signature: Signature, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """The page an unsubscribe link opens: one button, so that a link scanner following the link
    unsubscribes nobody; and a link to the preference page, to stop only some kinds instead."""
    message, links = await run_in_threadpool(
        _checked, engine, settings, clock.now(), message_id, signature, Action.UNSUBSCRIBE
    )
    channel = escape(message.channel or "email")
    body = (
        f"<form method='post'><p>Unsubscribe from messages by {channel}? / "
        f"Отписаться от сообщений ({channel})?</p><button type='submit' name='List-Unsubscribe' "
        "value='One-Click'>Unsubscribe / Отписаться</button></form>" + _preferences_link(links, message)
    )
    return HTMLResponse(_page(body))


async def unsubscribe(
    message_id: MessageId,
    signature: Signature,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    options: IngestOptionsDep,
) -> HTMLResponse:
    """One-click unsubscribe: a mail client's POST with ``List-Unsubscribe=One-Click`` (RFC 8058), or
    the page's button. The customer's consent for the message's channel is withdrawn."""
    body = await read_body(request, 4096)
    if b"List-Unsubscribe=One-Click" not in body:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected the body List-Unsubscribe=One-Click")
    message, links = await run_in_threadpool(
        _hit, engine, settings, options, clock.now(), request, message_id, signature, Action.UNSUBSCRIBE
    )
    channel = escape(message.channel or "email")
    done = f"<p>Done: no more messages by {channel}. / Готово: сообщений ({channel}) больше не будет.</p>"
    return HTMLResponse(_page(done + _preferences_link(links, message)))


def _hit(
    engine: Engine,
    settings: Settings,
    options: IngestOptions,
    now: datetime,
    request: Request,
    message_id: str,
    signature: str,
    action: Action,
    url: str | None = None,
) -> tuple[StoredMessage, Links]:
    message, links = _checked(engine, settings, now, message_id, signature, action, url)
    if action is Action.UNSUBSCRIBE:
        event_type, machine = "message_unsubscribed", False
    else:
        agent = request.headers.get("user-agent", "")
        client = request.client.host if request.client is not None else None
        machine = is_machine(agent, client, message.sent_at, now)
        event_type = "message_opened" if action is Action.OPEN else "message_clicked"
    ingest_events(engine, [hit_event(message, event_type, now, machine, url)], now, options)
    return message, links


def _checked(
    engine: Engine,
    settings: Settings,
    now: datetime,
    message_id: str,
    signature: str,
    action: Action,
    target: str | None = None,
) -> tuple[StoredMessage, Links]:
    secret = None if settings.secret_key is None else settings.secret_key.get_secret_value()
    with engine.begin() as connection:
        links = links_for(connection, settings.public_url, secret, now)
        try:
            links.verify(action, message_id, signature, target or "")
        except BadLink:
            raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_OURS) from None
        message = load_messages(connection, [message_id]).get(message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_OURS)
    return message, links


def _preferences_link(links: Links, message: StoredMessage) -> str:
    url = escape(links.preferences(message.customer_id))
    return f"<p><a href='{url}'>Choose which messages to receive / Выбрать, какие сообщения получать</a></p>"


def _page(body: str) -> str:
    head = "<meta charset='utf-8'><title>Retentio</title>"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"
