"""The Migration Governance course package is a complete course: every module, lesson, Arabic
version, quiz and glossary entry meets the programme's standard."""

from __future__ import annotations

import re
from functools import cache

import pytest

from lms.courses.package import read_package
from lms.courses.specs import PackageSpec, TopicSpec
from tests.conftest import COURSE_PACKAGE

SECTIONS = ["Key concepts and definitions", "Key instruments", "Egypt and the MENA region",
            "Case study", "Key points", "Sources and further reading"]
QUIZ_TYPES = {"single", "multiple", "true_false", "matching", "short_answer"}


@cache
def package() -> PackageSpec:
    spec, report = read_package(COURSE_PACKAGE)
    assert report.ok and spec is not None, [str(p) for p in report.problems]
    return spec


def topics() -> list[TopicSpec]:
    return list(package().topics.values())


def topic_ids() -> list[str]:
    return [t.slug for t in topics()]


def words(markdown: str) -> int:
    text = re.sub(r"\]\([^)]*\)", "]", markdown)  # link targets are not read
    text = re.sub(r"[#*|>\[\]_`-]+", " ", text)
    return len(text.split())


def feedback_texts(question) -> list[str]:  # type: ignore[no-untyped-def]
    if question.type == "true_false":
        return [question.settings.get(f"feedback_{side}", {}).get("en", "")
                for side in ("true", "false")]
    return [o.feedback.get("en", "") for o in question.options
            if o.kind in ("choice", "answer")]


def test_six_modules_of_four_or_five_topics() -> None:
    """The local programme's six modules, each with four or five topics."""
    spec = package()
    assert [m.slug for m in spec.modules] == [
        "introduction", "migration-law", "migration-and-development", "labour-migration",
        "trafficking-smuggling-borders", "crisis-and-psychosocial"]
    for module in spec.modules:
        assert 4 <= len(module.topics) <= 5, module.slug
        assert module.title["ar"] and module.summary.get("ar"), module.slug


@pytest.mark.parametrize("slug", topic_ids())
def test_lesson_has_sections_in_order_and_length(slug: str) -> None:
    """Each lesson has the six sections in order and 900 to 1,800 words."""
    lesson = package().topics[slug].lessons["en"]
    headings = re.findall(r"^## (.+?)\s*(?:\{#[^}]*\})?$", lesson.body, flags=re.MULTILINE)
    assert [h for h in headings if h in SECTIONS] == SECTIONS, headings
    assert 900 <= words(lesson.body) <= 1800, words(lesson.body)
    assert 3 <= len(lesson.objectives) <= 6
    assert "glossary:" in lesson.body


@pytest.mark.parametrize("slug", topic_ids())
def test_arabic_version_has_objectives_terms_and_key_points(slug: str) -> None:
    """Each lesson has an Arabic version with objectives, key points and the English link."""
    topic = package().topics[slug]
    assert "ar" in topic.lessons, f"{slug} has no Arabic version"
    arabic = topic.lessons["ar"]
    assert arabic.objectives and all(re.search(r"[\u0600-\u06ff]", o) for o in arabic.objectives)
    assert "## النقاط الرئيسية" in arabic.body
    assert f"topic:{slug}?lang=en" in arabic.body
    assert topic.title["ar"]


@pytest.mark.parametrize("slug", topic_ids())
def test_quiz_meets_the_standard(slug: str) -> None:
    """8 to 12 questions of mixed types, each with a ref and distinct, full-sentence feedback."""
    quiz = package().topics[slug].quiz
    assert quiz is not None, f"{slug} has no quiz"
    assert 8 <= len(quiz.questions) <= 12
    assert {q.type for q in quiz.questions} >= QUIZ_TYPES
    assert quiz.pass_mark == 70
    seen: set[str] = set()
    for question in quiz.questions:
        assert question.ref, question.key
        for text in feedback_texts(question):
            assert len(text.split()) >= 8, (question.key, text)
            assert text not in seen, (question.key, text)
            seen.add(text)


def test_regional_programme_reuses_topics() -> None:
    """Eight one-day units of seven contact hours, each naming existing topics."""
    regional = next(p for p in package().programmes if p.slug == "regional")
    assert len(regional.units) == 8
    for unit in regional.units:
        assert unit.days == 1 and unit.hours_per_day == 7
        assert unit.topics and all(t in package().topics for t in unit.topics)
        assert unit.title and unit.title["ar"]


def test_glossary_is_bilingual_and_sourced() -> None:
    """About sixty terms, each in both languages with a definition and its source."""
    glossary = package().glossary
    assert len(glossary) >= 55
    for term in glossary:
        assert term.term["en"] and term.term["ar"] and term.source
        assert re.search(r"[\u0600-\u06ff]", term.definition["ar"]), term.slug
