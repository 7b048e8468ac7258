"""The preference page (COM-8): the signed link in every message opens the customer's choices — per
channel they have an address on, marketing and trigger messages on or off — without a login. The
link's signature names the customer, so a forged or edited link shows and changes nothing. Plain
server-rendered HTML in the customer's language (Russian or English), no script; saving records only
what changed (source ``preference_page``) and logs it as events so profiles and segments see it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import read_body
from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep, SettingsDep
from retentio.config import Settings
from retentio.ingest import IngestOptions, ingest_events
from retentio.messaging import (
    BadLink,
    ChannelPreferences,
    CustomerUnknown,
    PreferenceInvalid,
    current_preferences,
    do_set_preferences,
    links_for,
    preference_events,
    wish,
)

Token = Annotated[str, Path(min_length=1, max_length=200)]
Signature = Annotated[str, Path(min_length=1, max_length=64)]
SOURCE = "preference_page"
_KINDS = ("marketing", "trigger")
_NOT_OURS = "this link is not valid"
# The page changes what the customer receives: no framing (clickjacking), its signed address in no
# Referer, and nothing loaded from anywhere.
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}
_PAGES = Environment(
    loader=PackageLoader("retentio.api", "pages"), autoescape=select_autoescape(default=True)
)

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "lang": "en",
        "title": "Your message preferences",
        "caption": "Which messages you receive, by channel",
        "channel": "Channel",
        "marketing": "Offers and news",
        "trigger": "Reminders (cart, back in stock, price drops)",
        "transactional": "Orders and delivery",
        "receive": "Receive",
        "always": "Always sent",
        "save": "Save",
        "saved": "Saved. Your choices below are in force now.",
        "nothing": "We have no address of yours to send messages to.",
        "channels": {
            "email": "Email",
            "sms": "SMS",
            "push": "App notifications",
            "web_push": "Browser notifications",
            "telegram": "Telegram",
            "viber": "Viber",
        },
    },
    "ru": {
        "lang": "ru",
        "title": "Настройки рассылок",
        "caption": "Какие сообщения вы получаете и куда",
        "channel": "Канал",
        "marketing": "Акции и новости",
        "trigger": "Напоминания (корзина, поступление товара, снижение цены)",
        "transactional": "Заказы и доставка",
        "receive": "Получать",
        "always": "Приходят всегда",
        "save": "Сохранить",
        "saved": "Сохранено. Ниже — настройки, которые действуют сейчас.",
        "nothing": "У нас нет вашего адреса для сообщений.",
        "channels": {
            "email": "Эл. почта",
            "sms": "SMS",
            "push": "Уведомления приложения",
            "web_push": "Уведомления в браузере",
            "telegram": "Telegram",
            "viber": "Viber",
        },
    },
}


async def preference_page(
    token: Token, signature: Signature, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """The customer's choices as they stand."""
    locale, rows = await run_in_threadpool(_current, engine, settings, clock.now(), token, signature)
    return _page(locale, rows, saved=False)


async def save_preferences(
    token: Token,
    signature: Signature,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    options: IngestOptionsDep,
) -> HTMLResponse:
    """The form sent back: a ticked box is a kind wanted on that channel, an unticked one a kind
    stopped, for every channel the page showed."""
    form = parse_qs((await read_body(request, 16 * 1024)).decode("utf-8", "replace"))
    locale, rows = await run_in_threadpool(
        _save, engine, settings, options, clock.now(), token, signature, form
    )
    return _page(locale, rows, saved=True)


def _customer_of(engine: Engine, settings: Settings, now: datetime, token: str, signature: str) -> str:
    secret = None if settings.secret_key is None else settings.secret_key.get_secret_value()
    with engine.begin() as connection:
        links = links_for(connection, settings.public_url, secret, now)
    try:
        return links.preferences_customer(token, signature)
    except BadLink:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_OURS) from None


def _current(
    engine: Engine, settings: Settings, now: datetime, token: str, signature: str
) -> tuple[str | None, tuple[ChannelPreferences, ...]]:
    customer_id = _customer_of(engine, settings, now, token, signature)
    try:
        with engine.connect() as connection:
            _, customer, rows = current_preferences(connection, customer_id, now)
    except CustomerUnknown:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_OURS) from None
    return customer.locale, rows


def _save(
    engine: Engine,
    settings: Settings,
    options: IngestOptions,
    now: datetime,
    token: str,
    signature: str,
    form: dict[str, list[str]],
) -> tuple[str | None, tuple[ChannelPreferences, ...]]:
    customer_id = _customer_of(engine, settings, now, token, signature)
    try:
        with engine.begin() as connection:
            _, customer, shown = current_preferences(connection, customer_id, now)
            ticked = _ticked(form)
            wishes = [
                wish(row.channel.value, kind, (row.channel.value, kind) in ticked, "form")
                for row in shown
                for kind in _KINDS
            ]
            saved = do_set_preferences(connection, customer_id, wishes, SOURCE, now)
    except CustomerUnknown:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_OURS) from None
    except PreferenceInvalid as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    events = preference_events(saved)
    if events:
        ingest_events(engine, events, now, options)  # after the commit: the log follows the record
    return customer.locale, saved.preferences


def _ticked(form: dict[str, list[str]]) -> set[tuple[str, str]]:
    """The boxes ticked; a name that is no channel and kind of this page is a forged form."""
    ticked = set()
    for name in form:
        channel, _, kind = name.partition(":")
        wish(channel, kind, True, name)  # PreferenceInvalid names what is wrong
        ticked.add((channel, kind))
    return ticked


def _page(locale: str | None, rows: tuple[ChannelPreferences, ...], *, saved: bool) -> HTMLResponse:
    words = WORDS["ru" if (locale or "").lower().startswith("ru") else "en"]
    shown = [
        {"channel": row.channel.value, "receives": {kind.value: on for kind, on in row.receives.items()}}
        for row in rows
    ]
    html = _PAGES.get_template("preferences.html").render(words=words, rows=shown, kinds=_KINDS, saved=saved)
    return HTMLResponse(html, headers=_HEADERS)
