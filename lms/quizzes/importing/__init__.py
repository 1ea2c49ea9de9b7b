"""Importing a quiz from a file: GIFT, Aiken or the package's `.quiz.yaml` format.

Everything is checked before anything is written: a file with any problem imports nothing,
and every problem is reported with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import User
from lms.courses.fields import Fields
from lms.courses.links import media_url
from lms.courses.models import CoursePackage, Lesson, MediaFile, Topic
from lms.courses.problems import Report
from lms.database import lock_row
from lms.extensions import db
from lms.quizzes.answerable import UNMARKED_TYPES
from lms.quizzes.importing.aiken import parse_aiken
from lms.quizzes.importing.gift import Parsed, parse_gift
from lms.quizzes.importing.text_formats import ImageResolver
from lms.quizzes.messages import _
from lms.quizzes.models import SOURCE_BROWSER, Quiz
from lms.quizzes.quiz_file import read_question, read_quiz_text
from lms.quizzes.specs import QuestionSpec, QuizSpec
from lms.quizzes.store import StoreSummary, apply_given_settings, new_quiz, store_questions

FORMATS = ("gift", "aiken", "yaml")
FORMAT_NAMES = {"gift": "GIFT", "aiken": "Aiken", "yaml": "quiz YAML"}
MAX_QUESTIONS = 500
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Z]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ImportInvalid(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportedQuiz:
    format: str
    spec: QuizSpec
    categories: list[str] = field(default_factory=list)


def detect_format(filename: str, text: str) -> str:
    """The format a file is in, from its name and, for text files, its content."""
    name = filename.lower()
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".gift"):
        return "gift"
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return "aiken"
    return "gift"


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark, with LF line endings.

    :raises ImportInvalid: when the file is not UTF-8.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportInvalid([ImportProblem(line, _("the file is not UTF-8 text; save it as "
                                                   "UTF-8 and try again"))]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportInvalid([ImportProblem(line, _(
            "the line holds a NUL character, which a text file does not have"))])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_quiz_file(data: bytes, filename: str, fmt: str = "auto",
                   images: ImageResolver | None = None) -> ImportedQuiz:
    """Read and check a whole quiz file, writing nothing.

    :raises ImportInvalid: with every problem found, each with its line.
    """
    text = decode(data)
    if fmt not in FORMATS:
        fmt = detect_format(filename, text)
    report = Report(root=Path("."))
    path = Path(filename)
    problems: list[ImportProblem] = []
    categories: list[str] = []
    if fmt == "yaml":
        spec = read_quiz_text(text, path, report, require_ref=False) or QuizSpec(
            file=filename, title=None)
    else:
        parsed: Parsed = parse_gift(text, images) if fmt == "gift" else parse_aiken(text)
        problems += [ImportProblem(line, message) for line, message in parsed.problems]
        categories = parsed.categories
        spec = QuizSpec(file=filename, title=None, questions=_checked(parsed, path, report))
    problems += [ImportProblem(p.line, p.message) for p in report.problems]
    if not spec.questions and not problems:
        problems.append(ImportProblem(None, _("the file has no questions")))
    elif not problems and not any(q.type not in UNMARKED_TYPES and q.points > 0
                                  for q in spec.questions):
        # What a file in another format than the one it was read as usually comes to: GIFT
        # reads any text without braces as a description.
        problems.append(ImportProblem(None, _(
            "read as %(format)s, the file has no question worth marks; if it is in another "
            "format, choose that format and import it again", format=FORMAT_NAMES[fmt])))
    if len(spec.questions) > MAX_QUESTIONS:
        problems.append(ImportProblem(None, _("the file has %(num)d questions; a quiz holds at "
                                              "most %(max)d", num=len(spec.questions),
                                              max=MAX_QUESTIONS)))
    if problems:
        raise ImportInvalid(sorted(problems, key=lambda p: (p.line or 0)))
    return ImportedQuiz(fmt, spec, categories)


def _checked(parsed: Parsed, path: Path, report: Report) -> list[QuestionSpec]:
    """Each definition checked by its type, exactly as a quiz file's questions are."""
    specs = []
    for definition in parsed.definitions:
        spec = read_question(Fields(definition, path, report, _("a question")), require_ref=False)
        if spec is not None:
            specs.append(spec)
    return specs


def package_images(topic: Topic) -> ImageResolver:
    """Resolves image names against the media of the topic's course package."""
    package = db.session.get(CoursePackage, topic.package_id)
    names = set(db.session.scalars(select(MediaFile.name).where(
        MediaFile.package_id == topic.package_id, MediaFile.is_retired.is_(False))))

    def resolve(name: str) -> str | None:
        wanted = "media/" + name.split("/")[-1]
        return media_url(package.slug, wanted) if package and wanted in names else None

    return resolve


def check_refs(specs: list[QuestionSpec], topic: Topic) -> list[ImportProblem]:
    """Problems with ``ref``s that name no heading of the lessons they point to."""
    wanted = {spec.ref.rpartition("#")[0] or topic.slug for spec in specs if spec.ref}
    if not wanted:
        return []
    rows = db.session.execute(
        select(Topic.slug, Lesson.body_html).join(Lesson, Lesson.topic_id == Topic.id)
        .where(Topic.slug.in_(wanted), Lesson.language == "en", Topic.is_retired.is_(False)))
    anchors = {slug: set(re.findall(r'\sid="([^"]+)"', html)) for slug, html in rows}
    problems = []
    for spec in specs:
        if not spec.ref:
            continue
        slug, _sep, anchor = spec.ref.rpartition("#")
        if anchor not in anchors.get(slug or topic.slug, set()):
            problems.append(ImportProblem(spec.line or None, _(
                "question '%(key)s': 'ref' names no heading of the lesson", key=spec.key)))
    return problems


def import_quiz(topic: Topic, imported: ImportedQuiz, actor: User | None, filename: str,
                *, replace: bool, now: datetime) -> tuple[Quiz, StoreSummary]:
    """Store a checked quiz file as the topic's quiz, or add its questions to it.

    :raises ImportInvalid: when a ``ref`` names a heading the lesson does not have.
    """
    problems = check_refs(imported.spec.questions, topic)
    if problems:
        raise ImportInvalid(problems)
    quiz = db.session.scalar(select(Quiz).where(Quiz.topic_id == topic.id))
    if quiz is None:
        quiz, _new = new_quiz(topic)
    # Files imported into the quiz at the same moment take turns: the second then finds the
    # first's questions and updates or renames them instead of adding the same ids again.
    lock_row(Quiz, quiz.id)
    db.session.refresh(quiz)
    quiz.is_retired = False
    apply_given_settings(quiz, imported.spec)
    summary = store_questions(quiz, imported.spec.questions, replace=replace)
    quiz.source = SOURCE_BROWSER
    quiz.source_file = Path(filename).name[:300]
    record(actor, "quiz.import", quiz, actor_label=None if actor else "command line",
           topic=topic.slug, file=quiz.source_file, format=imported.format,
           questions=len(imported.spec.questions), mode="replace" if replace else "add",
           at=now.isoformat())
    db.session.flush()
    return quiz, summary
