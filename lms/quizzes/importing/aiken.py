"""Reading Aiken, the plain single-choice format: a question, lettered options, an ANSWER line.

    Which body's mandate covers refugees?
    A. UNHCR
    B) ILO
    ANSWER: A

The question may run over several lines; a blank line may separate questions.
"""

from __future__ import annotations

import re
from typing import Any

from lms.courses.problems import LineDict
from lms.quizzes.importing.gift import Parsed, node, node_list, option_key
from lms.quizzes.importing.text_formats import plain_to_markdown
from lms.quizzes.messages import _

OPTION_LINE = re.compile(r"^([A-Z])[.)]\s+(\S.*)$")
ANSWER_LINE = re.compile(r"^ANSWER\s*:\s*(\S*)\s*$")


class _Question:
    def __init__(self, line: int) -> None:
        self.line = line
        self.text: list[str] = []
        self.options: list[tuple[str, str, int]] = []  # letter, text, line


def parse_aiken(text: str) -> Parsed:
    """Every question of an Aiken file; ``text`` has LF line endings and no byte-order mark."""
    parsed = Parsed()
    current: _Question | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = ANSWER_LINE.match(line)
        option = OPTION_LINE.match(line)
        if answer:
            if current is None or not current.options:
                parsed.problems.append((number, _("an ANSWER line must follow a question and "
                                                  "its options")))
            else:
                _finish(current, answer.group(1), number, parsed)
            current = None
        elif option and current is not None and current.text:
            letter = option.group(1)
            if any(letter == known for known, _text, _line in current.options):
                parsed.problems.append((number, _("option %(letter)s appears twice",
                                                  letter=letter)))
            current.options.append((letter, option.group(2).strip(), number))
        elif current is not None and current.options:
            parsed.problems.append((number, _("expected an option such as 'C. …' or the "
                                              "'ANSWER:' line")))
        else:
            if current is None:
                current = _Question(number)
            current.text.append(line)
    if current is not None:
        parsed.problems.append((current.line, _("this question has no 'ANSWER:' line")))
    return parsed


def _finish(question: _Question, letter: str, line: int, parsed: Parsed) -> None:
    letters = [known for known, _text, _line in question.options]
    if len(question.options) < 2:
        parsed.problems.append((question.line, _("a question needs at least two options")))
        return
    if letter not in letters:
        parsed.problems.append((line, _("the answer '%(letter)s' is not one of the options "
                                        "(%(letters)s)", letter=letter,
                                        letters=", ".join(letters))))
        return
    choices: list[LineDict] = []
    for index, (known, text, option_line) in enumerate(question.options):
        choice: dict[str, Any] = {"id": option_key(index), "text": {"en": plain_to_markdown(
            text)}}
        if known == letter:
            choice["correct"] = True
        choices.append(node(choice, option_line))
    parsed.definitions.append(node({
        "id": f"q{len(parsed.definitions) + 1}", "type": "single",
        "text": {"en": plain_to_markdown("\n".join(question.text))},
        "choices": node_list(choices)}, question.line))
