"""The package validator: a valid package passes; each kind of mistake is reported with its
file and line, and nothing else is reported for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.courses.models import CoursePackage, GlossaryTerm, Module, Programme, Topic, Unit
from lms.courses.package import read_package
from lms.quizzes.models import Question
from tests.conftest import COURSE_PACKAGE, FIXTURE_PACKAGE


def problems(path: Path) -> list[str]:
    _spec, report = read_package(path)
    return [str(p) for p in report.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_package_is_valid() -> None:
    """The small test package has no problems and is read completely."""
    spec, report = read_package(FIXTURE_PACKAGE)
    assert report.problems == []
    assert spec is not None
    assert [m.slug for m in spec.modules] == ["alpha", "beta"]
    assert list(spec.topics) == ["first", "second", "third"]
    assert spec.topics["first"].quiz is not None
    assert len(spec.topics["first"].quiz.questions) == 8
    assert set(spec.topics["first"].lessons) == {"en", "ar"}
    assert spec.completion["unexcused_absences_allowed"] == 1
    assert spec.completion["late_counts"] is True  # default kept


def test_course_package_is_valid() -> None:
    """The certificate's own course package validates."""
    assert problems(COURSE_PACKAGE) == []


def test_missing_package_yaml(package_copy: Path) -> None:
    """A folder without package.yaml is reported as such."""
    (package_copy / "package.yaml").unlink()
    assert problems(package_copy) == ["package.yaml: package.yaml is missing"]


def test_missing_folder(tmp_path: Path) -> None:
    """A path that does not exist is reported, not a crash."""
    assert problems(tmp_path / "nowhere")[0].endswith("the package folder does not exist")


def test_yaml_syntax_error_names_line(package_copy: Path) -> None:
    """A YAML syntax error reports the line where the parser failed."""
    module = package_copy / "modules/01-alpha/module.yaml"
    edit(module, "  - second", "  - second: [unclosed")
    found = problems(package_copy)
    assert any(p.startswith("modules/01-alpha/module.yaml:") and "YAML syntax error" in p
               for p in found), found


def test_duplicate_yaml_key(package_copy: Path) -> None:
    """A key given twice in one mapping is an error at the second one's line."""
    edit(package_copy / "package.yaml", 'version: "1"', 'version: "1"\nversion: "2"')
    assert "package.yaml:3: duplicate key 'version'" in problems(package_copy)


def test_duplicate_topic_slug(package_copy: Path) -> None:
    """Two lessons with the same slug anywhere in the package are reported."""
    beta = package_copy / "modules/02-beta"
    (beta / "02-first.md").write_text((beta / "01-third.md").read_text(), encoding="utf-8")
    edit(beta / "module.yaml", "topics: [third]", "topics: [third, first]")
    found = problems(package_copy)
    assert ("modules/02-beta/02-first.md: duplicate topic slug 'first' (also in module "
            "'alpha')") in found


def test_unknown_topic_in_unit(package_copy: Path) -> None:
    """A regional unit naming a topic that does not exist is reported at the unit's line."""
    edit(package_copy / "package.yaml", "topics: [second, third]", "topics: [second, fourth]")
    assert ("package.yaml:17: unit 'day-one' refers to unknown topic 'fourth'"
            in problems(package_copy))


def test_unknown_module_in_unit(package_copy: Path) -> None:
    """A unit naming an unknown module is reported."""
    edit(package_copy / "package.yaml", "module: beta", "module: gamma")
    assert ("package.yaml:13: unit 'beta' refers to unknown module 'gamma'"
            in problems(package_copy))


def test_single_choice_without_correct_answer(package_copy: Path) -> None:
    """A single-choice question with no correct choice is reported at the choices' line."""
    quiz = package_copy / "modules/01-alpha/01-first.quiz.yaml"
    edit(quiz, "        correct: true\n", "")
    found = problems(package_copy)
    assert ("modules/01-alpha/01-first.quiz.yaml:8: a single-choice question needs exactly "
            "one correct choice (found 0)") in found


def test_true_false_without_answer(package_copy: Path) -> None:
    """A true/false question must say which answer is right."""
    quiz = package_copy / "modules/01-alpha/02-second.quiz.yaml"
    edit(quiz, "    answer: true\n", "")
    found = problems(package_copy)
    assert any(p.startswith("modules/01-alpha/02-second.quiz.yaml:2:") and "answer: true" in p
               for p in found), found


def test_multiple_weights_must_add_up(package_copy: Path) -> None:
    """The positive weights of a multiple-answer question must add up to 100."""
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml", "weight: 50}", "weight: 40}")
    found = problems(package_copy)
    assert any("positive weights must add up to 100 (they add up to 90)" in p for p in found)


