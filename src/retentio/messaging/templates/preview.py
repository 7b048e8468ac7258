"""Preview: what a customer would get on a channel, and for an SMS how many parts it costs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retentio.messaging.content import Body, ChannelName, TextBody
from retentio.messaging.templates.budget import DEFAULT_LIMITS, Limits
from retentio.messaging.templates.compile import CompiledTemplate, compile_template
from retentio.messaging.templates.context import MessageContext
from retentio.messaging.templates.model import Template
from retentio.messaging.templates.render import render
from retentio.messaging.templates.sms import SmsLength, sms_length


@dataclass(frozen=True, slots=True)
class Preview:
    channel: ChannelName
    locale: str
    body: Body
    sms: SmsLength | None = None  # for the SMS channel


def preview(
    template: Template | CompiledTemplate,
    context: MessageContext,
    channel: ChannelName,
    limits: Limits = DEFAULT_LIMITS,
    extra: Mapping[str, Any] | None = None,
) -> Preview:
    """Render ``template`` for ``context`` on ``channel``; every failure is a ``TemplateError``
    (``TemplateInvalid`` for a template that does not compile)."""
    compiled = template if isinstance(template, CompiledTemplate) else compile_template(template)
    rendered = render(compiled, channel, context, limits, extra)
    body = rendered.body
    sms = sms_length(body.text) if channel is ChannelName.SMS and isinstance(body, TextBody) else None
    return Preview(channel, rendered.locale, body, sms)
