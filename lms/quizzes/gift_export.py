"""Writing a quiz as GIFT, which Moodle and this platform both import.

GIFT has no place for the Arabic versions of texts, marks per question, lesson references,
case-sensitive short answers, feedback on matching pairs or essay word limits; the English
texts, answers, weights and feedback make the round trip.
"""

from __future__ import annotations

import re

from lms.quizzes.importing.text_formats import html_block_content, is_html_block
from lms.quizzes.question_types.numeric import number_text as num
from lms.quizzes.specs import OptionSpec, QuestionSpec

_LOOKS_WEIGHTED = re.compile(r"^%-?\d+(?:\.\d+)?%")
_RESERVED = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{",
                           "}": "\\}", ":": "\\:", "\n": "\\n"})


def escape(text: str) -> str:
    return text.replace("\r", "").translate(_RESERVED)


def _format_of(text: str) -> str:
    return "html" if is_html_block(text) else "markdown"


def _text(text: dict[str, str] | None, default: str | None = None) -> str:
    """A text with its format marker, unless it is in the question's own format."""
    value = (text or {}).get("en", "")
    if not value:
        return ""
    fmt = _format_of(value)
    body = html_block_content(value) if fmt == "html" else value
    marker = "" if fmt == default else f"[{fmt}]"
    return marker + escape(body)


def _weight(value: float) -> str:
    return f"%{num(value)}%"


def _credit(value: float, text: str) -> str:
    """A choice's weight where it has one, and "%0%" before a text that starts as a weight
    does ("%50% of arrivals"), which would otherwise be read as one."""
    if value:
        return _weight(value)
    return "%0%" if _LOOKS_WEIGHTED.match(text) else ""


def _feedback(option: OptionSpec, fmt: str) -> str:
    text = _text(option.feedback, fmt)
    return f"#{text}" if text else ""


def question_to_gift(question: QuestionSpec) -> str:
    """One question in GIFT, titled with its id so a round trip keeps the ids."""
    fmt = _format_of(question.text.get("en", ""))
    head = f"::{escape(question.key)}::[{fmt}]{_text(question.text, fmt)}"
    if question.type == "description":
        return head
    lines = list(_answers(question, fmt))
    general = _text(question.feedback, fmt)
    if general:
        lines.append(f"\t####{general}")
    if question.type in ("essay", "true_false") and len(lines) <= 1:
        return head + "{" + "".join(line.strip() for line in lines) + "}"
    opening = "{#\n" if question.type == "numeric" else "{\n"
    return head + opening + "\n".join(lines) + "\n}"


def _answers(question: QuestionSpec, fmt: str) -> list[str]:
    kind, options = question.type, question.options
    if kind == "single":
        return [f"\t{'=' if o.credit == 100 else '~' + _credit(o.credit, _text(o.text, fmt))}"
                f"{_text(o.text, fmt)}{_feedback(o, fmt)}" for o in options]
    if kind == "multiple":
        return [f"\t~{_credit(o.credit, _text(o.text, fmt))}{_text(o.text, fmt)}"
                f"{_feedback(o, fmt)}" for o in options]
    if kind == "true_false":
        answer = bool(question.settings.get("answer"))
        right = _text(question.settings.get(f"feedback_{str(answer).lower()}"), fmt)
        wrong = _text(question.settings.get(f"feedback_{str(not answer).lower()}"), fmt)
        return [("TRUE" if answer else "FALSE") + (f"#{wrong}#{right}" if wrong or right
                                                   else "")]
    if kind == "short_answer":
        return [f"\t={_weight(o.credit)}{escape(o.text['en'])}{_feedback(o, fmt)}"
                for o in options]
    if kind == "matching":
        return [f"\t={_text(o.text, fmt) if o.kind == 'pair' else ''} -> "
                f"{escape((o.match if o.kind == 'pair' else o.text)['en'])}" for o in options]
    if kind == "numeric":
        lines = []
        for o in options:
            bounds = o.settings
            number = (f"{num(bounds['value'])}:{num(bounds.get('tolerance', 0.0))}"
                      if "value" in bounds else f"{num(bounds['min'])}..{num(bounds['max'])}")
            lines.append(f"\t={_weight(o.credit)}{number}{_feedback(o, fmt)}")
        other = _text(question.settings.get("other_feedback"), fmt)
        if other:
            lines.append(f"\t~#{other}")
        return lines
    return []


def quiz_to_gift(title: str, questions: list[QuestionSpec]) -> str:
    """A whole quiz as a GIFT file (UTF-8 text, LF line endings)."""
    parts = [f"// {title.replace(chr(10), ' ')}", ""]
    for question in questions:
        parts += [question_to_gift(question), ""]
    return "\n".join(parts)