def test_duplicate_question_id(package_copy: Path) -> None:
    """Two questions with one id in a quiz are reported at the second one."""
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml", "  - id: q2", "  - id: q1")
    found = problems(package_copy)
    assert any(p.startswith("modules/01-alpha/01-first.quiz.yaml:16: duplicate question id "
                            "'q1'") for p in found), found


def test_unknown_question_type(package_copy: Path) -> None:
    """An unknown type is named with the list of known ones."""
    edit(package_copy / "modules/01-alpha/02-second.quiz.yaml", "type: true_false",
         "type: yes_no")
    found = problems(package_copy)
    assert any(p.startswith("modules/01-alpha/02-second.quiz.yaml:3: unknown question type "
                            "'yes_no'") for p in found), found


def test_missing_image(package_copy: Path) -> None:
    """A lesson linking to an image the package lacks is reported at the link's line."""
    (package_copy / "media/pixel.png").unlink()
    found = problems(package_copy)
    assert ("modules/01-alpha/01-first.md:12: the file 'media/pixel.png' does not exist in the "
            "package (broken image or file link)") in found


def test_ref_to_missing_heading(package_copy: Path) -> None:
    """A question whose ref names no heading of its lesson is reported."""
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml", "ref: non-refoulement",
         "ref: refoulement")
    found = problems(package_copy)
    assert ("modules/01-alpha/01-first.quiz.yaml:16: question 'q2': 'ref' names no heading of "
            "the lesson 'first' (no heading with anchor 'refoulement')") in found


def test_missing_front_matter(package_copy: Path) -> None:
    """A lesson without front matter is reported on line 1."""
    lesson = package_copy / "modules/02-beta/01-third.md"
    lesson.write_text("## Third heading\n\nText.\n", encoding="utf-8")
    assert ("modules/02-beta/01-third.md:1: the lesson must start with YAML front matter "
            "between '---' lines") in problems(package_copy)


@pytest.mark.parametrize("front", ["---\n---\n", "---\n# title: to write later\n---\n"])
def test_empty_front_matter_is_reported(package_copy: Path, front: str) -> None:
    """Empty front matter (or only a comment) is a problem of its own: the lesson cannot be
    read, and its topic must not vanish from the package without a word."""
    lesson = package_copy / "modules/02-beta/01-third.md"
    lesson.write_text(front + "## Third heading\n\nText.\n", encoding="utf-8")
    assert ("modules/02-beta/01-third.md:1: the front matter between the '---' lines is "
            "empty") in problems(package_copy)


def test_front_matter_missing_title(package_copy: Path) -> None:
    """Missing required front matter fields are named."""
    edit(package_copy / "modules/02-beta/01-third.md",
         "title: {en: Third topic, ar: الموضوع الثالث}\n", "")
    assert "modules/02-beta/01-third.md:2: the front matter is missing 'title'" in problems(
        package_copy)


def test_title_needs_both_languages(package_copy: Path) -> None:
    """A title without its Arabic version is reported."""
    edit(package_copy / "modules/02-beta/module.yaml", ", ar: الوحدة باء", "")
    assert "modules/02-beta/module.yaml:1: 'title' is missing 'ar'" in problems(package_copy)


def test_broken_glossary_and_topic_links(package_copy: Path) -> None:
    """Links to unknown glossary terms and topic headings are reported with their lines."""
    lesson = package_copy / "modules/01-alpha/01-first.md"
    edit(lesson, "glossary:refugee", "glossary:refugees")
    edit(lesson, "topic:second#second-heading", "topic:second#nowhere")
    found = problems(package_copy)
    assert "modules/01-alpha/01-first.md:10: 'glossary:refugees' names no term of glossary.yaml" \
        in found
    assert ("modules/01-alpha/01-first.md:16: 'topic:second#nowhere' names no topic or heading "
            "of this package") in found


def test_javascript_link_is_an_error(package_copy: Path) -> None:
    """A link with a script scheme is refused by validation, not only by the sanitiser."""
    edit(package_copy / "modules/02-beta/01-third.md", "## Third heading",
         "## Third heading\n\n[click](javascript:alert(1))")
    found = problems(package_copy)
    assert any("modules/02-beta/01-third.md:10:" in p and "scheme 'javascript:'" in p
               for p in found), found


def test_lesson_not_listed_in_module(package_copy: Path) -> None:
    """A lesson file the module does not list is an error, not silently hidden."""
    edit(package_copy / "modules/02-beta/module.yaml", "topics: [third]", "topics: []")
    assert ("modules/02-beta/01-third.md: topic 'third' is not listed in module.yaml's 'topics'"
            in problems(package_copy))


