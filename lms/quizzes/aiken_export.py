"""Writing a quiz's single-choice questions as Aiken, the plain format most platforms import.

Aiken holds a question in plain text, its lettered options and the one right answer, and
nothing else. A question whose marking it cannot hold (another type, partial credit) or whose
text it cannot hold (HTML, a line that reads as an option) is left out, and the quiz's page
says how many were; its English text is written, as in a GIFT export, and the page says that
Arabic texts and feedback are not carried.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from lms.quizzes.importing.aiken import ANSWER_LINE, OPTION_LINE
from lms.quizzes.importing.text_formats import is_html_block, markdown_to_plain
from lms.quizzes.specs import QuestionSpec

LETTERS = string.ascii_uppercase
FULL_CREDIT = 100


@dataclass
class AikenFile:
    text: str
    written: int
    left_out: list[QuestionSpec] = field(default_factory=list)


def question_to_aiken(question: QuestionSpec) -> str | None:
    """The question in Aiken, or None when Aiken cannot hold all of it."""
    options = question.options
    if question.type != "single" or not 2 <= len(options) <= len(LETTERS):
        return None
    if sorted(option.credit for option in options) != [0] * (len(options) - 1) + [FULL_CREDIT]:
        return None
    texts = [question.text.get("en", ""), *(option.text.get("en", "") for option in options)]
    if any(not text.strip() or is_html_block(text) for text in texts):
        return None
    lines = [line.strip() for line in markdown_to_plain(texts[0]).split("\n") if line.strip()]
    # A line of the question that reads like an option or the answer would be read as one.
    if any(ANSWER_LINE.match(line) for line in lines) or any(
            OPTION_LINE.match(line) for line in lines[1:]):
        return None
    for letter, text in zip(LETTERS, texts[1:], strict=False):
        lines.append(f"{letter}. {' '.join(markdown_to_plain(text).split())}")
    right = next(i for i, option in enumerate(options) if option.credit == FULL_CREDIT)
    lines.append(f"ANSWER: {LETTERS[right]}")
    return "\n".join(lines)


def quiz_to_aiken(questions: list[QuestionSpec]) -> AikenFile:
    """The questions Aiken can hold, one block each with a blank line between (UTF-8, LF)."""
    blocks, left_out = [], []
    for question in questions:
        block = question_to_aiken(question)
        if block is None:
            left_out.append(question)
        else:
            blocks.append(block)
    return AikenFile("\n\n".join(blocks) + ("\n" if blocks else ""), len(blocks), left_out)
