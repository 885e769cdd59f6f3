"""Text in an email's HTML that a reader would not see (display:none, zero size, white on
white, ...). Pure.

The sanitiser (mail_html.sanitize_html) drops exactly the inline styles that hide text and
keeps the text, so this reads the HTML as sent, while intake parses the message; the result
is kept on the message (`Message.hidden_text`) for routing's injection check, which never
parses MIME itself.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SPACE_RE = re.compile(r"\s+")

_HIDING_STYLE = [
    re.compile(r"display\s*:\s*none"),
    re.compile(r"visibility\s*:\s*(?:hidden|collapse)"),
    re.compile(
        r"(?<![-\w])font-size\s*:\s*(?:0+(?:\.0+)?(?:px|pt|em|rem|%)?|(?:0?\.\d+|1)(?:px|pt))"
        r"\s*(?:;|$|!)"
    ),
    re.compile(r"(?<![-\w])opacity\s*:\s*0+(?:\.0+)?\s*(?:;|$|!)"),
    re.compile(r"text-indent\s*:\s*-\d{3,}"),
    re.compile(r"(?<![-\w])(?:left|top|margin-left|margin-top)\s*:\s*-\d{4,}"),
    re.compile(r"clip\s*:\s*rect\(\s*0"),
    re.compile(r"clip-path\s*:\s*inset\(\s*(?:50|100)%"),
]
_ZERO_BOX = re.compile(r"(?<![-\w])(?:max-)?(?:height|width)\s*:\s*0+(?:px|pt|em|%)?\s*(?:;|$|!)")
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden")
_WHITE = re.compile(
    r"^(?:white|#fff|#ffffff|#fffffe|#fefefe|rgba?\(\s*25[0-5]\s*,\s*25[0-5]\s*,\s*25[0-5]"
    r"(?:\s*,\s*[\d.]+)?\s*\))$"
)
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# An open <p> ends where the next <p> starts (HTML's implied end tags), and so on.
_IMPLIED_END = {"p", "li", "td", "th", "tr", "option", "dt", "dd"}
_NO_TEXT = {"script", "style", "head", "title", "template", "noscript"}
_CSS_DECL = re.compile(r"([\w-]+)\s*:\s*([^;]+)")


def _declarations(style: str) -> dict[str, str]:
    return {
        name.strip(): value.replace("!important", "").strip()
        for name, value in _CSS_DECL.findall(style)
    }


@dataclass(frozen=True)
class _Style:
    hard: bool = False  # display:none and the like: no descendant can undo it
    color: str = ""  # inherited, and overridden by a descendant's own color
    background: str = ""

    @property
    def hidden(self) -> bool:
        if self.hard:
            return True
        if not self.color:
            return False
        # White text on an unknown background reads as white on white: clients default to it.
        return self.color == self.background or bool(
            _WHITE.match(self.color) and (not self.background or _WHITE.match(self.background))
        )


def _style_of(tag: str, attrs: dict[str, str], parent: _Style) -> _Style:
    """The element's effective style from inline styles only (no <style> rules resolved)."""
    style = (attrs.get("style") or "").lower()
    decls = _declarations(style)
    hard = parent.hard or "hidden" in attrs or any(p.search(style) for p in _HIDING_STYLE)
    if _ZERO_BOX.search(style) and _OVERFLOW_HIDDEN.search(style):
        hard = True
    if tag == "font" and attrs.get("size", "").strip() == "0":
        hard = True
    background = decls.get("background-color") or decls.get("background") or attrs.get("bgcolor")
    color = decls.get("color") or (attrs.get("color") if tag == "font" else None)
    inherited = parent.color
    if tag == "a" and "href" in attrs:
        inherited = ""  # a link has the client's link colour, not the surrounding text's
    return _Style(
        hard=hard,
        color=(color or "").strip().lower() or inherited,
        background=(background or "").strip().lower() or parent.background,
    )


class _HiddenText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, _Style]] = []
        self.skip = 0
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if tag in _IMPLIED_END and self.stack and self.stack[-1][0] == tag:
            self.handle_endtag(tag)
        values = {name: value or "" for name, value in attrs}
        parent = self.stack[-1][1] if self.stack else _Style()
        self.stack.append((tag, _style_of(tag, values, parent)))
        if tag in _NO_TEXT:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                self.skip -= sum(open_tag in _NO_TEXT for open_tag, _style in self.stack[index:])
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.skip or not self.stack or not self.stack[-1][1].hidden:
            return
        text = _SPACE_RE.sub(" ", data).strip()
        if text:
            self.hidden.append(text)


def hidden_html_text(html: str) -> list[str]:
    """Text in raw HTML a reader would not see: display:none, zero size, white on white, ...

    Inline styles only: a class-based rule in a <style> block is not resolved.
    """
    if not html:
        return []
    parser = _HiddenText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser on hostile input; what was found stands
        pass
    return parser.hidden


# --- the check -------------------------------------------------------------------------------


def hidden_text(htmls: list[str]) -> str:
    """The hidden text of a message's HTML parts, one string."""
    return " ".join(text for html in htmls for text in hidden_html_text(html))
