"""Each message's own envelope sender (VERP), so a bounce says which message it is about.

A bounce goes to the envelope sender (``MAIL FROM``), not to From. With ``bounce_domain`` set, a
message with id ``0190b6e2-...`` leaves with ``MAIL FROM:<bounces+0190b6e2-...@bounce.shop.ru>``;
whatever comes back to that address is about that message, even when the bounce itself is too
mangled to name it (``message_id_from_bounce_address``).
"""

from __future__ import annotations

from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.email.tokens import decode_token, encode_token


def bounce_address(message_id: str, settings: EmailSettings) -> str | None:
    """The envelope sender for this message; None when bounces go to the From address."""
    if settings.bounce_domain is None:
        return None
    return settings.return_path_template.format(token=encode_token(message_id), domain=settings.bounce_domain)


def message_id_from_bounce_address(address: str, settings: EmailSettings) -> str | None:
    """The message id inside a bounce address ``bounce_address`` made, or None when it is not one."""
    if settings.bounce_domain is None:
        return None
    before, _, after = settings.return_path_template.partition("{token}")
    prefix = before.format(domain=settings.bounce_domain).lower()
    suffix = after.format(domain=settings.bounce_domain).lower()
    candidate = address.strip().removeprefix("<").removesuffix(">").lower()
    if len(candidate) <= len(prefix) + len(suffix):
        return None
    if not (candidate.startswith(prefix) and candidate.endswith(suffix)):
        return None
    return decode_token(candidate[len(prefix) : len(candidate) - len(suffix)])
