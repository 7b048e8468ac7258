"""A template to and from its plain form (a dict, or JSON) — what the store and the API keep.

Reading checks the shape and says everything wrong at once: an unknown channel or part, a missing
required part (an email without a subject), a locale Babel does not know. Whether the Jinja2 in the
parts is sound is ``compile.compile_template``'s to say.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from babel import Locale, UnknownLocaleError

from retentio.messaging.content import ChannelName
from retentio.messaging.templates.errors import Problem, TemplateInvalid
from retentio.messaging.templates.model import CHANNEL_PARTS, Parts, Template

MAX_SOURCE_CHARS = 256 * 1024  # one part's source; a longer one is a paste gone wrong
_KEYS = ("name", "default_locale", "channels")


def normal_locale(code: object) -> str | None:
    """``ru``, ``en``, ``en-GB`` -> Babel's spelling (``en_GB``); ``None`` for what Babel does not know."""
    if not isinstance(code, str) or not code.strip():
        return None
    try:
        return str(Locale.parse(code.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _channel(name: str, problems: list[Problem]) -> ChannelName | None:
    known = [channel.value for channel in CHANNEL_PARTS]
    if name in known:
        return ChannelName(name)
    problems.append(
        Problem(f"channels.{name}", f"unknown channel {name!r}; the channels are {', '.join(known)}")
    )
    return None


def _parts(channel: ChannelName, where: str, given: object, problems: list[Problem]) -> Parts:
    specs = {spec.name: spec for spec in CHANNEL_PARTS[channel]}
    if not isinstance(given, Mapping):
        problems.append(Problem(where, "give the parts as an object: part name -> template text"))
        return {}
    parts: dict[str, str] = {}
    for name, source in given.items():
        if name not in specs:
            problems.append(
                Problem(f"{where}.{name}", f"{channel} has no part {name!r}; it has {', '.join(specs)}")
            )
        elif not isinstance(source, str):
            problems.append(Problem(f"{where}.{name}", "a part is template text (a string)"))
        elif len(source) > MAX_SOURCE_CHARS:
            problems.append(Problem(f"{where}.{name}", f"longer than {MAX_SOURCE_CHARS} characters"))
        elif source.strip():
            parts[name] = source
    for spec in specs.values():
        if spec.required and spec.name not in parts:
            problems.append(Problem(f"{where}.{spec.name}", f"{channel} needs a {spec.name}"))
    if channel is ChannelName.EMAIL and not ({"html", "text"} & parts.keys()):
        problems.append(Problem(f"{where}", "email needs an html or a text part (or both)"))
    return parts


def _locales(channel: ChannelName, given: object, problems: list[Problem]) -> dict[str, Parts]:
    where = f"channels.{channel}"
    if not isinstance(given, Mapping) or not given:
        problems.append(Problem(where, 'give the bodies per locale: {"ru": {...}, "en": {...}}'))
        return {}
    locales: dict[str, Parts] = {}
    for code, parts in given.items():
        locale = normal_locale(code)
        if locale is None:
            problems.append(Problem(f"{where}.{code}", f"unknown locale {code!r} (e.g. ru, en)"))
            continue
        locales[locale] = _parts(channel, f"{where}.{code}", parts, problems)
    return locales


def template_from_dict(data: Mapping[str, Any]) -> Template:
    """Read a template's plain form; raise ``TemplateInvalid`` with every problem found."""
    if not isinstance(data, Mapping):
        raise TemplateInvalid(
            "?", [Problem("", "a template is an object with name, default_locale, channels")]
        )
    problems = [
        Problem(key, f"unknown field {key!r}; a template has {', '.join(_KEYS)}")
        for key in data
        if key not in _KEYS
    ]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(Problem("name", "give the template a name (1 to 200 characters)"))
        name = str(name or "?")
    default_locale = normal_locale(data.get("default_locale"))
    if default_locale is None:
        problems.append(
            Problem("default_locale", f"unknown locale {data.get('default_locale')!r} (e.g. ru, en)")
        )
    given = data.get("channels")
    if not isinstance(given, Mapping) or not given:
        problems.append(Problem("channels", 'give at least one channel\'s body: {"email": {"ru": {...}}}'))
        given = {}
    channels = {}
    for key, locales in given.items():
        channel = _channel(str(key), problems)
        if channel is not None:
            channels[channel] = _locales(channel, locales, problems)
    if problems:
        raise TemplateInvalid(name, problems)
    return Template(name=name.strip(), default_locale=default_locale or "", channels=channels)


def template_to_dict(template: Template) -> dict[str, Any]:
    return {
        "name": template.name,
        "default_locale": template.default_locale,
        "channels": {
            channel.value: {locale: dict(parts) for locale, parts in locales.items()}
            for channel, locales in template.channels.items()
        },
    }


def template_from_json(text: str) -> Template:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateInvalid("?", [Problem("", f"not JSON: {error}", line=error.lineno)]) from error
    return template_from_dict(data)


def template_to_json(template: Template) -> str:
    return json.dumps(template_to_dict(template), ensure_ascii=False, indent=2)
