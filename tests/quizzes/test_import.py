"""GIFT and Aiken import as Moodle documents them, quiz YAML uploads, errors with their lines,
and the GIFT export's round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from lms.courses.loader import load_package
from lms.courses.models import Topic
from lms.courses.problems import Report
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.gift_export import quiz_to_gift
from lms.quizzes.importing import ImportInvalid, import_quiz, read_quiz_file
from lms.quizzes.importing.gift import parse_gift
from lms.quizzes.models import SOURCE_BROWSER, Question
from lms.quizzes.quiz_file import read_quiz
from lms.quizzes.snapshot import live_questions
from lms.quizzes.specs import QuestionSpec
from lms.quizzes.store import question_spec
from tests.conftest import FIXTURE_PACKAGE
from tests.quizzes.conftest import quiz_of


def questions(text: str, **kwargs: Any) -> list[QuestionSpec]:
    return read_quiz_file(text.encode(), "quiz.gift", "gift", **kwargs).spec.questions


def problems(text: str | bytes, name: str = "quiz.gift", fmt: str = "auto") -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportInvalid) as caught:
        read_quiz_file(data, name, fmt)
    return [str(p) for p in caught.value.problems]


def test_gift_multiple_choice_with_feedback_and_title() -> None:
    """=right ~wrong with #feedback, a ::title:: that becomes the id, and #### feedback."""
    [question] = questions(
        "::Grant's tomb::Who is buried in Grant's tomb?"
        "{~Grant#No, he is entombed ~Jefferson =no one#Right ####Nobody is buried there}")
    assert question.key == "Grant-s-tomb"
    assert question.type == "single"
    assert question.text == {"en": "Who is buried in Grant's tomb?"}
    assert question.feedback == {"en": "Nobody is buried there"}
    assert [(o.text["en"], o.credit) for o in question.options] == [
        ("Grant", 0.0), ("Jefferson", 0.0), ("no one", 100.0)]
    assert question.options[0].feedback == {"en": "No, he is entombed"}
    assert question.options[2].feedback == {"en": "Right"}


def test_gift_missing_word_and_multi_line_question() -> None:
    """Answers inside the sentence leave a blank; a question may run over several lines."""
    first, second = questions(
        "Grant is {~buried =entombed ~living} in Grant's tomb.\n\n"
        "// a comment inside the file\n"
        "::Colours::What colour\nis the sky?\n{\n\t=blue\n\t~green\n}\n")
    assert first.text == {"en": "Grant is \\_\\_\\_\\_\\_ in Grant's tomb."}
    assert second.text == {"en": "What colour  \nis the sky?"}
    assert [o.text["en"] for o in second.options] == ["blue", "green"]


def test_gift_true_false_and_its_feedback_order() -> None:
    """{T}, {TRUE}, {F}, {FALSE}; the first # is for a wrong pick, the second for a right one."""
    specs = questions("Sky is blue.{T}\n\nGrass is red.{FALSE#No, grass is green.#Right.}\n\n"
                      "Snow is cold.{TRUE}\n\nFire is cold.{F}")
    assert [q.settings["answer"] for q in specs] == [True, False, True, False]
    assert specs[1].settings["feedback_true"] == {"en": "No, grass is green."}
    assert specs[1].settings["feedback_false"] == {"en": "Right."}


def test_gift_short_answer_with_weights() -> None:
    """All answers with = make a short answer; %50% gives half the marks."""
    [question] = questions("Two plus two?{=four =4 =%50%for#Sounds right but is not spelt so}")
    assert question.type == "short_answer"
    assert [(o.text["en"], o.credit) for o in question.options] == [
        ("four", 100.0), ("4", 100.0), ("for", 50.0)]


def test_gift_matching_with_a_distractor() -> None:
    """= prompt -> answer pairs; a pair without a prompt is an extra wrong answer."""
    [question] = questions("Match capitals.{\n=Egypt -> Cairo\n=Jordan -> Amman\n"
                           "=Lebanon -> Beirut\n= -> Alexandria\n}")
    assert question.type == "matching"
    pairs = [(o.text["en"], o.match["en"]) for o in question.options if o.kind == "pair"]
    assert pairs == [("Egypt", "Cairo"), ("Jordan", "Amman"), ("Lebanon", "Beirut")]
    assert [o.text["en"] for o in question.options if o.kind == "distractor"] == ["Alexandria"]


