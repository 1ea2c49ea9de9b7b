"""Reading GIFT, the text format Moodle imports and exports, into question definitions.

Follows Moodle's reading of the format: questions separated by blank lines; ``//`` comment
lines; ``$CATEGORY:`` lines; ``::title::``; ``[format]`` markers; answers in braces, with text
after them making a missing-word question; ``=``/``~`` choices with ``%weight%`` and
``#feedback``; ``->`` pairs; ``#`` numbers; ``{T}``/``{F}``; ``{}`` essays; no braces for a
description; ``####`` general feedback; and the escapes ``\\~ \\= \\# \\{ \\} \\: \\n \\\\``.
Each problem is reported with the line it is on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lms.courses.problems import LineDict, LineList
from lms.quizzes.importing.text_formats import FORMATS, ImageResolver, resolve_images, to_markdown
from lms.quizzes.messages import _
from lms.quizzes.quiz_file import as_line_data
from lms.quizzes.store import free_key

# Escaped characters stand in as private-use characters while the question is taken apart.
_ESCAPES = {"\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\~": "\ue006", "\\n": "\ue007"}
_BACKSLASH = "\ue000"
_UNESCAPE = {_BACKSLASH: "\\", "\ue001": ":", "\ue002": "#", "\ue003": "=", "\ue004": "{",
             "\ue005": "}", "\ue006": "~", "\ue007": "\n"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[([a-z]+)\]")
BLANK = "_____"


@dataclass
class Parsed:
    """Definitions in the `.quiz.yaml` shape, with lines, and the problems found reading them."""

    definitions: list[LineDict] = field(default_factory=list)
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def escape_placeholders(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def unescape(text: str) -> str:
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def node(mapping: dict[str, Any], line: int) -> LineDict:
    """A definition (or part of one) as the quiz-file reader's line-keeping mapping."""
    result = LineDict((key, value if isinstance(value, LineDict | LineList)
                       else as_line_data(value, line)) for key, value in mapping.items())
    result.line = line
    result.key_lines = {key: line for key in mapping}
    return result


def node_list(items: list[LineDict]) -> LineList:
    result = LineList(items)
    result.line = items[0].line if items else 0
    result.item_lines = [item.line for item in items]
    return result


def option_key(index: int) -> str:
    """a, b, … z, then o27, o28, …"""
    return chr(ord("a") + index) if index < 26 else f"o{index + 1}"


