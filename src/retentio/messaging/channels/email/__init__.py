"""Email over SMTP (``aiosmtplib``, pooled connections), with DKIM, per-message bounce addresses,
one-click unsubscribe headers, and the readers of bounces and complaints. See docs/providers/email.md."""