def test_gift_numeric_forms() -> None:
    """{#value:tolerance}, {#min..max}, several weighted answers and feedback for the rest."""
    tolerance, span, several = questions(
        "Pi to two places?{#3.14:0.005}\n\nA number from 1 to 5?{#1..5}\n\n"
        "When was the Convention adopted?{#\n=1951:0#Exactly\n=%50%1951:2#Close\n"
        "~#Look at the lesson again\n}")
    assert tolerance.options[0].settings == pytest.approx(
        {"min": 3.135, "max": 3.145, "value": 3.14, "tolerance": 0.005})
    assert span.options[0].settings == {"min": 1.0, "max": 5.0}
    assert [(o.credit, o.feedback["en"]) for o in several.options] == [
        (100.0, "Exactly"), (50.0, "Close")]
    assert several.settings["other_feedback"] == {"en": "Look at the lesson again"}


def test_gift_weights_for_multiple_answers() -> None:
    """Without any = the question takes several answers, with weights in percent."""
    [question] = questions("Who is buried in Grant's tomb?{\n~%-100%No one\n~%50%Grant\n"
                           "~%50%Grant's wife\n~%-100%Grant's father\n}")
    assert question.type == "multiple"
    assert [o.credit for o in question.options] == [-100.0, 50.0, 50.0, -100.0]


def test_gift_essay_description_and_categories() -> None:
    """{} is an essay, text without braces a description; $CATEGORY lines are noted."""
    parsed = parse_gift("$CATEGORY: $course$/top/Module 1\n\n::Reflect::Write about it.{}\n\n"
                        "::Intro::The next questions are about law.")
    assert parsed.categories == ["$course$/top/Module 1"]
    assert [d["type"] for d in parsed.definitions] == ["essay", "description"]


def test_gift_escapes() -> None:
    """\\~ \\= \\# \\{ \\} \\: and \\n stand for themselves; \\\\ for a backslash."""
    [question] = questions(
        "[markdown]Is 1 \\= 1 \\{always\\} \\: yes \\# no\\nnew line \\\\ here?"
        "{=yes \\~ sure ~no}")
    assert question.text == {"en": "Is 1 = 1 {always} : yes # no\nnew line \\ here?"}
    assert question.options[0].text == {"en": "yes ~ sure"}


def test_gift_text_formats() -> None:
    """[markdown] stays Markdown, [html] is kept for the sanitiser, [plain] is shown as is."""
    markdown, html, plain, moodle = questions(
        "[markdown]Is **this** bold?{T}\n\n[html]<p>Is <b>this</b> bold?</p>{T}\n\n"
        "[plain]Is <b>this</b> *bold*?{T}\n\n[moodle]Line one\nline <i>two</i>{T}")
    assert markdown.text == {"en": "Is **this** bold?"}
    assert html.text["en"].startswith('<div class="imported-html">')
    assert "<b>this</b>" in html.text["en"]
    assert plain.text == {"en": "Is &lt;b>this&lt;/b> \\*bold\\*?"}
    assert "<br>" in moodle.text["en"] and "<i>two</i>" in moodle.text["en"]


def test_moodle_export_with_bom_crlf_categories_html_and_images() -> None:
    """A file as Moodle writes it: BOM, CRLF, comments, $CATEGORY, [html], @@PLUGINFILE@@."""
    exported = (
        "\ufeff// question: 0  name: Switch category to $course$/top/Default for Module 1\r\n"
        "$CATEGORY: $course$/top/Default for Module 1\r\n\r\n\r\n"
        "// question: 41  name: Routes\r\n"
        "::Routes::[html]<p>Which route is shown? <img src\\=\"@@PLUGINFILE@@/pixel.png\" "
        "alt\\=\"map\"></p>{\r\n"
        "\t=<p>Central Mediterranean</p>#<p>Right</p>\r\n"
        "\t~<p>Eastern route</p>#<p>No</p>\r\n"
        "}\r\n\r\n")
    result = read_quiz_file(exported.encode(), "moodle.txt", "auto",
                            lambda name: f"/media/sample/{name}" if name == "pixel.png"
                            else None)
    [question] = result.spec.questions
    assert result.format == "gift" and result.categories == [
        "$course$/top/Default for Module 1"]
    assert 'src="/media/sample/pixel.png"' in question.text["en"]
    assert question.options[0].credit == 100.0
    missing = exported.replace("pixel.png", "missing-map.png")
    with pytest.raises(ImportInvalid) as caught:
        read_quiz_file(missing.encode(), "moodle.txt", "auto", lambda name: None)
    assert [str(p) for p in caught.value.problems] == [
        "line 6: the image 'missing-map.png' is not in the course package's media (add it "
        "to the package's media folder, or remove the image)"]


