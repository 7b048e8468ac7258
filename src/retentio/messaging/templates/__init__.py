"""Message templates (COM-9): one template, per-channel bodies in Russian and English, rendered in a
Jinja2 sandbox with Babel's money, dates and plural forms; SMS length at preview.

What the other areas call: ``template_from_dict``/``template_to_dict`` (the stored form), ``compile_template``
(once per template version; ``TemplateInvalid`` lists every problem), ``render`` (one message, or a
``TemplateError`` that fails that message only), ``preview`` (with the SMS length), and the tracking
hooks ``rewrite_links`` and ``add_pixel`` for rendered email HTML.
"""

from retentio.messaging.templates.budget import DEFAULT_LIMITS, Limits
from retentio.messaging.templates.compile import CompiledTemplate, compile_template, template_problems
from retentio.messaging.templates.context import (
    VARIABLE_TYPES,
    Cart,
    ContextInvalid,
    Coupon,
    Customer,
    Item,
    Loyalty,
    MessageContext,
    Offer,
    Order,
    Product,
    Profile,
    context_from_dict,
)
from retentio.messaging.templates.errors import ErrorKind, Problem, TemplateError, TemplateInvalid
from retentio.messaging.templates.model import CHANNEL_PARTS, PartSpec, Template
from retentio.messaging.templates.preview import Preview, preview
from retentio.messaging.templates.render import Rendered, render
from retentio.messaging.templates.serialise import (
    template_from_dict,
    template_from_json,
    template_to_dict,
    template_to_json,
)
from retentio.messaging.templates.sms import SmsEncoding, SmsLength, sms_length
from retentio.messaging.templates.tracking_hooks import NO_TRACK, add_pixel, rewrite_links

__all__ = [
    "CHANNEL_PARTS",
    "DEFAULT_LIMITS",
    "NO_TRACK",
    "VARIABLE_TYPES",
    "Cart",
    "CompiledTemplate",
    "ContextInvalid",
    "Coupon",
    "Customer",
    "ErrorKind",
    "Item",
    "Limits",
    "Loyalty",
    "MessageContext",
    "Offer",
    "Order",
    "PartSpec",
    "Preview",
    "Problem",
    "Product",
    "Profile",
    "Rendered",
    "SmsEncoding",
    "SmsLength",
    "Template",
    "TemplateError",
    "TemplateInvalid",
    "add_pixel",
    "compile_template",
    "context_from_dict",
    "preview",
    "render",
    "rewrite_links",
    "sms_length",
    "template_from_dict",
    "template_from_json",
    "template_problems",
    "template_to_dict",
    "template_to_json",
]
