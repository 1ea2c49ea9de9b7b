"""The text formats of exchange files ([markdown], [html], [plain], [moodle]) as Markdown.

Markdown stays as it is. The other formats become an HTML block that the one renderer passes to
its sanitiser unchanged by Markdown, so HTML from another platform is cleaned exactly as
lessons are; plain text is escaped first. ``@@PLUGINFILE@@`` links (images a Moodle export
refers to but does not contain) are pointed at the course package's media, or reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

HTML_OPEN = '<div class="imported-html">'
HTML_CLOSE = "</div>"
FORMATS = ("markdown", "html", "plain", "moodle")
PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s)<>]+)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]]")
_LINE_START_SPECIAL = re.compile(r"^(\s*)(#|>|[-+](?=\s))")
_ORDERED = re.compile(r"^(\s*\d+)\.(?=\s)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]#>+\-.])")

# Given a file name from a @@PLUGINFILE@@ link, the address of that image on the platform.
ImageResolver = Callable[[str], str | None]


def as_html_block(content: str) -> str:
    return f"{HTML_OPEN}\n{content.strip()}\n{HTML_CLOSE}"


def is_html_block(text: str) -> bool:
    return text.startswith(HTML_OPEN) and text.endswith(HTML_CLOSE)


def html_block_content(text: str) -> str:
    return text[len(HTML_OPEN):-len(HTML_CLOSE)].strip()


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that shows it exactly, line breaks included."""
    lines = []
    for line in text.split("\n"):
        line = _INLINE_SPECIAL.sub(r"\\\g<0>", line).replace("<", "&lt;")
        line = _LINE_START_SPECIAL.sub(r"\g<1>\\\g<2>", line)
        line = _ORDERED.sub(r"\g<1>\\.", line)
        lines.append(line)
    # Two spaces before a line break keep it a line break in Markdown.
    return "  \n".join(lines)


def markdown_to_plain(text: str) -> str:
    """Markdown as the plain text it shows, for formats that hold nothing else: what
    ``plain_to_markdown`` escaped is unescaped; other Markdown stays as written."""
    text = text.replace("  \n", "\n").replace("&lt;", "<")
    return _ESCAPED.sub(r"\g<1>", text)


def to_markdown(text: str, fmt: str) -> str:
    """Text in one of the exchange formats as this platform's Markdown.

    HTML without any tag (Moodle writes most answers that way) is read as plain text, so it
    stays readable and editable as Markdown.
    """
    text = text.strip()
    if not text or fmt == "markdown":
        return text
    has_markup = bool(_TAG.search(text) or _ENTITY.search(text))
    if fmt == "html" and has_markup:
        return as_html_block(text)
    if fmt == "moodle" and has_markup:
        # Moodle's own format allows HTML and keeps line breaks.
        return as_html_block(text.replace("\n", "<br>\n"))
    if fmt == "html":
        text = " ".join(text.split())
    return plain_to_markdown(text)


def resolve_images(text: str, resolver: ImageResolver | None) -> tuple[str, list[str]]:
    """Point ``@@PLUGINFILE@@/name`` links at the platform; returns the names not found."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = unquote(match.group(1))
        url = resolver(name) if resolver else None
        if url is None:
            missing.append(name)
            return match.group(0)
        return url

    return PLUGINFILE.sub(replace, text), missing
