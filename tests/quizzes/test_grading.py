"""Grading every question type on the server: credit, weights, tolerance, normalisation."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from lms.courses.fields import Fields
from lms.courses.problems import Report, load_yaml
from lms.quizzes.models import Option, Question
from lms.quizzes.normalise import answer_matches, count_words, normalise_answer, parse_number
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.quiz_file import read_question
from lms.quizzes.snapshot import question_snapshot


def snap(definition: str, shuffle: bool = False) -> dict[str, Any]:
    """A question as an attempt keeps it, from its definition in the quiz file format."""
    report = Report(root=Path("."))
    data = load_yaml(definition, Path("q.yaml"), report)
    spec = read_question(Fields(data, Path("q.yaml"), report, "a question"), require_ref=False)
    assert spec is not None and report.ok, report.problems
    question = Question(key=spec.key, type=spec.type, points=spec.points, text=spec.text,
                        feedback=spec.feedback, ref=None, settings=spec.settings,
                        is_retired=False, options=[
                            Option(key=o.key, kind=o.kind, text=o.text, match=o.match,
                                   credit=o.credit, feedback=o.feedback, settings=o.settings,
                                   is_retired=False) for o in spec.options])
    return question_snapshot(question, random.Random(7), shuffle)


def grade(question: dict[str, Any], response: Any) -> float | None:
    return QUESTION_TYPES[question["type"]].grade(question, response)


def read(question: dict[str, Any], form: dict[str, list[str]]) -> tuple[Any, str | None]:
    return QUESTION_TYPES[question["type"]].read_response(question, form)


SINGLE = """
id: s
type: single
text: Which?
choices:
  - {id: a, text: Right, correct: true, feedback: Indeed}
  - {id: b, text: Half, credit: 50}
  - {id: c, text: Wrong, credit: -50, feedback: Not that}
"""

MULTIPLE = """
id: m
type: multiple
text: Tick.
choices:
  - {id: a, text: One, weight: 50}
  - {id: b, text: Two, weight: 50}
  - {id: c, text: Bad, weight: -100}
"""


def test_single_choice_full_partial_negative_and_empty() -> None:
    """A single choice earns the chosen option's credit, never below zero; no answer earns 0."""
    question = snap(SINGLE)
    assert grade(question, "a") == 1.0
    assert grade(question, "b") == 0.5
    assert grade(question, "c") == 0.0
    assert grade(question, None) == 0.0
    assert QUESTION_TYPES["single"].feedback(question, "c") == [{"en": "<p>Not that</p>"}]


def test_single_choice_reads_the_option_by_its_place_and_drops_strangers() -> None:
    """The form names options by their place on the page; a value out of range is dropped."""
    question = snap(SINGLE)
    assert read(question, {"q-s": ["2"]}) == ("b", None)
    assert read(question, {"q-s": ["9"]}) == (None, None)
    assert read(question, {"q-s": ["a"]}) == (None, None)
    assert read(question, {}) == (None, None)


def test_multiple_answers_weights_and_floor_at_zero() -> None:
    """Ticked weights add up; wrong ticks take marks away but the total never goes below 0."""
    question = snap(MULTIPLE)
    assert grade(question, ["a", "b"]) == 1.0
    assert grade(question, ["a"]) == 0.5
    assert grade(question, ["a", "c"]) == 0.0
    assert grade(question, ["a", "b", "c"]) == 0.0
    assert grade(question, ["c"]) == 0.0
    assert grade(question, []) == 0.0
    assert read(question, {"q-m": ["1", "3", "7", "x"]}) == (["a", "c"], None)


def test_true_false_and_its_feedback() -> None:
    """The right pick earns the marks; each pick has its own feedback."""
    question = snap("id: t\ntype: true_false\ntext: Sky is blue.\nanswer: true\n"
                    "feedback_true: Right\nfeedback_false: Look up\n")
    assert grade(question, "true") == 1.0
    assert grade(question, "false") == 0.0
    assert grade(question, None) == 0.0
    assert read(question, {"q-t": ["maybe"]}) == (None, None)
    feedback = QUESTION_TYPES["true_false"].feedback(question, "false")
    assert [text["en"] for text in feedback] == ["<p>Look up</p>"]