def test_gift_problems_are_reported_with_their_lines() -> None:
    """Every malformed question is reported, each at its own line, and nothing else."""
    found = problems(
        "Good question?{T}\n\n"                       # 1
        "Missing brace?{=a ~b\n\n"                    # 3
        "::Unclosed title Where?{T}\n\n"               # 5
        "Number?{#abc}\n\n"                            # 7
        "Weights?{\n~%50%a\n~%40%b\n~c\n}\n\n"         # 9
        "Pairs?{\n=a -> b\n=c d\n}\n\n"                # 15
        "Two sections {T} and {F}\n\n"                 # 20
        "One answer?{~only}\n")                        # 22
    assert found == [
        "line 3: a '{' without its '}' (or the other way round); write a literal brace as "
        "\\{ or \\}",
        "line 5: the question title starts with '::' but is not closed with '::'",
        "line 7: 'abc' is not a number, a number:tolerance or a min..max range",
        "line 9: the positive weights must add up to 100 (they add up to 90)",
        "line 17: each matching pair is written '=item -> answer'",
        "line 20: a question has one answer section in braces; write a literal brace as "
        "\\{ or \\}",
        "line 22: a multiple-choice question needs at least two answers",
    ]


def test_not_utf8_is_refused_with_its_line() -> None:
    """A file in another encoding is reported at the first line that is not UTF-8."""
    assert problems("Question one?{T}\n\nQuestion twö?{T}".encode("latin-1")) == [
        "line 3: the file is not UTF-8 text; save it as UTF-8 and try again"]


def test_a_nul_character_is_refused_with_its_line() -> None:
    """A NUL, which no text file has and the database cannot store, is reported at its line."""
    assert problems(b"Question one?{T}\n\nQuestion\x00 two?{T}") == [
        "line 3: the line holds a NUL character, which a text file does not have"]


def test_aiken() -> None:
    """Aiken blocks: a question, lettered options (A. or A)), an ANSWER line."""
    text = ("Which body's mandate covers refugees?\nA. UNHCR\nB) ILO\nC. WHO\nANSWER: A\n\n"
            "Which year?\nA. 1951\nB. 1967\nANSWER: B\n")
    result = read_quiz_file(text.encode(), "questions.txt")
    assert result.format == "aiken"
    first, second = result.spec.questions
    assert first.type == "single" and [o.credit for o in first.options] == [100.0, 0.0, 0.0]
    assert [o.text["en"] for o in second.options] == ["1951", "1967"]
    assert second.options[1].credit == 100.0


def test_aiken_problems_with_lines() -> None:
    """Unknown answer letters, stray lines, lone options and a missing ANSWER are reported."""
    assert problems("Q1?\nA. x\nB. y\nANSWER: D\n\nQ2?\nA. x\nB. y\nsomething\nANSWER: A\n\n"
                    "Q3?\nA. only\nANSWER: A\n\nQ4?\nA. x\nB. y\n", fmt="aiken") == [
        "line 4: the answer 'D' is not one of the options (A, B)",
        "line 9: expected an option such as 'C. …' or the 'ANSWER:' line",
        "line 12: a question needs at least two options",
        "line 16: this question has no 'ANSWER:' line",
    ]