def key_from_title(title: str) -> str:
    """A question id from a GIFT title: letters, digits, '-' and '_' only."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_title).strip("-_")
    return key[:64]


def parse_gift(text: str, images: ImageResolver | None = None) -> Parsed:
    """Every question of a GIFT file; ``text`` has LF line endings and no byte-order mark."""
    parsed = Parsed()
    taken: set[str] = set()
    for start, lines in _blocks(text.split("\n")):
        block = _Block(start, lines, parsed, images)
        definition = block.read()
        if definition is None:
            continue
        title_key = key_from_title(block.title) if block.title else ""
        definition["id"] = free_key(title_key or f"q{len(parsed.definitions) + 1}", taken)
        taken.add(definition["id"])
        definition.key_lines["id"] = start
        parsed.definitions.append(definition)
    return parsed


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Groups of lines separated by blank lines; comment lines become empty but keep their place."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current:
                blocks.append((start, current))
            current = []
            continue
        is_comment = line.strip().startswith("//")
        if not current:
            if is_comment:
                continue
            start = number
        current.append("" if is_comment else line)
    if current:
        blocks.append((start, current))
    return blocks


class _Block:
    """One question's lines."""

    def __init__(self, start: int, lines: list[str], parsed: Parsed,
                 images: ImageResolver | None) -> None:
        self.start = start
        self.text = escape_placeholders("\n".join(lines))
        self.parsed = parsed
        self.images = images
        self.title = ""
        self.offset = 0  # where self.text begins within the block, for line numbers
        self.ok = True

    def line(self, offset: int) -> int:
        return self.start + self.text.count("\n", 0, self.offset + offset)

    def problem(self, offset: int, message: str) -> None:
        self.parsed.problems.append((self.line(offset), message))
        self.ok = False

    def convert(self, raw: str, default: str, offset: int) -> tuple[str, str]:
        """Text with an optional [format] marker as Markdown; returns it and its format."""
        raw = raw.strip()
        fmt = default
        marker = _FORMAT.match(raw)
        if marker and marker.group(1) in FORMATS:
            fmt, raw = marker.group(1), raw[marker.end():]
        converted, missing = resolve_images(to_markdown(unescape(raw), fmt), self.images)
        for name in missing:
            self.problem(offset, _("the image '%(name)s' is not in the course package's media "
                                   "(add it to the package's media folder, or remove the "
                                   "image)", name=name))
        return converted, fmt

    def read(self) -> LineDict | None:
        body = self.text.strip()
        self.offset = len(self.text) - len(self.text.lstrip())
        if body.startswith("$CATEGORY:"):
            self.parsed.categories.append(unescape(body[len("$CATEGORY:"):]).strip())
            return None
        if body.startswith("::"):
            end = body.find("::", 2)
            if end == -1:
                self.problem(0, _("the question title starts with '::' but is not closed "
                                  "with '::'"))
                return None
            self.title = unescape(body[2:end]).strip()
            skipped = end + 2
            rest = body[skipped:]
            skipped += len(rest) - len(rest.lstrip())
            self.offset += skipped
            body = body[skipped:]
        return self._question(body)

    def _question(self, body: str) -> LineDict | None:
        opening, closing = body.find("{"), body.find("}")
        if opening == -1 and closing == -1:
            text, _fmt = self.convert(body, "moodle", 0)
            if not text:
                self.problem(0, _("the question has no text"))
                return None
            return node({"type": "description", "text": {"en": text}}, self.start)
        if opening == -1 or closing == -1 or closing < opening:
            self.problem(closing if opening == -1 else opening,
                         _("a '{' without its '}' (or the other way round); write a literal "
                           "brace as \\{ or \\}"))
            return None
        if body.find("{", opening + 1) != -1 or body.find("}", closing + 1) != -1:
            self.problem(body.find("{", opening + 1),
                         _("a question has one answer section in braces; write a literal "
                           "brace as \\{ or \\}"))
            return None
        after = body[closing + 1:]
        question_text = body[:opening] + ("" if not after.strip() else BLANK + after)
        answers = body[opening + 1:closing]
        general = ""
        split = answers.rfind("####")
        if split != -1:
            general, answers = answers[split + 4:], answers[:split]
        text, fmt = self.convert(question_text, "moodle", 0)
        definition: dict[str, Any] = {"text": {"en": text}}
        if general.strip():
            feedback, _fmt = self.convert(general, fmt, opening + 1 + split)
            definition["feedback"] = {"en": feedback}
        if not text:
            self.problem(0, _("the question has no text"))
        reader = _Answers(self, answers, opening + 1, fmt)
        own = reader.read()
        if own is None or not self.ok:
            return None
        definition.update(own)
        return node(definition, self.start)


