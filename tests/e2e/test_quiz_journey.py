"""Quizzes in a real browser: a participant takes one on a phone and resumes it; an instructor
imports a Moodle GIFT export, previews it and grades an essay. Every page is checked with axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.journey_steps import login_as

MOODLE_EXPORT = (
    "\ufeff// question: 0  name: Switch category to $course$/top/Default for Module 1\r\n"
    "$CATEGORY: $course$/top/Default for Module 1\r\n\r\n"
    "// question: 12  name: Mandate\r\n"
    "::Mandate::[html]<p>Which agency holds the mandate for <b>refugees</b>?</p>{\r\n"
    "\t=<p>UNHCR</p>#<p>Right: its 1950 Statute.</p>\r\n"
    "\t~<p>IOM</p>#<p>No: IOM is the migration agency.</p>\r\n"
    "}\r\n\r\n"
    "// question: 13  name: Reflection\r\n"
    "::Reflection::[html]<p>Describe a case from your work.</p>{}\r\n\r\n")


def test_participant_takes_a_quiz_on_a_phone_and_resumes_it(server: Server, new_page: Any,
                                                            browser: Any) -> None:
    """Start from the lesson, answer with the keyboard, close the browser, resume, submit,
    read the review."""
    phone = new_page(390, 844)
    login_as(phone, server, "participant3")
    phone.goto(f"{server.url}/topics/who-is-a-migrant")
    assert phone.get_by_role("heading", name="Check your understanding").is_visible()
    assert "Quiz not passed yet" in phone.content()
    follow(phone.get_by_role("link", name="Go to the quiz"))
    check_accessibility(phone)
    follow(phone.get_by_role("button", name="Start a new attempt"))
    check_accessibility(phone)
    first = phone.locator("fieldset.question").first
    first.get_by_role("radio").first.focus()
    phone.keyboard.press("Space")
    follow(phone.get_by_role("button", name="Save and go to the next page"))
    assert "?page=2" in phone.url
    phone.context.close()

    again = new_page(390, 844)
    login_as(again, server, "participant3")
    again.goto(f"{server.url}/topics/who-is-a-migrant/quiz")
    follow(again.get_by_role("button", name="Continue your attempt"))
    assert "?page=2" in again.url
    again.goto(re.sub(r"\?page=\d+", "?page=1", again.url))
    assert again.locator("fieldset.question").first.locator("input:checked").count() == 1
    while again.get_by_role("button", name="Save and go to the next page").count():
        follow(again.get_by_role("button", name="Save and go to the next page"))
    follow(again.get_by_role("button", name="Save and finish the attempt"))
    check_accessibility(again)
    follow(again.get_by_role("button", name="Submit all and finish"))
    assert again.get_by_role("heading", name="Result of attempt 2").is_visible()
    # Announced in the page's status region, as flashed messages are.
    assert again.get_by_role("status").get_by_text("Your attempt has been submitted.").is_visible()
    assert again.get_by_role("heading", name="Review").is_visible()
    check_accessibility(again)


def test_instructor_imports_a_moodle_export_previews_and_grades(server: Server, new_page: Any,
                                                                tmp_path: Path) -> None:
    """A GIFT file as Moodle writes it becomes the topic's quiz; a participant's essay is
    graded from the queue."""
    export = tmp_path / "moodle-questions.txt"
    export.write_bytes(MOODLE_EXPORT.encode("utf-8"))
    teacher = new_page()
    login_as(teacher, server, "instructor")
    follow(teacher.get_by_role("link", name="Quizzes"))
    check_accessibility(teacher)
    teacher.goto(f"{server.url}/author/quizzes/topics/migration-in-numbers/import")
    check_accessibility(teacher)
    teacher.get_by_label("Quiz file").set_input_files(str(export))
    follow(teacher.get_by_role("button", name="Import"))
    assert "2 questions imported from moodle-questions.txt." in teacher.content()
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name="Preview as a participant"))
    check_accessibility(teacher)
    assert "Right: its 1950 Statute." not in teacher.content()
    teacher.get_by_label("UNHCR").check()
    follow(teacher.get_by_role("button", name="Check the answers"))
    assert "Right: its 1950 Statute." in teacher.content()
    check_accessibility(teacher)
    quiz_url = re.sub(r"/preview$", "", teacher.url)
    teacher.goto(quiz_url)
    teacher.get_by_label("Type of question").select_option("numeric")
    follow(teacher.get_by_role("button", name="Add a question"))
    check_accessibility(teacher)
    teacher.get_by_label("Question text (Markdown)").fill("How many States are members of IOM?")
    teacher.locator("#rows-0-value").fill("175")
    teacher.locator("#rows-0-tolerance").fill("5")
    follow(teacher.get_by_role("button", name="Save the question"))
    assert "The question has been saved." in teacher.content()

    learner = new_page(390, 844)
    login_as(learner, server, "participant2")
    learner.goto(f"{server.url}/topics/migration-in-numbers/quiz")
    follow(learner.get_by_role("button", name=re.compile("^Start")))
    learner.get_by_label("UNHCR").check()
    learner.get_by_label("Your answer", exact=True).fill(
        "At the border post we met a family whose claim was still pending.")
    learner.get_by_label("Your answer (a number)").fill("١٧٥")
    follow(learner.get_by_role("button", name="Save and finish the attempt"))
    follow(learner.get_by_role("button", name="Submit all and finish"))
    assert "Waiting for an instructor to grade your written answer" in learner.content()
    check_accessibility(learner)

    teacher.goto(f"{server.url}/author/quizzes/grading")
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name=re.compile("^Grade")).first)
    check_accessibility(teacher)
    teacher.get_by_label(re.compile("^Marks, from 0 to 1")).fill("1")
    teacher.get_by_label("Comment for the participant").fill("A clear case.")
    follow(teacher.get_by_role("button", name="Save the grade"))
    assert "The grade has been saved." in teacher.content()
    teacher.goto(f"{quiz_url}/statistics")
    check_accessibility(teacher)

    learner.reload()
    assert "A clear case." in learner.content() and "Passed" in learner.content()
