"""``[channels.email]``: the SMTP server, the sender, the pool, bounces and DKIM (docs/providers/email.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from retentio.messaging.channels.email.address import BadAddress, ascii_domain, domain_of, mailbox
from retentio.messaging.channels.email.tokens import encode_token

Security = Literal["starttls", "tls", "none"]
_DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The SMTP server (a relay such as Yandex 360, Unisender Go or the shop's own Postfix).
    host: str = "localhost"
    port: int | None = Field(default=None, ge=1, le=65535)  # 587 for starttls, 465 for tls, 25 for none
    security: Security = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    validate_certs: bool = True
    ca_file: Path | None = None  # a private CA or a self-signed server certificate
    helo_name: str | None = None  # the name said in EHLO; the machine's own name when not set
    timeout: float = Field(default=30.0, gt=0)  # seconds, for connecting and for each command

    # The sender, as the customer sees it.
    from_address: str
    from_name: str = ""
    reply_to: str | None = None

    # Connections kept open and reused; a connection is renewed after this many messages.
    pool_size: int = Field(default=4, ge=1, le=100)
    messages_per_connection: int = Field(default=1000, ge=1)

    # Message-ID: <token@message_id_domain>; the From address's domain when not set.
    message_id_domain: str | None = None
    # Bounces: with a bounce_domain each message's envelope sender is return_path_template with
    # {token} (the message id, encoded) and {domain}, so a bounce names the message it is about.
    bounce_domain: str | None = None
    return_path_template: str = "bounces+{token}@{domain}"
    # An address that also unsubscribes (List-Unsubscribe's mailto, beside the one-click link).
    unsubscribe_mailto: str | None = None

    # DKIM: signed when a key is given (as text, or a PEM file); the From domain when no dkim_domain.
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_private_key: SecretStr | None = None
    dkim_private_key_file: Path | None = None

    # Sends a second over all connections (None: as fast as the server takes them); burst at once.
    rate_per_second: float | None = Field(default=None, gt=0)
    rate_burst: int = Field(default=1, ge=1)

    @field_validator("from_address", "reply_to", "unsubscribe_mailto")
    @classmethod
    def _plain_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return mailbox(value)
        except BadAddress as bad:
            raise ValueError(str(bad)) from None

    @field_validator("message_id_domain", "bounce_domain", "dkim_domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return ascii_domain(value)
        except BadAddress as bad:
            raise ValueError(f"{value!r} {bad}") from None

    @field_validator("from_name")
    @classmethod
    def _one_line_name(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("from_name must be one line of printable characters")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> EmailSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together: give both or neither")
        if self.dkim_private_key is not None and self.dkim_private_key_file is not None:
            raise ValueError("give dkim_private_key or dkim_private_key_file, not both")
        if self.signs_dkim and not self.dkim_selector:
            raise ValueError("a DKIM key needs dkim_selector (the name of its DNS record)")
        if self.bounce_domain is not None:
            self._check_return_path()
        return self

    def _check_return_path(self) -> None:
        if self.return_path_template.count("{token}") != 1:
            raise ValueError("return_path_template must contain {token} exactly once")
        try:
            sample = self.return_path_template.format(token=encode_token("x"), domain=self.bounce_domain)
            mailbox(sample)
        except (KeyError, IndexError, ValueError) as bad:
            raise ValueError(f"return_path_template does not make an address: {bad}") from None

    @property
    def smtp_port(self) -> int:
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]

    @property
    def id_domain(self) -> str:
        return self.message_id_domain or domain_of(self.from_address)

    @property
    def signing_domain(self) -> str:
        return self.dkim_domain or domain_of(self.from_address)

    @property
    def signs_dkim(self) -> bool:
        return self.dkim_private_key is not None or self.dkim_private_key_file is not None

    def dkim_key_pem(self) -> bytes:
        """The DKIM key's PEM text (read from its file when given as one)."""
        if self.dkim_private_key is not None:
            return self.dkim_private_key.get_secret_value().encode()
        if self.dkim_private_key_file is not None:
            return self.dkim_private_key_file.read_bytes()
        raise ValueError("no DKIM key is configured")
