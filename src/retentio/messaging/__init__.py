"""Messaging: saying something to a customer — message requests and their outcomes, templates,
channels and their adapters (``channels/``), the cascade between channels, caps, quiet hours and
consent checks, and tracking of what happened to each message afterwards.

This package is the area's facade: other areas import these names from ``retentio.messaging``,
never its modules (``lint-imports`` checks it); each loads its module on first use
(``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.messaging.callbacks import report_events
    from retentio.messaging.channels.port import (
        Callback,
        DeliveryReport,
        Outgoing,
        Polled,
        ReportsByCallback,
        ReportsByPolling,
    )
    from retentio.messaging.channels.providers import Wiring, build_channels, resolve
    from retentio.messaging.config import MessagingConfigError, load_messaging_config
    from retentio.messaging.consumer import MessagesConsumer
    from retentio.messaging.content import Body, ChannelName, EmailBody, Kind, PushBody, TextBody
    from retentio.messaging.links import Action, BadLink, Links, links_for
    from retentio.messaging.onsite_inbox import (
        Marked,
        OnsiteMessage,
        active_onsite_messages,
        do_dismiss_onsite_message,
        do_mark_onsite_seen,
    )
    from retentio.messaging.preferences import (
        ChannelPreferences,
        CustomerUnknown,
        PreferenceInvalid,
        Saved,
        Wish,
        current_preferences,
        do_set_preferences,
        preference_events,
        wish,
    )
    from retentio.messaging.reports_polling import POLL_REPORTS, ReportPoller
    from retentio.messaging.requests import AUTO, KEY_LENGTH, MAX_PRIORITY, SEND, MessageRequest
    from retentio.messaging.rules_config import sending_rules
    from retentio.messaging.send.loop import ChannelLoop
    from retentio.messaging.send.preview import PreviewRefused, preview_message
    from retentio.messaging.send.render import RenderFailed
    from retentio.messaging.send.step import Sender
    from retentio.messaging.service import do_request_messages
    from retentio.messaging.store import StoredMessage, customer_messages, load_messages
    from retentio.messaging.template_store import (
        delete_template,
        load_template,
        save_template,
        template_names,
    )
    from retentio.messaging.templates import TemplateError, TemplateInvalid, template_to_dict
    from retentio.messaging.tracking import hit_event, is_machine

__all__ = [
    "AUTO",
    "KEY_LENGTH",
    "MAX_PRIORITY",
    "POLL_REPORTS",
    "SEND",
    "Action",
    "BadLink",
    "Body",
    "Callback",
    "ChannelLoop",
    "ChannelName",
    "ChannelPreferences",
    "CustomerUnknown",
    "DeliveryReport",
    "EmailBody",
    "Kind",
    "Links",
    "Marked",
    "MessageRequest",
    "MessagesConsumer",
    "MessagingConfigError",
    "OnsiteMessage",
    "Outgoing",
    "Polled",
    "PreferenceInvalid",
    "PreviewRefused",
    "PushBody",
    "RenderFailed",
    "ReportPoller",
    "ReportsByCallback",
    "ReportsByPolling",
    "Saved",
    "Sender",
    "StoredMessage",
    "TemplateError",
    "TemplateInvalid",
    "TextBody",
    "Wiring",
    "Wish",
    "active_onsite_messages",
    "build_channels",
    "current_preferences",
    "customer_messages",
    "delete_template",
    "do_dismiss_onsite_message",
    "do_mark_onsite_seen",
    "do_request_messages",
    "do_set_preferences",
    "hit_event",
    "is_machine",
    "links_for",
    "load_messages",
    "load_messaging_config",
    "load_template",
    "preference_events",
    "preview_message",
    "report_events",
    "resolve",
    "save_template",
    "sending_rules",
    "template_names",
    "template_to_dict",
    "wish",
]

_EXPORTS = {
    "retentio.messaging.consumer": ["MessagesConsumer"],
    "retentio.messaging.send.step": ["Sender"],
    "retentio.messaging.send.loop": ["ChannelLoop"],
    "retentio.messaging.rules_config": ["sending_rules"],
    "retentio.messaging.config": ["load_messaging_config", "MessagingConfigError"],
    "retentio.messaging.channels.providers": ["resolve", "build_channels", "Wiring"],
    "retentio.messaging.templates": ["template_to_dict", "TemplateInvalid", "TemplateError"],
    "retentio.messaging.template_store": [
        "template_names",
        "save_template",
        "load_template",
        "delete_template",
    ],
    "retentio.messaging.send.render": ["RenderFailed"],
    "retentio.messaging.send.preview": ["preview_message", "PreviewRefused"],
    "retentio.messaging.preferences": [
        "ChannelPreferences",
        "CustomerUnknown",
        "PreferenceInvalid",
        "Saved",
        "Wish",
        "current_preferences",
        "do_set_preferences",
        "preference_events",
        "wish",
    ],
    "retentio.messaging.tracking": ["is_machine", "hit_event"],
    "retentio.messaging.links": ["links_for", "Links", "BadLink", "Action"],
    "retentio.messaging.callbacks": ["report_events"],
    "retentio.messaging.onsite_inbox": [
        "do_mark_onsite_seen",
        "do_dismiss_onsite_message",
        "active_onsite_messages",
        "OnsiteMessage",
        "Marked",
    ],
    "retentio.messaging.store": ["load_messages", "customer_messages", "StoredMessage"],
    "retentio.messaging.service": ["do_request_messages"],
    "retentio.messaging.channels.port": [
        "ReportsByCallback",
        "ReportsByPolling",
        "Polled",
        "Outgoing",
        "DeliveryReport",
        "Callback",
    ],
    "retentio.messaging.reports_polling": ["POLL_REPORTS", "ReportPoller"],
    "retentio.messaging.requests": ["SEND", "MessageRequest", "MAX_PRIORITY", "KEY_LENGTH", "AUTO"],
    "retentio.messaging.content": ["TextBody", "PushBody", "Kind", "EmailBody", "ChannelName", "Body"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