class _Answers:
    """The part between the braces, read as Moodle decides its type."""

    def __init__(self, block: _Block, text: str, offset: int, fmt: str) -> None:
        self.block = block
        self.text = text
        self.offset = offset
        self.fmt = fmt

    def parts(self, separators: str) -> list[tuple[int, str]]:
        """The answers, split before each of ``separators`` (kept), with their offsets."""
        starts = [i for i, char in enumerate(self.text) if char in separators]
        bounds = [0, *[i for i in starts if i > 0], len(self.text)]
        found = []
        for begin, end in zip(bounds, bounds[1:], strict=False):
            part = self.text[begin:end]
            if part.strip():
                lead = len(part) - len(part.lstrip())
                found.append((self.offset + begin + lead, part.strip()))
        return found

    def line(self, offset: int) -> int:
        return self.block.line(offset)

    def read(self) -> dict[str, Any] | None:
        answers = self.text.strip()
        if not answers:
            return {"type": "essay"}
        if answers.startswith("#"):
            return self.numeric()
        if "~" in answers:
            return self.choice()
        if "=" in answers and "->" in answers and self._pairs_only():
            return self.matching()
        head = answers.split("#", 1)[0].strip()
        if head in ("T", "TRUE", "F", "FALSE"):
            return self.true_false()
        return self.short_answer()

    def _pairs_only(self) -> bool:
        # Only a "->" before an answer's feedback (its "#") makes pairs: one in feedback is
        # text, as in a short answer's "#Yes: Article 33 -> no return".
        return any("->" in part[1:].split("#", 1)[0] for _offset, part in self.parts("=")
                   if part.startswith("="))

    def _weighted(self, part: str, default: float) -> tuple[float, str]:
        weight = _WEIGHT.match(part)
        if weight:
            return float(weight.group(1)), part[weight.end():]
        return default, part

    def _answer_and_feedback(self, part: str, offset: int) -> tuple[str, dict[str, str]]:
        answer, _, feedback = part.partition("#")
        result: dict[str, str] = {}
        if feedback.strip():
            converted, _fmt = self.block.convert(feedback, self.fmt, offset)
            result = {"en": converted}
        return answer.strip(), result

    def choice(self) -> dict[str, Any]:
        single = "=" in self.text
        choices = []
        for index, (offset, part) in enumerate(self.parts("~=")):
            if part.startswith("="):
                weight, part = 100.0, part[1:]
            else:
                weight, part = self._weighted(part.lstrip("~").strip(), 0.0)
            answer, feedback = self._answer_and_feedback(part, offset)
            text, _fmt = self.block.convert(answer, self.fmt, offset)
            item: dict[str, Any] = {"id": option_key(index), "text": {"en": text}}
            if single:
                if weight == 100:
                    item["correct"] = True
                elif weight:
                    item["credit"] = weight
            else:
                item["weight"] = weight
            if feedback:
                item["feedback"] = feedback
            choices.append(node(item, self.line(offset)))
        if len(choices) < 2:
            self.block.problem(self.offset, _("a multiple-choice question needs at least two "
                                              "answers"))
        return {"type": "single" if single else "multiple", "choices": node_list(choices)}

    def matching(self) -> dict[str, Any]:
        pairs: list[LineDict] = []
        distractors: list[str] = []
        for offset, part in self.parts("="):
            part = part.removeprefix("=").strip()
            if "->" not in part:
                self.block.problem(offset, _("each matching pair is written '=item -> "
                                             "answer'"))
                continue
            prompt, answer = part.split("->", 1)
            answer = unescape(answer).strip()
            if not prompt.strip():
                distractors.append(answer)
                continue
            text, _fmt = self.block.convert(prompt, self.fmt, offset)
            pairs.append(node({"id": f"p{len(pairs) + 1}", "prompt": {"en": text},
                               "answer": {"en": answer}}, self.line(offset)))
        result: dict[str, Any] = {"type": "matching", "pairs": node_list(pairs)}
        if distractors:
            result["distractors"] = distractors
        return result

    def true_false(self) -> dict[str, Any]:
        parts = self.text.split("#", 2)
        answer = parts[0].strip() in ("T", "TRUE")
        wrong, right = (parts + ["", ""])[1:3]
        result: dict[str, Any] = {"type": "true_false", "answer": answer}
        for side, text in (("true", right if answer else wrong),
                           ("false", wrong if answer else right)):
            if text.strip():
                converted, _fmt = self.block.convert(text, self.fmt, self.offset)
                result[f"feedback_{side}"] = {"en": converted}
        return result

    def short_answer(self) -> dict[str, Any]:
        answers = []
        for index, (offset, part) in enumerate(self.parts("=")):
            weight, part = self._weighted(part.removeprefix("=").strip(), 100.0)
            answer, feedback = self._answer_and_feedback(part, offset)
            item: dict[str, Any] = {"id": option_key(index), "text": {"en": unescape(answer)},
                                    "credit": weight}
            if feedback:
                item["feedback"] = feedback
            answers.append(node(item, self.line(offset)))
        return {"type": "short_answer", "answers": node_list(answers)}

    def numeric(self) -> dict[str, Any] | None:
        lead = len(self.text) - len(self.text.lstrip())
        self.offset += lead + 1
        self.text = self.text.lstrip()[1:]
        other = ""
        if "~" in self.text:
            cut = self.text.index("~")
            self.text, other = self.text[:cut], self.text[cut + 1:]
        parts = self.parts("=")
        answers = []
        for index, (offset, part) in enumerate(parts):
            weight, part = self._weighted(part.removeprefix("=").strip(), 100.0)
            number, feedback = self._answer_and_feedback(part, offset)
            item = self._number(number, offset)
            if item is None:
                continue
            item.update({"id": option_key(index), "credit": weight})
            if feedback:
                item["feedback"] = feedback
            answers.append(node(item, self.line(offset)))
        result: dict[str, Any] = {"type": "numeric", "answers": node_list(answers)}
        if other.strip():
            _answer, feedback = self._answer_and_feedback(other.strip().lstrip("*"),
                                                          self.offset)
            if feedback:
                result["other_feedback"] = feedback
        if not parts:
            self.block.problem(self.offset, _("a numeric question needs at least one answer"))
        return result

    def _number(self, text: str, offset: int) -> dict[str, Any] | None:
        text = unescape(text).strip()
        try:
            if ".." in text:
                low, high = (_finite(v) for v in text.split("..", 1))
                return {"min": low, "max": high}
            if ":" in text:
                value, tolerance = (_finite(v) for v in text.split(":", 1))
                return {"value": value, "tolerance": abs(tolerance)}
            return {"value": _finite(text)}
        except ValueError:
            self.block.problem(offset, _("'%(text)s' is not a number, a number:tolerance or a "
                                         "min..max range", text=text))
            return None


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value
