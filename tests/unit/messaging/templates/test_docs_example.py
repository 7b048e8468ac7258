"""docs/templates.md shows a template, a message's data and what they render to: keep it true."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from tests.conftest import REPO_ROOT

from retentio.messaging.content import ChannelName, EmailBody, TextBody
from retentio.messaging.templates import context_from_dict, preview, template_from_json

DOC = (REPO_ROOT / "docs" / "templates.md").read_text()
BLOCKS = re.findall(r"```(\w[\w+]*)\n(.*?)```", DOC, re.DOTALL)


def blocks(kind: str) -> list[str]:
    return [text for language, text in BLOCKS if language == kind]


def test_the_full_example_renders_as_the_guide_shows() -> None:
    # given the guide's template and data
    template_json, data_json = blocks("json")[:2]
    template = template_from_json(template_json)
    anna = context_from_dict(json.loads(data_json))
    ann = replace(anna, customer=replace(anna.customer, first_name="Ann", locale="en"), loyalty=None)
    shown_html, *shown_texts = blocks("html"), *blocks("text")
    # when
    email_ru, sms_ru = preview(template, anna, ChannelName.EMAIL), preview(template, anna, ChannelName.SMS)
    email_en, sms_en = preview(template, ann, ChannelName.EMAIL), preview(template, ann, ChannelName.SMS)
    # then
    assert isinstance(email_ru.body, EmailBody) and isinstance(email_en.body, EmailBody)
    assert f"`{email_ru.body.subject}`" in DOC
    assert _loose(email_ru.body.html or "") == _loose(shown_html[0])
    assert _loose(email_ru.body.text) == _loose(shown_texts[0])
    assert isinstance(sms_ru.body, TextBody) and isinstance(sms_en.body, TextBody)
    assert _loose(sms_ru.body.text) == _loose(shown_texts[1])
    assert sms_ru.sms is not None and (sms_ru.sms.characters, sms_ru.sms.segments) == (76, 2)
    assert f"`{email_en.body.subject}`" in DOC
    assert _loose(email_en.body.text) == _loose(shown_texts[2])
    assert _loose(sms_en.body.text) == _loose(shown_texts[3])
    assert sms_en.sms is not None and (sms_en.sms.characters, sms_en.sms.segments) == (86, 1)


def _loose(text: str) -> str:
    """The guide writes no-break spaces (and the narrow one Babel puts before "г.") as plain ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ").strip()
