"""Mail HTML: the allow-list sanitiser (nh3) and readable plain text from sanitised HTML.

Pure functions (no Django, no I/O), used by intake.mime; the public ones are re-exported there.
"""

import re
from html import unescape

import nh3

from intake.mime_text import WHITESPACE

# Email HTML is hostile (RELIABILITY.md, check 11). What survives is shown in a sandboxed
# iframe, but the allow-list is the real defence: nothing may run or load from elsewhere.
_TAGS = (set(nh3.ALLOWED_TAGS) - {"area", "map"}) | {"font", "tfoot"}
# Dropped together with everything inside them, not just unwrapped.
_CLEAN_CONTENT_TAGS = {
    "script", "style", "title", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
    "applet", "template", "noscript", "noembed", "noframes", "textarea", "select", "xmp",
}  # fmt: skip
# No `style`, no `class`, no `id`, no `background`: CSS can load URLs (@import, url()).
_ATTRIBUTES = {
    "*": {"title", "dir", "lang", "align", "valign"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor", "summary"},
    "td": {"colspan", "rowspan", "width", "height", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "width", "height", "bgcolor", "scope"},
    "tr": {"bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "hr": {"size", "width"},
    "blockquote": {"type"},
    "time": {"datetime"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Remote images are tracking pixels: only images carried in the message itself (cid:).
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith("cid:") else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
    url_schemes=_URL_SCHEMES,
    # A relative URL would resolve against our own origin.
    url_relative="deny",
)


def sanitize_html(html: str) -> str:
    """Allow-list clean: no scripts, handlers, forms, frames, SVG, CSS or remote resources."""
    if not html:
        return ""
    return _CLEANER.clean(html.replace("\x00", "")).strip()


_BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li nav ol p pre section summary table tbody tfoot thead tr ul "
    "caption".split()
)


class _TextExtractor:
    """Sanitised HTML -> text. Blockquotes become `> ` lines so split_reply sees the quote."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.words: list[str] = []
        self.depth = 0  # blockquote nesting
        self.line_depth = 0
        self.pre = 0
        self.cell = False

    def _flush(self, *, blank: bool = False) -> None:
        line = "".join(self.words).strip()
        if line:
            self.lines.append("> " * self.line_depth + line)
        self.words = []
        self.line_depth = self.depth
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: str) -> None:
        if tag == "br":
            self._flush()
        elif tag == "blockquote":
            self._flush(blank=True)
            self.depth += 1
            self.line_depth = self.depth
        elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "table"):
            self._flush(blank=True)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "li":
                self.words.append("- ")
            elif tag == "hr":
                self.lines.append("> " * self.depth + "---")
        elif tag in ("td", "th"):
            if self.cell:
                self.words.append(" ")
            self.cell = True
        elif tag == "img":
            alt = _ALT.search(attrs)
            if alt and unescape(alt.group(1)).strip():
                self.words.append(f"[{unescape(alt.group(1)).strip()}]")
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self._flush(blank=True)
            self.depth = max(0, self.depth - 1)
            self.line_depth = self.depth
        elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "table"):
            self._flush(blank=True)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "tr":
                self.cell = False
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.pre:
            parts = data.replace("\r\n", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush()
                self.words.append(part)
            return
        text = WHITESPACE.sub(" ", data)
        if not text.strip():
            if self.words and not self.words[-1].endswith(" "):
                self.words.append(" ")
            return
        if self.words and self.words[-1].endswith(" ") and text.startswith(" "):
            text = text[1:]
        elif not self.words:
            text = text.lstrip()
        self.words.append(text)

    def text(self) -> str:
        self._flush()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)


# nh3 serialises canonically: lower-case tags, attribute values in double quotes, "<" in text
# escaped, no comments. A tokenizer for exactly that is ~10x faster than html.parser, which
# needs seconds for a few MB of newsletter HTML.
_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s="/>]+(?:="[^"]*")?)*)\s*/?>|([^<]+)|<')
_ALT = re.compile(r'\salt="([^"]*)"')


def text_from_sanitized_html(clean: str) -> str:
    """Text from the output of sanitize_html (and only that: see _TOKEN)."""
    extractor = _TextExtractor()
    for token in _TOKEN.finditer(clean):
        closing, tag, attrs, data = token.groups()
        if data is not None:
            extractor.handle_data(unescape(data))
        elif tag is None:
            extractor.handle_data("<")
        elif closing:
            extractor.handle_endtag(tag)
        else:
            extractor.handle_starttag(tag, attrs)
    return extractor.text()


def html_to_text(html: str) -> str:
    """Readable plain text from (untrusted) HTML; quoted blocks come out as `> ` lines."""
    return text_from_sanitized_html(sanitize_html(html)) if html else ""
