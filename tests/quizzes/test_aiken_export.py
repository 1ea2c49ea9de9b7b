"""Which questions Aiken can hold whole, and how they are written."""

from __future__ import annotations

import pytest

from lms.quizzes.aiken_export import question_to_aiken, quiz_to_aiken
from lms.quizzes.importing.text_formats import as_html_block
from lms.quizzes.specs import OptionSpec, QuestionSpec


def single(text: str, *options: tuple[str, float], kind: str = "single") -> QuestionSpec:
    return QuestionSpec(key="q", type=kind, line=0, points=1, text={"en": text}, feedback={},
                        ref=None, options=[OptionSpec(f"o{i}", "choice", {"en": t}, credit)
                                           for i, (t, credit) in enumerate(options)])


def test_a_question_over_several_lines_with_escaped_markdown() -> None:
    question = single("Read the case.  \nWho decides\\?  \n1\\. first", ("The  State", 100),
                      ("UNHCR\nalone", 0))
    assert question_to_aiken(question) == (
        "Read the case.\nWho decides\\?\n1. first\nA. The State\nB. UNHCR alone\nANSWER: A")


@pytest.mark.parametrize("question", [
    single("True?", ("True", 100), ("False", 0), kind="true_false"),
    single("Two right?", ("a", 100), ("b", 100)),
    single("Half right?", ("a", 100), ("b", 50)),
    single("One option?", ("a", 100)),
    single(as_html_block("<p>Rich</p>"), ("a", 100), ("b", 0)),
    single("Which?", (as_html_block("<b>a</b>"), 100), ("b", 0)),
    single("Which?", ("", 100), ("b", 0)),
    single("Pick one:\nB. looks like an option", ("a", 100), ("b", 0)),
    single("ANSWER: A", ("a", 100), ("b", 0)),
    single("Too many?", *((f"o{i}", 100 if i == 0 else 0) for i in range(27))),
], ids=["true-false", "two-right", "partial-credit", "one-option", "html-text",
        "html-option", "empty-option", "option-like-line", "answer-like-line", "27-options"])
def test_what_aiken_cannot_hold_is_left_out(question: QuestionSpec) -> None:
    assert question_to_aiken(question) is None
    exported = quiz_to_aiken([question, single("Fine?", ("yes", 100), ("no", 0))])
    assert exported.written == 1 and exported.left_out == [question]
    assert exported.text == "Fine?\nA. yes\nB. no\nANSWER: A\n"
