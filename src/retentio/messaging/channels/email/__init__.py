"""Email over SMTP (``aiosmtplib``, pooled connections), with DKIM, per-message bounce addresses,
one-click unsubscribe headers, and the readers of bounces and complaints. See docs/providers/email.md."""

from retentio.messaging.channels.email.channel import EmailChannel
from retentio.messaging.channels.email.return_path import bounce_address, message_id_from_bounce_address
from retentio.messaging.channels.email.settings import EmailSettings

__all__ = ["EmailChannel", "EmailSettings", "bounce_address", "message_id_from_bounce_address"]
