"""Render one message: pick the body for the customer's locale, render each part in the sandbox
within its limits, and hand back what the channel sends (``content.EmailBody``, ``TextBody``,
``PushBody``). Anything that goes wrong is a ``TemplateError`` naming the part, the line and the
reason; it fails this message only.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from jinja2 import Template as JinjaTemplate
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from retentio.messaging.content import Body, ChannelName, EmailBody, PushBody, TextBody
from retentio.messaging.templates.budget import (
    DEFAULT_LIMITS,
    LimitExceeded,
    Limits,
    Rendering,
    check_time,
    rendering,
)
from retentio.messaging.templates.compile import CompiledTemplate
from retentio.messaging.templates.context import MessageContext, variables
from retentio.messaging.templates.errors import ErrorKind, TemplateError
from retentio.messaging.templates.model import CHANNEL_PARTS, PartSpec
from retentio.messaging.templates.plain_text import html_to_text

_TEMPLATE_FILE = "<template>"  # the file name Jinja gives a template compiled from a string
_URL_PARTS = frozenset({"url", "image_url"})
_OUR_TYPES = re.compile(r"'retentio(?:\.\w+)*\.(\w+) object'")  # "'Customer'", not a module path


@dataclass(frozen=True, slots=True)
class Rendered:
    channel: ChannelName
    locale: str  # the body's locale (the customer's, or the fallback taken)
    body: Body


def _line(error: BaseException) -> int | None:
    frames = traceback.extract_tb(error.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == _TEMPLATE_FILE]
    return lines[-1] if lines else None


def _classified(error: Exception) -> tuple[ErrorKind, str]:
    if isinstance(error, SecurityError):
        return ErrorKind.SECURITY, f"not allowed: {error}"
    if isinstance(error, UndefinedError):
        reason = _OUR_TYPES.sub(r"'\1'", str(error))
        if reason.startswith("'None' has no attribute"):  # {{ coupon.code }} for a message without one
            reason += " (a part this message does not have: put it inside {% if … %})"
        return ErrorKind.UNDEFINED, reason
    if isinstance(error, LimitExceeded):
        return ErrorKind.LIMIT, str(error)
    if isinstance(error, RecursionError):
        return ErrorKind.LIMIT, "macros or loops nested too deep"
    if isinstance(error, MemoryError):
        return ErrorKind.LIMIT, "ran out of memory"
    if isinstance(error, OverflowError):
        return ErrorKind.LIMIT, f"a number too large: {error}"
    return ErrorKind.VALUE, f"{type(error).__name__}: {error}"


def _render_part(template: JinjaTemplate, names: Mapping[str, Any], spec: PartSpec) -> str:
    """Stream the part, stopping as soon as it is longer than the part may be or time is up."""
    chunks: list[str] = []
    length = 0
    stream = cast(Generator[str, None, None], template.generate(names))
    try:
        for chunk in stream:
            length += len(chunk)
            if length > spec.max_chars:
                raise LimitExceeded(f"longer than the {spec.max_chars} characters a {spec.name} may have")
            check_time()
            chunks.append(chunk)
    finally:
        stream.close()
    return "".join(chunks)


def _one_line(text: str) -> str:
    """Subjects and titles are one line: a newline in a subject would be a header of its own."""
    return " ".join(text.split())


def _body(channel: ChannelName, parts: Mapping[str, str]) -> Body:
    if channel is ChannelName.EMAIL:
        html = parts.get("html") or None
        text = parts.get("text") or html_to_text(html or "")
        return EmailBody(subject=_one_line(parts["subject"]), text=text, html=html)
    if channel in (ChannelName.SMS, ChannelName.TELEGRAM, ChannelName.VIBER):
        return TextBody(text=parts["text"].strip(), url=parts.get("url") or None)
    return PushBody(
        title=_one_line(parts["title"]),
        body=parts["body"].strip(),
        url=parts.get("url") or None,
        image_url=parts.get("image_url") or None,
    )


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    """One ``Locale`` object per locale: Babel builds a new one on every parse (5 µs), and the
    helpers' caches are keyed on it."""
    return Locale.parse(name)


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None


def render(
    compiled: CompiledTemplate,
    channel: ChannelName,
    context: MessageContext,
    limits: Limits = DEFAULT_LIMITS,
    extra: Mapping[str, Any] | None = None,
) -> Rendered:
    """One message on one channel. ``extra`` adds names of the caller's own (declare them to
    ``compile_template(known=…)`` too); they go through the sandbox's checks like any value."""
    template = compiled.template
    failure: dict[str, Any] = {"template": template.name, "channel": channel.value}
    locale = template.locale_for(channel, context.customer.locale)
    if locale is None:
        raise TemplateError(f"the template has no {channel} body", kind=ErrorKind.NO_BODY, **failure)
    failure["locale"] = locale
    try:
        timezone = _timezone(context.customer.timezone)
    except ValueError as error:
        raise TemplateError(str(error), kind=ErrorKind.VALUE, **failure) from None
    start = limits.monotonic()
    budget = limits.seconds
    state = Rendering(
        _locale(locale), timezone, context.currency, limits, start + budget, limits.cpu() + budget
    )
    names = {**variables(context), **(extra or {})}
    parts: dict[str, str] = {}
    with rendering(state):
        for spec in CHANNEL_PARTS[channel]:
            part = compiled.parts.get((channel, locale, spec.name))
            if part is None:
                continue
            try:
                parts[spec.name] = _render_part(part, names, spec)
            except Exception as error:  # any failure of a template is this message's, never the worker's
                kind, reason = _classified(error)
                raise TemplateError(
                    reason, kind=kind, part=spec.name, line=_line(error), **failure
                ) from error
            if spec.name in _URL_PARTS:
                parts[spec.name] = parts[spec.name].strip()
                _check_url(parts[spec.name], spec.name, failure)
    return Rendered(channel, locale, _body(channel, parts))


def _check_url(url: str, part: str, failure: dict[str, Any]) -> None:
    """A link a customer taps must be a web address: customer data in it must not make it a
    ``javascript:`` link on the shop's site."""
    if url and not url.lower().startswith(("https://", "http://")):
        raise TemplateError(
            f"{part} must be an http(s) address, not {url[:80]!r}", kind=ErrorKind.VALUE, part=part, **failure
        )
