"""The one Markdown renderer: Python-Markdown for the syntax, nh3 for an allow-list of HTML.

Every piece of Markdown a participant sees (lessons, quiz texts, glossary entries) goes through
``render``. Instructors' content is treated as untrusted: raw HTML, script, event handlers,
inline styles and links with other schemes than http(s) and mailto never reach the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405  (builds elements; parses nothing)
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

# A resolver turns a link written in the package (``media/x.png``, ``topic:slug``) into a URL,
# or returns None when the target does not exist.
LinkResolver = Callable[[str], str | None]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "var",
}
_COMMON = {"class", "id", "lang", "dir", "title"}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "dir"},
    "a": {"href", "title", "id", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": _COMMON, "h3": _COMMON, "h4": _COMMON, "h5": _COMMON, "h6": _COMMON,
    "li": _COMMON, "sup": _COMMON, "dt": _COMMON, "div": _COMMON, "p": _COMMON,
    "span": _COMMON, "section": _COMMON, "table": _COMMON,
    "th": {"class", "scope", "colspan", "rowspan"},
    "td": {"class", "colspan", "rowspan"},
    "ol": {"class", "start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "footnotes", "toc", "admonition", "def_list", "attr_list", "sane_lists"]
# Ids the lesson page gives its own parts (the main region, the objectives, the table of
# contents, the quiz): a heading of the lesson taking one would make two elements with it,
# and its table-of-contents link would jump to the page's part instead.
PAGE_IDS = frozenset({"main", "objectives-heading", "toc-heading", "lesson-quiz-heading"})


def _heading_slug(value: str, separator: str) -> str:
    slug = slugify_unicode(value, separator)
    return f"{slug}{separator}section" if slug in PAGE_IDS else slug


@dataclass
class Rendered:
    html: str
    toc: list[dict[str, Any]] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # every href and src as written
    unresolved: list[str] = field(default_factory=list)


class _LinkRewriter(Treeprocessor):
    """Resolves package links, records every link, and turns alignment into classes."""

    def __init__(self, md: markdown.Markdown, resolver: LinkResolver | None) -> None:
        super().__init__(md)
        self.resolver = resolver
        self.links: list[str] = []
        self.unresolved: list[str] = []

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is None:
                    continue
                self.links.append(value)
                if self.resolver is not None and _is_package_link(value):
                    resolved = self.resolver(value)
                    if resolved is None:
                        self.unresolved.append(value)
                        element.set(attr, "#")
                    else:
                        element.set(attr, resolved)
            align = element.attrib.pop("align", None)
            if align:
                _add_class(element, f"align-{align}")
            element.attrib.pop("style", None)
            if element.tag == "table":
                _add_class(element, "content-table")


def _add_class(element: ET.Element, name: str) -> None:
    classes = element.get("class", "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _is_package_link(url: str) -> bool:
    return url.startswith(("media/", "glossary:", "topic:"))


class _SectionHeadings(Treeprocessor):
    """A lesson's "# Heading" becomes a section heading (h2), before the table of contents
    is built: the page's one h1 is the lesson's title, and the sanitiser keeps no other."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter("h1"):
            element.tag = "h2"
        # An id written in the lesson ({#main}) yields to the page's own, as slugs do.
        for element in root.iter():
            if element.get("id") in PAGE_IDS:
                element.set("id", f"{element.get('id')}-section")


class _PackageLinks(Extension):
    def __init__(self, resolver: LinkResolver | None) -> None:
        super().__init__()
        self.resolver = resolver
        self.processor: _LinkRewriter | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802  (library API)
        self.processor = _LinkRewriter(md, self.resolver)
        # After the toc has assigned ids (priority 5), before serialising.
        md.treeprocessors.register(self.processor, "package_links", 1)
        md.treeprocessors.register(_SectionHeadings(md), "section_headings", 6)


def _markdown(links: _PackageLinks) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[*EXTENSIONS, links],
        extension_configs={
            "toc": {"slugify": _heading_slug, "toc_depth": "2-3"},
            "tables": {"use_align_attribute": True},
            "footnotes": {"BACKLINK_TITLE": "%d"},
        },
        output_format="html",
    )


def sanitise(html: str) -> str:
    """Keep only allowed tags, attributes and URL schemes; give links a safe rel."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(text: str, resolver: LinkResolver | None = None) -> Rendered:
    """Render Markdown to sanitised HTML with its table of contents and the links it holds."""
    links = _PackageLinks(resolver)
    md = _markdown(links)
    html = md.convert(text)
    processor = links.processor
    assert processor is not None
    toc = _toc(getattr(md, "toc_tokens", []))
    clean = sanitise(html)
    # From the sanitised page: an id the sanitiser dropped is no target for a link or a ref.
    anchors = _anchors(md.toc_tokens) | _explicit_ids(clean)
    return Rendered(
        html=clean,
        toc=toc,
        anchors=anchors,
        links=processor.links,
        unresolved=processor.unresolved,
    )


def render_inline(text: str) -> str:
    """Render a short text (a question, a choice) and sanitise it."""
    return render(text).html


def heading_anchor(text: str) -> str:
    """The anchor a heading with this text gets."""
    return _heading_slug(text, "-")


def _toc(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        # The name comes HTML-escaped; pages escape it again as they draw it.
        {"id": t["id"], "name": unescape(t["name"]), "children": _toc(t.get("children", []))}
        for t in tokens
    ]


def _anchors(tokens: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        found.add(token["id"])
        found |= _anchors(token.get("children", []))
    return found


def _explicit_ids(html: str) -> set[str]:
    import re

    return set(re.findall(r'<h[1-6][^>]*\sid="([^"]+)"', html))