def test_listed_topic_without_lesson(package_copy: Path) -> None:
    """A module listing a topic with no lesson file is reported."""
    edit(package_copy / "modules/02-beta/module.yaml", "topics: [third]",
         "topics: [third, fourth]")
    assert ("modules/02-beta/module.yaml: topic 'fourth' is listed but has no lesson file in "
            "this module's folder" in problems(package_copy))


def test_a_module_cannot_list_another_modules_topic(package_copy: Path) -> None:
    """A topic whose lesson is in another module's folder is no topic of this module: its
    units would quietly require it."""
    edit(package_copy / "modules/02-beta/module.yaml", "topics: [third]",
         "topics: [third, first]")
    assert ("modules/02-beta/module.yaml: topic 'first' is listed but has no lesson file in "
            "this module's folder" in problems(package_copy))


def test_file_not_utf8(package_copy: Path) -> None:
    """A lesson in another encoding is reported with the line of the first bad byte."""
    lesson = package_copy / "modules/02-beta/01-third.md"
    lesson.write_bytes(lesson.read_bytes() + b"\ncaf\xe9\n")
    assert "modules/02-beta/01-third.md:14: the file is not UTF-8 text" in problems(package_copy)


def test_a_nul_character_in_a_lesson_is_reported_at_its_line(package_copy: Path) -> None:
    """A stray NUL passed the checks and then failed loading into PostgreSQL; it is reported
    with its file and line like any other problem."""
    lesson = package_copy / "modules/02-beta/01-third.md"
    lesson.write_text(lesson.read_text() + "\nA stray \x00 character.\n")
    assert ("modules/02-beta/01-third.md:14: the line holds a NUL character, which a text "
            "file does not have") in problems(package_copy)


def test_svg_media_refused(package_copy: Path) -> None:
    """Media are checked by content; an SVG renamed to .png is refused."""
    (package_copy / "media/pixel.png").write_text("<svg onload='alert(1)'></svg>")
    found = problems(package_copy)
    assert any(p.startswith("media/pixel.png: not a PNG, JPEG, GIF, WebP or PDF") for p in found)


def test_unknown_key_is_reported(package_copy: Path) -> None:
    """A misspelt key is reported rather than ignored."""
    edit(package_copy / "modules/01-alpha/02-second.quiz.yaml", "    answer: true",
         "    answer: true\n    feedbak: typo")
    found = problems(package_copy)
    assert any("unknown key 'feedbak'" in p and ":7:" in p for p in found), found


@pytest.mark.parametrize("bad", ["!!python/object/apply:os.system ['true']", "&a [*a]"])
def test_unsafe_yaml_is_not_executed(package_copy: Path, bad: str) -> None:
    """YAML tags that build Python objects are refused, never run."""
    edit(package_copy / "package.yaml", 'version: "1"', f"version: {bad}")
    assert problems(package_copy)


@pytest.mark.parametrize(("file", "old", "new", "line"), [
    ("package.yaml", 'version: "1"', "version: 2026-02-30", 2),
    ("modules/01-alpha/module.yaml", "summary: {en: The first module., ar: الوحدة الأولى.}",
     "summary: 2026-13-01", 2),
    ("modules/02-beta/01-third.md", "minutes: 7", "minutes: 7\npublished: 2026-02-30", 4),
    ("modules/01-alpha/02-second.quiz.yaml", "text: The second idea exists.",
     "text: 2026-02-30", 5),
    ("glossary.yaml", "source: IOM Glossary on Migration (2019)", "source: 2026-02-30", 13),
])
def test_date_that_does_not_exist_is_reported(package_copy: Path, file: str, old: str,
                                              new: str, line: int) -> None:
    """A date YAML reads but the calendar lacks is a problem with its file and line, in every
    YAML file of the package, not a crash of the validator."""
    edit(package_copy / file, old, new)
    found = problems(package_copy)
    value = new.rsplit(": ", 1)[1]
    assert (f"{file}:{line}: '{value}' is not a date that exists: write a date as YYYY-MM-DD, "
            "or put the value in quotes if it is text") in found


@pytest.mark.parametrize("value", ["0x_", "!!bool maybe", "!!int twelve",
                                   "2026-01-01 25:00:00"])
def test_value_yaml_cannot_build_is_reported(package_copy: Path, value: str) -> None:
    """Numbers and tagged values that PyYAML accepts but cannot build are reported too."""
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7", f"minutes: {value}")
    found = problems(package_copy)
    assert len(found) == 1 and found[0].startswith("modules/02-beta/01-third.md:3: "), found


