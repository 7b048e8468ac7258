"""A message template: a name, and per channel and locale the parts a marketer writes as Jinja2.

``channels`` maps a channel to its locales and each locale to its parts' sources:
``{"email": {"ru": {"subject": "...", "html": "...", "text": "..."}}, "sms": {"ru": {"text": "..."}}}``.
Which parts a channel has, which are required and how long each may grow once rendered is
``CHANNEL_PARTS``; ``serialise.template_from_dict`` checks a template against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from retentio.messaging.content import ChannelName

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PartSpec:
    name: str
    required: bool
    html: bool  # rendered with HTML autoescaping; every other part is plain text, not escaped
    max_chars: int  # a rendered part longer than this fails the message (a provider's limit, or abuse)


_URL = 2048
_PUSH = (
    PartSpec("title", True, False, 250),
    PartSpec("body", True, False, 4000),
    PartSpec("url", False, False, _URL),
    PartSpec("image_url", False, False, _URL),
)
CHANNEL_PARTS: Mapping[ChannelName, tuple[PartSpec, ...]] = MappingProxyType(
    {
        # email needs a subject and a text or an HTML part (text is then made from the HTML)
        ChannelName.EMAIL: (
            PartSpec("subject", True, False, 998),  # RFC 5322's line limit
            PartSpec("html", False, True, MIB),
            PartSpec("text", False, False, MIB),
        ),
        ChannelName.SMS: (PartSpec("text", True, False, 2000),),  # about 30 UCS-2 parts: providers stop there
        ChannelName.TELEGRAM: (PartSpec("text", True, False, 4096), PartSpec("url", False, False, _URL)),
        ChannelName.VIBER: (PartSpec("text", True, False, 7000), PartSpec("url", False, False, _URL)),
        ChannelName.PUSH: _PUSH,
        ChannelName.WEB_PUSH: _PUSH,
        ChannelName.ONSITE: (
            PartSpec("title", True, False, 250),
            PartSpec("body", True, False, 65536),
            PartSpec("url", False, False, _URL),
            PartSpec("image_url", False, False, _URL),
        ),
    }
)

Parts = Mapping[str, str]  # part name -> Jinja2 source


def _frozen(channels: Mapping[ChannelName, Mapping[str, Parts]]) -> Mapping[ChannelName, Mapping[str, Parts]]:
    return MappingProxyType(
        {
            ChannelName(channel): MappingProxyType(
                {locale: MappingProxyType(dict(parts)) for locale, parts in locales.items()}
            )
            for channel, locales in channels.items()
        }
    )


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    default_locale: str
    channels: Mapping[ChannelName, Mapping[str, Parts]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", _frozen(self.channels))

    def locale_for(self, channel: ChannelName, wanted: str | None) -> str | None:
        """The locale to write to a customer in: theirs (``ru_RU`` matches ``ru``), else the template's
        default, else the first the channel has; ``None`` when the template has nothing for the channel."""
        available = list(self.channels.get(channel, {}))
        if not available:
            return None
        if wanted:
            language, _, region = wanted.replace("-", "_").partition("_")
            for candidate in (f"{language.lower()}_{region.upper()}", language.lower()):
                if candidate in available:
                    return candidate
        return self.default_locale if self.default_locale in available else available[0]
