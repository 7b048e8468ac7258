"""What goes wrong with a template: a template that cannot be saved (``TemplateInvalid``, every
problem at once) and one message that cannot be rendered (``TemplateError``, which fails that message
with its reason and never the batch)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    SYNTAX = "syntax"  # the Jinja source does not parse
    UNKNOWN = "unknown"  # an unknown filter, test or variable, found before rendering
    UNDEFINED = "undefined"  # a variable or attribute this message's data lacks
    SECURITY = "security"  # reaching Python internals (a sandbox escape attempt)
    LIMIT = "limit"  # too long, too slow, too deep
    VALUE = "value"  # a value a filter or an operator cannot take (money("abc"), 1/0)
    NO_BODY = "no_body"  # the template has nothing for this channel
    INVALID = "invalid"  # the template cannot be saved: see ``TemplateInvalid.problems``


class TemplateError(Exception):
    """One message could not be rendered; ``str()`` says where and why, for the message's outcome."""

    def __init__(
        self,
        reason: str,
        *,
        kind: ErrorKind,
        template: str = "",
        channel: str = "",
        locale: str = "",
        part: str = "",
        line: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.template = template
        self.channel = channel
        self.locale = locale
        self.part = part
        self.line = line

    @property
    def where(self) -> str:
        place = ".".join(piece for piece in (self.channel, self.locale, self.part) if piece)
        line = f" line {self.line}" if self.line is not None else ""
        name = f"template {self.template!r} " if self.template else ""
        return f"{name}{place}{line}".strip()

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # a path in the template's dict form: "channels.email.ru.subject"
    message: str
    line: int | None = None  # within that part's source, from 1

    def __str__(self) -> str:
        line = f" line {self.line}" if self.line is not None else ""
        return f"{self.where}{line}: {self.message}"


class TemplateInvalid(TemplateError, ValueError):
    """A template cannot be saved (or previewed) as given; ``problems`` lists everything wrong."""

    def __init__(self, name: str, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"is invalid:\n{listed}", kind=ErrorKind.INVALID, template=name)
