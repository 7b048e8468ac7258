"""Messaging: saying something to a customer — message requests and their outcomes, templates,
channels and their adapters (``channels/``), the cascade between channels, caps, quiet hours and
consent checks, and tracking of what happened to each message afterwards."""