SHORT = """
id: sa
type: short_answer
text: Name it.
answers:
  - {id: a, text: non-refoulement, credit: 100}
  - {id: b, text: "refoul*", credit: 50, feedback: Nearly}
  - {id: c, text: "1951", credit: 100}
  - {id: d, text: asylum, credit: 0, feedback: "No: asylum is what is sought"}
"""


@pytest.mark.parametrize(("given", "credit"), [
    ("non-refoulement", 1.0),
    ("  NON-Refoulement ", 1.0),
    ("refoulement", 0.5),
    ("refoulement principle", 0.5),
    ("١٩٥١", 1.0),
    ("۱۹۵۱", 1.0),
    ("asylum", 0.0),
    ("something else", 0.0),
    ("", 0.0),
    (None, 0.0),
])
def test_short_answer_normalisation_wildcards_and_credit(given: Any, credit: float) -> None:
    """Answers compare without case or extra spaces, digits in any script, * as wildcard."""
    assert grade(snap(SHORT), given) == credit


def test_short_answer_case_sensitive_and_feedback() -> None:
    """With case_sensitive, case must match; a 0% answer still gives its feedback."""
    question = snap("id: c\ntype: short_answer\ntext: Symbol?\ncase_sensitive: true\n"
                    "answers:\n  - {id: a, text: NaCl}\n")
    assert grade(question, "NaCl") == 1.0
    assert grade(question, "nacl") == 0.0
    feedback = QUESTION_TYPES["short_answer"].feedback(snap(SHORT), "Asylum")
    assert feedback == [{"en": "<p>No: asylum is what is sought</p>"}]


def test_typed_answers_have_a_length_limit() -> None:
    """An over-long typed answer is reported, not stored whole."""
    response, problem = read(snap(SHORT), {"q-sa": ["x" * 600]})
    assert problem is not None and "too long" in problem
    assert len(response) == 500


MATCHING = """
id: mt
type: matching
text: Match.
pairs:
  - {id: p1, prompt: Refugee, answer: Outside their country}
  - {id: p2, prompt: IDP, answer: Inside their country}
  - {id: p3, prompt: Migrant, answer: Umbrella term}
  - {id: p4, prompt: Stateless person, answer: Umbrella term}
distractors: [Tourist]
"""


def test_matching_share_of_right_pairs_and_shared_answers() -> None:
    """Each prompt matched rightly earns its share; one answer may serve two prompts."""
    question = snap(MATCHING)
    ids = {p["key"]: p["answer_id"] for p in question["options"] if p["kind"] == "pair"}
    assert ids["p3"] == ids["p4"]
    assert len(question["choices"]) == 4
    assert grade(question, ids) == 1.0
    assert grade(question, {"p1": ids["p1"], "p2": ids["p1"]}) == 0.25
    assert grade(question, {}) == 0.0
    assert grade(question, None) == 0.0
    response, _problem = read(question, {"q-mt-p1": [ids["p1"]], "q-mt-p2": ["m99"]})
    assert response == {"p1": ids["p1"]}


def test_matching_answer_ids_do_not_follow_the_pairs() -> None:
    """Answers are numbered after shuffling, so their ids tell nothing about the pairs."""
    orders = set()
    for seed in range(20):
        report = Report(root=Path("."))
        data = load_yaml(MATCHING, Path("q.yaml"), report)
        spec = read_question(Fields(data, Path("q.yaml"), report, "q"), require_ref=False)
        assert spec is not None
        question = Question(key="mt", type="matching", points=1.0, text=spec.text, feedback={},
                            settings={}, is_retired=False, options=[
                                Option(key=o.key, kind=o.kind, text=o.text, match=o.match,
                                       credit=o.credit, feedback={}, settings={},
                                       is_retired=False) for o in spec.options])
        snapshot = question_snapshot(question, random.Random(seed), False)
        orders.add(tuple(o["answer_id"] for o in snapshot["options"] if o["kind"] == "pair"))
    assert len(orders) > 1