def test_question_type_given_as_a_list_is_reported(package_copy: Path) -> None:
    """`type: [true_false]` is an unknown type at its line, not a crash."""
    edit(package_copy / "modules/01-alpha/02-second.quiz.yaml", "type: true_false",
         "type: [true_false]")
    assert problems(package_copy) == [
        "modules/01-alpha/02-second.quiz.yaml:3: unknown question type ['true_false'] (use one "
        "of: single, multiple, true_false, short_answer, matching, numeric, essay, "
        "description)"]


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf", "1" + "0" * 400])
def test_numbers_no_column_can_hold_are_reported(package_copy: Path, value: str) -> None:
    """Infinity, not-a-number and integers too large for a float are not numbers a quiz can
    use (no JSON column stores them), whatever key holds them."""
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml", "{id: a, value: 1951}",
         f"{{id: a, value: {value}}}")
    assert problems(package_copy) == [
        "modules/01-alpha/01-first.quiz.yaml:51: 'value' must be a number"]


def test_attempts_within_what_the_settings_page_allows(package_copy: Path) -> None:
    """A quiz file allows at most as many attempts as the quiz settings page does."""
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml", "pass_mark: 70",
         "pass_mark: 70\n  attempts: 99999999999")
    assert problems(package_copy) == [
        "modules/01-alpha/01-first.quiz.yaml:3: 'attempts' must be a whole number from 1 to "
        "100"]


@pytest.mark.parametrize(("file", "old", "new", "line", "key", "column"), [
    ("package.yaml", 'version: "1"', 'version: "{}"', 2, "version", CoursePackage.version),
    ("package.yaml", "{en: Sample certificate,", "{{en: {},", 3, "title.en",
     CoursePackage.title_en),
    ("package.yaml", "{en: Local programme,", "{{en: {},", 10, "title.en", Programme.title_en),
    ("package.yaml", "ar: اليوم الأول}", "ar: {}}}", 18, "title.ar", Unit.title_ar),
    ("modules/01-alpha/module.yaml", "{en: Alpha module,", "{{en: {},", 1, "title.en",
     Module.title_en),
    ("modules/02-beta/01-third.md", "{en: Third topic,", "{{en: {},", 2, "title.en",
     Topic.title_en),
    ("glossary.yaml", "{en: Refugee,", "{{en: {},", 3, "term.en", GlossaryTerm.term_en),
    ("modules/01-alpha/02-second.quiz.yaml", "ref: second-heading", "ref: {}", 4, "ref",
     Question.ref),
    ("modules/01-alpha/02-second.quiz.yaml", "id: q1", "id: {}", 2, "id", Question.key),
])
def test_text_longer_than_its_column_is_reported(package_copy: Path, file: str, old: str,
                                                 new: str, line: int, key: str,
                                                 column: object) -> None:
    """Each text read from the package into a length-limited column is refused when longer
    than the column, with the column's own length in the message; as long as it is accepted.
    """
    length = column.type.length  # type: ignore[attr-defined]
    path = package_copy / file
    original = path.read_text(encoding="utf-8")
    edit(path, old, new.format("x" * length))
    assert not [p for p in problems(package_copy) if "longer than" in p]
    path.write_text(original, encoding="utf-8")
    edit(path, old, new.format("x" * (length + 1)))
    assert problems(package_copy) == [
        f"{file}:{line}: '{key}' is longer than {length} characters"]


def test_slug_longer_than_its_column_is_reported(package_copy: Path) -> None:
    """A slug too long for the slug columns says so, rather than calling it malformed."""
    edit(package_copy / "modules/02-beta/module.yaml", "title:", f"slug: {'b' * 101}\ntitle:")
    assert ("modules/02-beta/module.yaml:1: 'slug' is longer than 100 characters"
            in problems(package_copy))


def test_file_paths_longer_than_their_columns_are_reported(package_copy: Path) -> None:
    """Lessons, quizzes and media keep the path they came from; a longer path is refused."""
    long = "02-" + "b" * 250
    (package_copy / "modules/02-beta").rename(package_copy / "modules" / long)
    edit(package_copy / "modules" / long / "module.yaml", "title:", "slug: beta\ntitle:")
    lesson = package_copy / "modules" / long / f"01-{'t' * 50}.md"
    (package_copy / "modules" / long / "01-third.md").rename(lesson)
    edit(lesson, "minutes: 7", "minutes: 7\nslug: third")
    deep = package_copy / "media" / ("m" * 200)
    deep.mkdir()
    (deep / ("p" * 100 + ".png")).write_bytes((package_copy / "media/pixel.png").read_bytes())
    assert sorted(problems(package_copy)) == [
        f"media/{'m' * 200}/{'p' * 100}.png: the file's path in the package is longer than "
        "300 characters",
        f"modules/{long}/{lesson.name}: the file's path in the package is longer than 300 "
        "characters"]
