"""The Arabic catalogue: complete, current, consistent with its compiled form."""

from __future__ import annotations

import re
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
