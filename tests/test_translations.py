"""The Arabic catalogue: complete, current, consistent with its compiled form."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
PO = ROOT / "lms/translations/ar/LC_MESSAGES/messages.po"
MO = ROOT / "lms/translations/ar/LC_MESSAGES/messages.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def source_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    # The same folders pybabel reads: it skips those starting with "." or "_".
    def wanted(path: str) -> bool:
        name = Path(path).name
        return not name.startswith((".", "_")) and name != "node_modules"

    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, directory_filter=wanted):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="ar")


def test_every_interface_string_is_in_the_arabic_catalogue() -> None:
    """No string marked for translation is missing from the Arabic catalogue."""
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue() if m.id}
    missing = source_messages() - known
    assert not missing, ("update the catalogue (see README, Translations): "
                         + "; ".join(sorted(missing)[:10]))


def test_every_arabic_entry_is_translated_and_not_fuzzy() -> None:
    """Each entry has an Arabic text (every plural form) and none is marked fuzzy."""
    problems = []
    for message in catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(message.id)
    assert not problems, f"{len(problems)} untranslated or fuzzy: {problems[:10]}"


def test_placeholders_survive_translation() -> None:
    """A translation uses the same named placeholders as the English text."""
    for message in catalogue():
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(source))
        # Arabic writes one and two as words, so a plural's count may be left out.
        count = {"%(num)d", "%(num)s"}
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= expected | count, message.id
            assert expected - count <= set(PLACEHOLDER.findall(text)), message.id


def _hashable(value: object) -> object:
    # Plural entries come back as lists from one reader and tuples from the other.
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogue_matches_source() -> None:
    """The compiled .mo that the platform reads holds exactly the .po's translations."""
    with MO.open("rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    source = {_hashable(m.id): _hashable(m.string) for m in catalogue()
              if m.id and not m.fuzzy}
    assert compiled == source, "run: pybabel compile -d lms/translations"


# Words that read the same in every language: file formats, the time zone, acronyms.
UNTRANSLATED_WORDS = {"UTC", "CSV", "XLSX", "PDF", "QR", "GIFT", "Aiken", "YAML", "ZIP"}
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label"}
# Text in these elements is code or input the reader types, not prose.
LITERAL_ELEMENTS = {"code", "kbd", "samp", "pre", "script", "style"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# `<{{ tag }}` builds an element whose name is chosen at render time.
DYNAMIC_TAG = re.compile(r"<(/?)\{\{.*?\}\}")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Collects text a reader sees that was written straight into a template.

    An element with its own ``lang`` (other than the page's root) holds text fixed in one
    language on purpose, such as the bilingual privacy notice or the language switch.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.found: list[tuple[int, str]] = []

    def _exempt(self) -> bool:
        return any(literal for _tag, literal in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        fixed = "lang" in named and tag != "html"
        if not (fixed or self._exempt()):
            for name, value in attrs:
                if name in VISIBLE_ATTRIBUTES or (tag == "input" and name == "value" and
                                                  named.get("type") in ("submit", "button")):
                    self._check(value or "", f"{name}=")
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, fixed or tag in LITERAL_ELEMENTS))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._exempt():
            self._check(data, "")

    def _check(self, text: str, prefix: str) -> None:
        words = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in UNTRANSLATED_WORDS]
        if words:
            self.found.append((self.getpos()[0], prefix + " ".join(text.split())[:60]))


def untranslated_text(source: str, markup: bool = True) -> list[tuple[int, str]]:
    """(line, text) of each piece of visible text written outside ``_()`` in a template."""
    source = DYNAMIC_TAG.sub(r"<\1span", source)
    # Blank out template code but keep its line breaks, so line numbers stay right.
    plain = JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    if not markup:
        return [(number, line.strip()[:60]) for number, line in enumerate(plain.splitlines(), 1)
                if any(w not in UNTRANSLATED_WORDS for w in re.findall(r"[A-Za-z]{2,}", line))]
    parser = _VisibleText()
    parser.feed(plain)
    parser.close()
    return parser.found


def test_templates_have_no_untranslated_visible_text() -> None:
    """Every word a reader sees in a template goes through the catalogue, or is marked with
    its own language on purpose."""
    templates = sorted([*ROOT.glob("lms/**/templates/**/*.html"),
                        *ROOT.glob("lms/**/templates/**/*.txt")])
    assert len(templates) > 50
    problems = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in templates
                for line, text in untranslated_text(path.read_text(encoding="utf-8"),
                                                    markup=path.suffix == ".html")]
    assert not problems, "mark for translation:\n" + "\n".join(problems)


def test_the_template_check_finds_plain_english() -> None:
    """The check itself catches a bare English heading, aria-label and mail line."""
    page = ('<h1>Welcome</h1>\n<nav aria-label="Main">{{ _("Home") }}</nav>'
            '<p lang="ar">مرحبا</p><code>[text](topic:SLUG)</code> UTC'
            '<button name="action" value="save">{{ _("Save") }}</button>')
    assert untranslated_text(page) == [(1, "Welcome"), (2, "aria-label=Main")]
    assert untranslated_text('{{ _("Dear %(name)s,", name=n) }}\nRegards', markup=False) == [
        (2, "Regards")]
