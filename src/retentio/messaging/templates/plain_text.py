"""The text part of an email written only in HTML: what a text-only mail reader should show."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's whitespace, not Unicode's
_HIDDEN = {"head", "script", "style", "title"}
_BLOCKS = {
    "address", "article", "blockquote", "br", "div", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "ol", "p", "section", "table", "tr", "ul",
}  # fmt: skip


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden = 0
        self._link: tuple[str, int] | None = None  # href and where its words start

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.pieces.append("\n- " if tag == "li" else "\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._link = (href, len(self.pieces)) if href.startswith(("http:", "https:")) else None

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.pieces.append("\n")
        elif tag == "a" and self._link is not None:
            href, start = self._link
            words = "".join(self.pieces[start:]).strip()
            if words != href:  # a bare link is shown once
                self.pieces.append(f" ({href})")
            self._link = None

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.pieces.append(_SPACES.sub(" ", data))  # no-break spaces in "1 234 ₽" stay


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (line.strip() for line in "".join(collector.pieces).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
