"""Where click and open tracking plug into a rendered email: rewrite its links, add the pixel.

The tracking module makes the signed links and the pixel's address; these functions only find the
places (each link's attributes read by the standard library's forgiving HTML parser) and leave every
other byte as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

NO_TRACK = "data-no-track"  # mark a link that must stay as written (the unsubscribe link)
_TRACKED_SCHEMES = ("http://", "https://")  # mailto:, tel:, #anchors and the rest stay as they are
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

Attributes = list[tuple[str, str | None]]


# Comments and script/style bodies are skipped whole, so a link in them is not a link; what is left
# of the page is never looked at, only its <a> start tags (quoted values may hold ">").
_SCAN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)|(<a\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)",
    re.IGNORECASE | re.DOTALL,
)


class _StartTag(HTMLParser):
    """The standard library's reading of one start tag: its attributes, unescaped, however quoted."""

    def __init__(self, written: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: Attributes = []
        self.closed = False
        self.feed(written)
        self.close()

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        self.attrs = attrs

    def handle_startendtag(self, tag: str, attrs: Attributes) -> None:
        self.attrs, self.closed = attrs, True


def _tracked_href(attrs: Attributes) -> str | None:
    names = [name for name, _ in attrs]
    href = next((value for name, value in attrs if name == "href"), None)
    if NO_TRACK in names or href is None or not href.strip().lower().startswith(_TRACKED_SCHEMES):
        return None
    return href.strip()


def _start_tag(attrs: Attributes, closed: bool) -> str:
    written = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in attrs)
    return f"<a{written}{' /' if closed else ''}>"


def rewrite_links(html: str, make_link: Callable[[str], str]) -> str:
    """Replace the href of every tracked ``<a>`` (http and https, not marked ``data-no-track``) with
    ``make_link(href)``; ``make_link`` gets the address unescaped, as a browser would follow it.

    Only the ``<a>`` tags are parsed (with ``html.parser``): a whole page through ``HTMLParser`` took
    about 13 µs a tag, half a millisecond for an ordinary email."""
    pieces: list[str] = []
    done = 0
    for found in _SCAN.finditer(html):
        written = found.group(2)
        if written is None:
            continue
        tag = _StartTag(written)
        href = _tracked_href(tag.attrs)
        if href is None:
            continue
        rewritten = [(name, make_link(href) if name == "href" else value) for name, value in tag.attrs]
        pieces += [html[done : found.start(2)], _start_tag(rewritten, tag.closed)]
        done = found.end(2)
    return "".join([*pieces, html[done:]])


def add_pixel(html: str, url: str) -> str:
    """Insert the open-tracking image just before the last ``</body>``, or at the end without one."""
    pixel = f'<img src="{escape(url)}" width="1" height="1" alt="" style="display:block;border:0" />'
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + pixel
    at = ends[-1].start()
    return html[:at] + pixel + html[at:]
