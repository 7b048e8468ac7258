from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.links import Action, BadLink, Links

LINKS = Links("https://crm.example.ru/", b"0123456789abcdef0123")


def _click_parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    _, _, kind, message_id, signature = parts.path.split("/")
    assert kind == "c"
    return message_id, signature, parse_qs(parts.query)["url"][0]


@given(st.text(min_size=1, max_size=40).map(lambda path: "https://shop.example/" + path))
def test_a_click_link_carries_its_target_and_verifies(target: str) -> None:
    message_id, signature, carried = _click_parts(LINKS.click("m1", target))
    assert (message_id, carried) == ("m1", target)
    LINKS.verify(Action.CLICK, message_id, signature, carried)


def test_a_changed_target_is_not_a_redirect_anywhere() -> None:
    message_id, signature, _ = _click_parts(LINKS.click("m1", "https://shop.example/sale"))
    with pytest.raises(BadLink, match="not signed"):
        LINKS.verify(Action.CLICK, message_id, signature, "https://evil.example/")


def test_a_signature_is_bound_to_its_message_and_action() -> None:
    signature = LINKS.sign(Action.UNSUBSCRIBE, "m1")
    with pytest.raises(BadLink):
        LINKS.verify(Action.UNSUBSCRIBE, "m2", signature)
    with pytest.raises(BadLink):
        LINKS.verify(Action.OPEN, "m1", signature)
    LINKS.verify(Action.UNSUBSCRIBE, "m1", signature)


def test_a_signed_target_that_is_not_http_is_refused() -> None:
    signature = LINKS.sign(Action.CLICK, "m1", "javascript:alert(1)")
    with pytest.raises(BadLink, match="not an http"):
        LINKS.verify(Action.CLICK, "m1", signature, "javascript:alert(1)")


def test_links_need_an_absolute_public_url_and_a_real_secret() -> None:
    with pytest.raises(ValueError, match="absolute"):
        Links("crm.example.ru", b"0123456789abcdef")
    with pytest.raises(ValueError, match="16 bytes"):
        Links("https://crm.example.ru", b"short")
    assert LINKS.open_pixel("m1").startswith("https://crm.example.ru/t/o/m1/")
