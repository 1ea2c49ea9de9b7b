"""Problems found in a course package, each tied to a file and a line, and YAML that keeps lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Report:
    """Collects every problem in a package, so one run reports them all."""

    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.relative(path), line, message))

    def relative(self, path: Path | str) -> str:
        path = Path(path)
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def ok(self) -> bool:
        return not self.problems


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _UnreadableValue(Exception):
    """A value YAML's grammar accepts but cannot be built, such as the date 2026-02-30."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and sequences carry line numbers (1-based)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[Any, int]] = []

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, _UnreadableValue):
            raise
        except Exception:
            # PyYAML builds dates, numbers and tagged values with Python's own constructors,
            # which raise ValueError, KeyError and others for values such as 2026-02-30,
            # 0x_ or !!bool maybe; the innermost node is the one to name.
            raise _UnreadableValue(node.start_mark.line + 1, _unreadable(node)) from None


def _unreadable(node: yaml.Node) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    shown = value if len(value) <= 60 else value[:60] + "…"
    if node.tag == "tag:yaml.org,2002:timestamp":
        return _("'%(value)s' is not a date that exists: write a date as YYYY-MM-DD, or put "
                 "the value in quotes if it is text", value=shown)
    return _("the value '%(value)s' cannot be read: put it in quotes if it is text",
             value=shown)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load_yaml(text: str, path: Path, report: Report, line_offset: int = 0) -> Any:
    """Parse YAML safely, reporting syntax errors, values that cannot be read (a date that
    does not exist) and duplicate keys with their lines.

    Returns None (after reporting) when the text cannot be parsed.
    """
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except _UnreadableValue as error:
        report.add(path, error.line + line_offset, error.message)
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        report.add(path, line, _("YAML syntax error: %(error)s", error=error.problem or error))
        return None
    except yaml.YAMLError as error:
        report.add(path, None, _("YAML error: %(error)s", error=error))
        return None
    except RecursionError:
        # The parser descends once per level of brackets or indentation; no course or quiz
        # file nests more than a few levels.
        report.add(path, None, _("the file nests lists or mappings too deeply to be read"))
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicate_keys:
        report.add(path, line + line_offset, _("duplicate key '%(key)s'", key=key))
    if line_offset:
        _shift_lines(data, line_offset)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift_lines(value, offset)


def read_text(path: Path, report: Report) -> str | None:
    """Read a UTF-8 file (a byte-order mark is allowed), reporting when it is not text."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        report.add(path, None, _("cannot read the file: %(error)s", error=error.strerror))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        report.add(path, line, _("the file is not UTF-8 text"))
        return None
    if "\x00" in text:
        # No text file holds one, and the database cannot store it.
        report.add(path, text.count("\n", 0, text.index("\x00")) + 1,
                   _("the line holds a NUL character, which a text file does not have"))
        return None
    return text.replace("\r\n", "\n")