NUMERIC = """
id: n
type: numeric
text: When?
answers:
  - {id: a, value: 1951, feedback: Exactly}
  - {id: b, value: 1950, tolerance: 2, credit: 50}
  - {id: c, min: 0.1, max: 0.3, credit: 100}
other_feedback: Check the date of the Convention
"""


@pytest.mark.parametrize(("given", "credit"), [
    ("1951", 1.0),
    ("1951.0", 1.0),
    ("١٩٥١", 1.0),
    ("1,951", 1.0),
    ("1948", 0.5),
    ("1952", 0.5),
    ("1947.9", 0.0),
    ("0,2", 1.0),
    ("0.3", 1.0),
    ("٠٫٢", 1.0),
    ("0.31", 0.0),
    ("abc", 0.0),
    ("", 0.0),
    (None, 0.0),
])
def test_numeric_values_tolerance_ranges_and_digits(given: Any, credit: float) -> None:
    """A number earns the first answer it falls in, bounds included, in any digits."""
    assert grade(snap(NUMERIC), given) == credit


def test_numeric_feedback_and_malformed_numbers() -> None:
    """A wrong number gets the feedback for other answers; text that is not a number is
    reported beside the field."""
    question = snap(NUMERIC)
    assert QUESTION_TYPES["numeric"].feedback(question, "1800") == [
        {"en": "<p>Check the date of the Convention</p>"}]
    assert QUESTION_TYPES["numeric"].feedback(question, "1951") == [{"en": "<p>Exactly</p>"}]
    response, problem = read(question, {"q-n": ["nineteen"]})
    assert response == "nineteen" and problem is not None


def test_essay_waits_for_an_instructor_unless_empty() -> None:
    """An essay with text is not auto-graded; an empty one earns 0; word limits are noticed."""
    question = snap("id: e\ntype: essay\ntext: Reflect.\nmin_words: 5\nmax_words: 8\n")
    assert grade(question, "Some words here") is None
    assert grade(question, "   ") == 0.0
    assert grade(question, None) == 0.0
    notice = QUESTION_TYPES["essay"].notice(question, "two words")
    assert notice is not None and "at least 5" in notice
    assert QUESTION_TYPES["essay"].notice(question, "one two three four five") is None
    assert "at most 8" in QUESTION_TYPES["essay"].notice(question, "w " * 9)


def test_description_is_not_graded() -> None:
    """A description has no marks and no answer."""
    question = snap("id: d\ntype: description\ntext: Read this.\n")
    assert question["points"] == 0.0
    assert not QUESTION_TYPES["description"].graded


@pytest.mark.parametrize(("text", "value"), [
    ("42", 42.0), ("-3.5", -3.5), ("+7", 7.0), ("٣٫٥", 3.5), ("3,5", 3.5),
    ("1,500,000", 1_500_000.0), (" 12 ", 12.0), ("1e3", 1000.0), ("−4", -4.0),
    ("inf", None), ("nan", None), ("1,2,3", None), ("", None), ("12abc", None),
    ("0,125", 0.125), ("-0,500", -0.5), ("1,500", 1500.0),
])
def test_parse_number(text: str, value: float | None) -> None:
    """Numbers in Latin or Arabic-Indic digits, with either decimal mark; nothing else."""
    assert parse_number(text) == value


def test_normalise_answer_and_words() -> None:
    """Case, runs of spaces and digit scripts do not matter; words are counted by spaces."""
    assert normalise_answer("  Non   Refoulement\t") == "non refoulement"
    assert normalise_answer("ABC", case_sensitive=True) == "ABC"
    assert answer_matches("*convention*", "The 1951 Convention")
    assert not answer_matches("convention", "")
    assert count_words(" one  two\nthree ") == 3
