"""Where click and open tracking plug into a rendered email: rewrite its links, add the pixel.

The tracking module makes the signed links and the pixel's address; these functions only find the
places, with the standard library's forgiving HTML parser, and leave every other byte as it was.
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


class _LinkFinder(HTMLParser):
    """Collects each ``<a>`` start tag: where it starts, its text as written, its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[tuple[int, int], str, Attributes, bool]] = []

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        self._found(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: Attributes) -> None:
        self._found(tag, attrs, closed=True)

    def _found(self, tag: str, attrs: Attributes, closed: bool) -> None:
        written = self.get_starttag_text()
        if tag == "a" and written is not None:
            self.links.append((self.getpos(), written, attrs, closed))


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
    ``make_link(href)``; ``make_link`` gets the address unescaped, as a browser would follow it."""
    finder = _LinkFinder()
    finder.feed(html)
    finder.close()
    line_starts = [0, *(match.end() for match in re.finditer("\n", html))]
    pieces: list[str] = []
    done = 0
    for (line, column), written, attrs, closed in finder.links:
        start = line_starts[line - 1] + column
        href = _tracked_href(attrs)
        if href is None or html[start : start + len(written)] != written:
            continue
        rewritten = [(name, make_link(href) if name == "href" else value) for name, value in attrs]
        pieces += [html[done:start], _start_tag(rewritten, closed)]
        done = start + len(written)
    return "".join([*pieces, html[done:]])


def add_pixel(html: str, url: str) -> str:
    """Insert the open-tracking image just before the last ``</body>``, or at the end without one."""
    pixel = f'<img src="{escape(url)}" width="1" height="1" alt="" style="display:block;border:0" />'
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + pixel
    at = ends[-1].start()
    return html[:at] + pixel + html[at:]