def test_quiz_yaml_upload_and_its_problems() -> None:
    """A package's quiz file imports with its settings; its problems come with lines."""
    text = (FIXTURE_PACKAGE / "modules/01-alpha/01-first.quiz.yaml").read_text()
    result = read_quiz_file(text.encode(), "first.quiz.yaml")
    assert result.format == "yaml" and len(result.spec.questions) == 8
    assert result.spec.settings_given == {"pass_mark"} and result.spec.pass_mark == 70
    broken = text.replace("        correct: true\n", "")
    assert problems(broken, "first.quiz.yaml") == [
        "line 8: a single-choice question needs exactly one correct choice (found 0)"]


def test_empty_file_imports_nothing() -> None:
    """A file without questions is refused."""
    assert problems("// only a comment\n") == ["the file has no questions"]


def test_import_is_all_or_nothing(app: Flask, loaded: Path) -> None:
    """A file with one bad question leaves the quiz exactly as it was."""
    quiz = quiz_of("first")
    before = [q.key for q in live_questions(quiz.id)]
    with pytest.raises(ImportInvalid):
        read_quiz_file(b"Good?{T}\n\nBad?{#x}\n", "bad.gift")
    assert [q.key for q in live_questions(quiz.id)] == before
    assert quiz.source == "package"


def test_import_replaces_or_adds_and_marks_the_quiz(app: Flask, loaded: Path) -> None:
    """Replacing retires the old questions; adding keeps them and renames clashing ids."""
    topic = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert topic is not None
    imported = read_quiz_file(b"::q1::Fresh?{T}\n\n::extra::Other?{F}", "new.gift")
    quiz, summary = import_quiz(topic, imported, None, "new.gift", replace=True,
                                now=utcnow())
    db.session.commit()
    assert [q.key for q in live_questions(quiz.id)] == ["q1", "extra"]
    assert question_spec(live_questions(quiz.id)[0]).type == "true_false"
    assert summary.retired["questions"] == 7
    assert quiz.source == SOURCE_BROWSER and quiz.source_file == "new.gift"
    again = read_quiz_file(b"::extra::Another?{T}", "more.gift")
    import_quiz(topic, again, None, "more.gift", replace=False,
                now=utcnow())
    db.session.commit()
    assert [q.key for q in live_questions(quiz.id)] == ["q1", "extra", "extra-2"]


QUESTIONS_ONLY = (b"questions:\n  - id: extra1\n    type: true_false\n    text: Is it so?\n"
                  b"    answer: true\n")


@pytest.mark.parametrize("replace", [True, False])
def test_a_yaml_file_changes_only_the_settings_it_states(app: Flask, loaded: Path,
                                                         replace: bool) -> None:
    """A `.quiz.yaml` file of questions alone, imported into a quiz, leaves its settings as
    they were (a quiz set never to show answers does not start showing them); a file that
    states some settings changes those and no others."""
    topic = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert topic is not None
    quiz = quiz_of("first")
    quiz.pass_mark, quiz.attempts_allowed, quiz.review_policy = 90, 2, "never"
    quiz.time_limit_minutes, quiz.title = 30, {"en": "Kept title", "ar": ""}
    db.session.commit()

    def settings() -> tuple[Any, ...]:
        db.session.refresh(quiz)
        return (quiz.pass_mark, quiz.attempts_allowed, quiz.review_policy,
                quiz.time_limit_minutes, quiz.title["en"])

    import_quiz(topic, read_quiz_file(QUESTIONS_ONLY, "more.quiz.yaml"), None,
                "more.quiz.yaml", replace=replace, now=utcnow())
    db.session.commit()
    assert settings() == (90, 2, "never", 30, "Kept title")
    some = ("title:\n  en: New title\n  ar: عنوان جديد\nsettings:\n  pass_mark: 60\n"
            .encode() + QUESTIONS_ONLY)
    import_quiz(topic, read_quiz_file(some, "some.quiz.yaml"), None, "some.quiz.yaml",
                replace=replace, now=utcnow())
    db.session.commit()
    assert settings() == (60, 2, "never", 30, "New title")


def _comparable(spec: QuestionSpec) -> tuple[Any, ...]:
    return (spec.key, spec.type, spec.text, spec.feedback,
            [(o.key, o.kind, o.text, o.credit, o.feedback, o.match, o.settings)
             for o in spec.options],
            {k: v for k, v in spec.settings.items() if k not in ("min_words", "max_words")})


