from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.templates.plain_text import html_to_text
from retentio.messaging.templates.tracking_hooks import add_pixel, rewrite_links


def tracked(url: str) -> str:
    return "https://t.example/c?u=" + url


def test_http_links_are_rewritten_and_the_rest_of_the_html_stays_byte_for_byte() -> None:
    # given
    html = (
        '<html><body>\n<p class="x">Hi <A HREF="https://shop.example/cart" target=_blank>cart</A></p>\n'
        "<a href='http://shop.example/a'>a</a>\n</body></html>"
    )
    # when
    rewritten = rewrite_links(html, tracked)
    # then
    assert rewritten == (
        '<html><body>\n<p class="x">Hi <a href="https://t.example/c?u=https://shop.example/cart" '
        'target="_blank">cart</A></p>\n'
        '<a href="https://t.example/c?u=http://shop.example/a">a</a>\n</body></html>'
    )


def test_mailto_tel_anchors_and_marked_links_are_left_alone() -> None:
    html = (
        '<a href="mailto:help@shop.example">mail</a><a href="tel:+79001234567">call</a>'
        '<a href="#top">top</a><a name="x">no href</a>'
        '<a href="https://shop.example/unsubscribe?s=1" data-no-track>unsubscribe</a>'
        '<a href="javascript:alert(1)">js</a>'
    )
    seen: list[str] = []

    def make_link(url: str) -> str:
        seen.append(url)
        return url

    assert rewrite_links(html, make_link) == html
    assert seen == []


def test_the_link_maker_gets_the_address_unescaped_and_its_answer_is_escaped() -> None:
    html = '<a href="https://shop.example/?a=1&amp;b=&quot;2&quot;">x</a>'
    seen: list[str] = []

    def make_link(url: str) -> str:
        seen.append(url)
        return "https://t.example/c?u=1&sig=2"

    assert rewrite_links(html, make_link) == '<a href="https://t.example/c?u=1&amp;sig=2">x</a>'
    assert seen == ['https://shop.example/?a=1&b="2"']


def test_links_inside_scripts_comments_and_after_odd_html_are_handled() -> None:
    html = (
        "<!-- <a href='https://commented.example'>c</a> -->"
        "<script>var s = '<a href=\"https://script.example\">';</script>"
        "<p><b>unclosed <i>tags\r\n<a\nhref=https://shop.example/x\n>x</a><br/>"
        '<a href="https://shop.example/y"/>'
    )
    rewritten = rewrite_links(html, tracked)
    assert "https://commented.example'>" in rewritten
    assert '<a href="https://script.example">' in rewritten
    assert '<a href="https://t.example/c?u=https://shop.example/x">x</a>' in rewritten
    assert '<a href="https://t.example/c?u=https://shop.example/y" />' in rewritten


FRAGMENTS = [
    "<a ",
    "href=",
    '"',
    "'",
    "https://x.example/?a=1&amp;b",
    ">",
    "</a>",
    "<!--",
    "-->",
    "<p>",
    "\n",
    " ",
    "x",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_odd_html_never_fails_and_is_unchanged_where_no_link_was_rewritten(html: str) -> None:
    seen: list[str] = []

    def make_link(url: str) -> str:
        seen.append(url)
        return "https://t.example/c"

    rewritten = rewrite_links(html, make_link)
    if not seen:
        assert rewritten == html
    else:
        assert rewritten.count("https://t.example/c") == len(seen)


def test_the_pixel_goes_before_the_last_body_end_or_at_the_end() -> None:
    pixel = (
        '<img src="https://t.example/o?m=1&amp;s=2" '
        'width="1" height="1" alt="" style="display:block;border:0" />'
    )
    assert add_pixel("<html><body><p>x</p></BODY ></html>", "https://t.example/o?m=1&s=2") == (
        f"<html><body><p>x</p>{pixel}</BODY ></html>"
    )
    assert add_pixel("<p>x</p>", "https://t.example/o?m=1&s=2") == f"<p>x</p>{pixel}"


def test_an_html_email_has_a_readable_text_version() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<h1>Привет,   Анна!</h1><p>Ваша корзина ждёт: <a href='https://shop.example/cart'>корзина</a></p>"
        "<ul><li>Чай</li><li>Кофе</li></ul><p><a href='https://shop.example'>https://shop.example</a></p>"
        "</body></html>"
    )
    assert html_to_text(html) == (
        "Привет, Анна!\n\nВаша корзина ждёт: корзина (https://shop.example/cart)\n\n"
        "- Чай\n\n- Кофе\n\nhttps://shop.example"
    )


def test_the_text_version_skips_comments_and_doctypes_and_reads_entities() -> None:
    html = (
        "<!DOCTYPE html><!-- hidden <p>no</p> --><BODY><P>Цена:&nbsp;1\xa0234&nbsp;₽ &amp; скидка</P>"
        "<div>a<br/>b</div><A HREF=\"https://shop.example/?a=1&amp;b=2\">тут</A><script>alert('<p>')"
    )
    assert html_to_text(html) == (
        "Цена:\xa01\xa0234\xa0₽ & скидка\n\na\nb\nтут (https://shop.example/?a=1&b=2)"
    )
    assert html_to_text("<p>unclosed <!-- comment") == "unclosed"
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("<table><tr><td>Чай</td><td>2 × 100 ₽</td></tr><tr><td>Кофе</td></tr></table>") == (
        "Чай 2 × 100 ₽\nКофе"
    )
