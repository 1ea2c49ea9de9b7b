"""The renderer: instructors' Markdown is untrusted, so nothing in it may run in a browser."""

from __future__ import annotations

import re

import pytest

from lms.markdown import render

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
    "<form action='https://evil.example'><input name=x></form>",
    "<div onclick='alert(1)'>raw block</div>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
    "![x](javascript:alert(1))",
    "<a href='vbscript:msgbox(1)'>v</a>",
    "Paragraph\n{: onclick=\"alert(1)\" style=\"color:red\" }",
    "<object data='x.swf'></object><embed src='x.swf'>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_markup_is_neutralised(attack: str) -> None:
    """Scripts, event handlers, script URLs, frames, forms and styles never survive."""
    html = render(f"Intro\n\n{attack}\n\nOutro").html.lower()
    assert "<script" not in html
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html)
    assert "javascript:" not in html and "vbscript:" not in html and "data:" not in html
    for tag in ("<iframe", "<style", "<form", "<input", "<svg", "<math", "<object", "<embed"):
        assert tag not in html
    assert not re.search(r"<[^>]*\sstyle\s*=", html)


def test_external_links_get_safe_rel() -> None:
    """External links are marked noopener and nofollow."""
    html = render("[UNHCR](https://www.unhcr.org)").html
    assert 'href="https://www.unhcr.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_template_syntax_shows_literally() -> None:
    """Jinja-like text in content is data, never a template."""
    assert "{{7*7}}" in render("Total {{7*7}}").html


def test_extensions_work() -> None:
    """Tables, footnotes, admonitions, definition lists and attribute lists render."""
    text = ("## Title {#custom}\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nNote[^1]\n\n"
            "[^1]: The note.\n\n!!! note \"Remember\"\n    Keep it.\n\nTerm\n:   Definition\n")
    result = render(text)
    assert '<h2 id="custom">' in result.html
    assert '<table class="content-table">' in result.html
    assert 'class="align-right"' in result.html
    assert 'class="footnote"' in result.html
    assert 'class="admonition note"' in result.html
    assert "<dl>" in result.html and "<dd>" in result.html


def test_arabic_headings_get_readable_anchors() -> None:
    """Arabic headings keep their letters in the anchor, so links to them are readable."""
    result = render("## المفاهيم الأساسية\n\nنص.")
    assert result.toc[0]["id"] == "المفاهيم-الأساسية"


def test_a_top_level_heading_becomes_a_section_heading() -> None:
    """"# Overview" in a lesson keeps its heading (as h2: the page's h1 is the lesson title),
    its anchor and its place in the table of contents, so links and quiz refs to it work."""
    rendered = render("# Overview\n\nSee [below](#overview).\n\n## Details\n\nText.")
    assert '<h2 id="overview">Overview</h2>' in rendered.html
    assert [entry["id"] for entry in rendered.toc] == ["overview", "details"]
    assert "overview" in rendered.anchors


def test_a_heading_never_takes_an_id_of_the_lesson_page() -> None:
    """"## Main" and an explicit {#objectives-heading} would repeat ids the lesson page gives
    its own parts, and their table-of-contents links would jump there instead."""
    rendered = render("## Main\n\nText.\n\n## Learning objectives {#objectives-heading}\n\n"
                      "Text.\n\n## Details\n")
    ids = [entry["id"] for entry in rendered.toc]
    assert ids == ["main-section", "objectives-heading-section", "details"]
    assert 'id="main"' not in rendered.html and 'id="objectives-heading"' not in rendered.html
    assert set(ids) <= set(rendered.anchors)


def test_an_id_the_sanitiser_drops_is_no_anchor() -> None:
    """A heading written as raw HTML of a kind the sanitiser removes loses its id: a link or
    a quiz ref to it would lead nowhere, so it is not counted as an anchor."""
    rendered = render('<h1 id="raw-title">Raw</h1>\n\n## Kept\n')
    assert "raw-title" not in rendered.html and "raw-title" not in rendered.anchors
    assert "kept" in rendered.anchors


def test_table_of_contents_names_are_plain_text() -> None:
    """Pages escape the names as they draw them: stored escaped, "&" would show as "&amp;"."""
    rendered = render("## Rights & duties\n\nText.\n\n## Less < more\n\nText.")
    assert [entry["name"] for entry in rendered.toc] == ["Rights & duties", "Less < more"]