def test_gift_round_trip_of_a_package_quiz() -> None:
    """Exporting a quiz of every type to GIFT and importing it gives the same questions."""
    spec = read_quiz(FIXTURE_PACKAGE / "modules/01-alpha/01-first.quiz.yaml",
                     Report(root=FIXTURE_PACKAGE))
    assert spec is not None
    exported = quiz_to_gift("First", spec.questions)
    back = read_quiz_file(exported.encode(), "first.gift").spec.questions
    assert [_comparable(q) for q in back] == [_comparable(q) for q in spec.questions]


def test_gift_round_trip_of_imported_html_and_escapes() -> None:
    """Imported HTML, plain text and escaped characters survive export and import again."""
    original = questions(
        "::a::[html]<p>Pick <b>one</b> \\{x\\}</p>{=<p>Yes</p>#<p>Good</p> ~No ####<p>G</p>}\n\n"
        "::b::[plain]1 \\= 1? *really*{TRUE#wrong#right}\n\n"
        "::c::Numbers{#\n=%100%2.5:0.1#ok\n=%50%1..4\n~#other\n}\n\n"
        "::d::Match{=x -> y =z -> w = -> v}\n\n::e::Essay{####Think}\n\n"
        "::f::Short{=%100%a\\#b =%25%c*#partly}\n\n"
        "::g::Several{~%50%x ~%50%y ~%-100%z#no}")
    again = questions(quiz_to_gift("Mixed", original))
    assert [_comparable(q) for q in again] == [_comparable(q) for q in original]


def test_gift_round_trip_of_arrows_in_feedback_and_texts_that_look_weighted() -> None:
    """A "->" in a short answer's feedback does not make it a matching question, and a
    choice worth nothing whose text starts like a weight ("%50% of …") keeps no credit."""
    original = questions(
        "::s::Name the principle.{=non-refoulement#Yes: Article 33 -> no return}\n\n"
        "::c::Which share?{=About a third ~%0%%50% of arrivals#no ~%0%%25.5%#no}\n\n"
        "::m::Several{~%100%%50% rule ~%0%%10% rule}")
    assert [q.type for q in original] == ["short_answer", "single", "multiple"]
    assert [o.credit for o in original[1].options] == [100.0, 0.0, 0.0]
    again = questions(quiz_to_gift("Arrows", original))
    assert [_comparable(q) for q in again] == [_comparable(q) for q in original]


def test_export_of_a_stored_quiz_round_trips(app: Flask, loaded: Path) -> None:
    """The GIFT of the quiz as stored imports back to the same questions."""
    quiz = quiz_of("first")
    stored = [question_spec(q) for q in live_questions(quiz.id)]
    back = questions(quiz_to_gift("First", stored))
    assert [_comparable(q) for q in back] == [_comparable(q) for q in stored]


def test_cli_imports_a_file(app: Flask, loaded: Path, runner: FlaskCliRunner,
                            tmp_path: Path) -> None:
    """`flask lms import-quiz FILE --topic SLUG` imports, and reports problems by line."""
    good = tmp_path / "good.gift"
    good.write_text("::q1::Is it?{T}\n\n::q9::And this?{F}\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-quiz", str(good), "--topic", "second"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 questions (gift)" in result.output
    assert [q.key for q in live_questions(quiz_of("second").id)] == ["q1", "q9"]
    bad = tmp_path / "bad.gift"
    bad.write_text("Fine?{T}\n\nBroken?{#nope}\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-quiz", str(bad), "--topic", "second"])
    assert result.exit_code != 0
    assert f"{bad}:3: 'nope' is not a number" in result.output
    assert "nothing was imported" in result.output
    missing = runner.invoke(args=["lms", "import-quiz", str(good), "--topic", "nope"])
    assert missing.exit_code != 0 and "no topic 'nope'" in missing.output


def test_cli_reports_values_yaml_cannot_use(app: Flask, loaded: Path, runner: FlaskCliRunner,
                                           tmp_path: Path) -> None:
    """`import-quiz` reports a list given as a question type and an impossible date by line,
    without a traceback, and imports nothing."""
    before = [q.key for q in live_questions(quiz_of("second").id)]
    for body, expected in [("    type: [true_false]\n    text: Yes?\n",
                            ":3: unknown question type ['true_false']"),
                           ("    type: true_false\n    text: 2026-02-30\n",
                            ":4: '2026-02-30' is not a date that exists")]:
        bad = tmp_path / "bad.quiz.yaml"
        bad.write_text(f"questions:\n  - id: q1\n{body}    answer: true\n", encoding="utf-8")
        result = runner.invoke(args=["lms", "import-quiz", str(bad), "--topic", "second"])
        assert result.exit_code == 1, result.output
        assert f"{bad}{expected}" in result.output
    assert [q.key for q in live_questions(quiz_of("second").id)] == before


def test_reloading_the_package_keeps_a_quiz_edited_on_the_platform(
        app: Flask, loaded: Path, runner: FlaskCliRunner, tmp_path: Path) -> None:
    """After an import, `flask lms load` leaves that quiz alone and says so; others reload."""
    gift = tmp_path / "own.gift"
    gift.write_text("::own::Our own question?{T}\n", encoding="utf-8")
    assert runner.invoke(args=["lms", "import-quiz", str(gift), "--topic", "first"]
                         ).exit_code == 0
    second = question_of_second()
    second.text = {"en": "Changed in the database"}
    db.session.commit()
    result = runner.invoke(args=["lms", "load", str(FIXTURE_PACKAGE)])
    assert result.exit_code == 0, result.output
    assert "kept the quiz edited on the platform" in result.output
    assert [q.key for q in live_questions(quiz_of("first").id)] == ["own"]
    assert question_of_second().text == {"en": "The second idea exists."}
    load_package(FIXTURE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    assert not quiz_of("first").is_retired


def question_of_second() -> Question:
    question = db.session.scalar(select(Question).filter_by(quiz_id=quiz_of("second").id,
                                                            key="q1"))
    assert question is not None
    return question


def test_question_count_limit() -> None:
    """A file with more questions than a quiz holds is refused."""
    text = "\n\n".join(f"Question {n}?{{T}}" for n in range(501))
    assert problems(text) == ["the file has 501 questions; a quiz holds at most 500"]



def test_a_package_may_hold_a_gift_quiz(app: Flask, package_copy: Path) -> None:
    """A topic's quiz may be a .gift file; it loads with the default settings."""
    from lms.courses.package import read_package

    quiz_file = package_copy / "modules/01-alpha/02-second.quiz.yaml"
    quiz_file.unlink()
    (package_copy / "modules/01-alpha/02-second.gift").write_text(
        "::q1::The second idea exists.{T}\n\n::q2::Name it.{=second}\n", encoding="utf-8")
    load_package(package_copy, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    assert [q.type for q in live_questions(quiz_of("second").id)] == ["true_false",
                                                                       "short_answer"]
    (package_copy / "modules/01-alpha/02-second.gift").write_text("Broken?{#x}\n")
    (package_copy / "modules/01-alpha/02-second.quiz.yaml").write_text("questions: []\n")
    _spec, report = read_package(package_copy)
    assert [str(p) for p in report.problems if "02-second" in p.file] == [
        "modules/01-alpha/02-second.gift:1: 'x' is not a number, a number:tolerance or a "
        "min..max range",
        "modules/01-alpha/02-second.quiz.yaml: a topic has one quiz file: a .quiz.yaml or a "
        ".gift"]


def test_a_question_with_more_options_than_its_page_holds_is_refused() -> None:
    """The question's page edits its choices as rows, fifty at most: a file with more in one
    question is refused with that question's line, rather than stored as a question whose
    page fails to open."""
    many = " ".join(f"~wrong{n}" for n in range(55))
    text = f"::ok::Fine?{{T}}\n\n::big::Pick the right one{{{many} =right}}\n"
    assert problems(text) == ["line 3: a question has at most 50 choices, answers or pairs; "
                              "this one has 56"]
    fifty = " ".join(f"~wrong{n}" for n in range(49))
    assert len(questions(f"::big::Pick the right one{{{fifty} =right}}\n")[0].options) == 50
