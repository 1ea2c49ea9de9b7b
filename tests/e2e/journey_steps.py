"""Steps the real-browser journeys share: logging in, enrolling a participant of their own,
answering a quiz from the course package, and the interface text in Arabic."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import yaml
from babel.support import NullTranslations, Translations

from tests.e2e.conftest import ROOT, Server, check_accessibility, follow

COURSE = ROOT / "course_content/migration-governance"
DEMO_EDITION = "Demo edition"

Text = Callable[..., str]


def english(msgid: str, **values: Any) -> str:
    """The interface text as the English pages show it."""
    return msgid % values if values else msgid


@cache
def _arabic_catalogue() -> NullTranslations:
    return Translations.load(str(ROOT / "lms/translations"), ["ar"])


def arabic(msgid: str, **values: Any) -> str:
    """The interface text as the Arabic pages show it, from the compiled catalogue.

    Fails when the catalogue has no translation, so a check never passes on English text.
    """
    text = _arabic_catalogue().gettext(msgid)
    assert text != msgid, f"no Arabic translation for {msgid!r}"
    return text % values if values else text


def login(page: Any, server: Server, email: str, password: str, language: str = "en",
          check_notice: bool = False) -> None:
    """Log in, acknowledge the privacy notice if asked (with ``check_notice``, checking the
    page that asks with axe first), and read in ``language``."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    follow(page.get_by_role("button", name="Log in"))
    if page.get_by_role("button", name="I have read the privacy notice").count():
        if check_notice:
            check_accessibility(page)
        follow(page.get_by_role("button", name="I have read the privacy notice"))
    if page.locator("html").get_attribute("lang") != language:
        # The account may have been left in the other language by an earlier journey.
        follow(page.get_by_role("button", name={"en": "English", "ar": "العربية"}[language]))


def login_as(page: Any, server: Server, handle: str, check_notice: bool = False) -> None:
    """Log in as one of the demo accounts (``admin``, ``instructor``, ``participant1``...)."""
    login(page, server, *server.accounts[handle], check_notice=check_notice)


def enrol_new_participant(server: Server, new_page: Callable[..., Any], email: str,
                          name: str, name_ar: str) -> str:
    """An account of the journey's own, enrolled in the demo edition by an admin; returns its
    password. Journeys never share a participant, so no result depends on their order."""
    password = f"journey {email.split('@')[0]} 2027"
    server.flask("lms", "create-user", "--email", email, "--name", name, "--name-ar", name_ar,
                 "--password", password)
    admin = new_page()
    login(admin, server, *server.accounts["admin"])
    follow(admin.get_by_role("link", name="Editions"))
    follow(admin.get_by_role("link", name=DEMO_EDITION))
    follow(admin.get_by_role("link", name="Enrol a participant"))
    admin.get_by_label("Full name (Latin script)").fill(name)
    admin.get_by_label("Email").fill(email)
    follow(admin.get_by_role("button", name="Enrol"))
    # The click returns before the next page has loaded; wait for its message.
    admin.get_by_text(f"{email} is enrolled.").wait_for()
    admin.context.close()
    return password


def topic_file(slug: str, suffix: str) -> Any:
    """The course package's file for a topic: ``.md``, ``.ar.md`` or ``.quiz.yaml``."""
    return next(COURSE.glob(f"modules/*/[0-9][0-9]-{slug}{suffix}"))


def topic_title(slug: str, language: str) -> str:
    front = topic_file(slug, ".md").read_text(encoding="utf-8").split("---")[1]
    return str(yaml.safe_load(front)["title"][language])


def first_section(slug: str, language: str) -> str:
    """The first section heading of the topic's lesson in ``language``."""
    lesson = topic_file(slug, ".ar.md" if language == "ar" else ".md")
    return next(line[3:].strip() for line in lesson.read_text(encoding="utf-8").splitlines()
                if line.startswith("## "))


def _plain(text: str) -> str:
    """Letters and digits only, so Markdown's typography never hides a match."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if c.isalnum())


def _texts(value: Any) -> set[str]:
    """Every language's version of a package text (a string or an ``{en, ar}`` mapping)."""
    return {_plain(v) for v in (value.values() if isinstance(value, dict) else [value])}


def _by_text(labels: Any, wanted: Any) -> Any:
    texts = _texts(wanted)
    for index in range(labels.count()):
        if _plain(labels.nth(index).inner_text()) in texts:
            return labels.nth(index)
    raise AssertionError(f"no choice reads {wanted!r}")


def _answer(question: Any, spec: dict[str, Any]) -> None:
    """Give the package's right answer to one question on the page."""
    kind, key = spec["type"], spec["id"]
    if kind == "true_false":
        question.locator(f"#q-{key}-{'true' if spec['answer'] else 'false'}").check()
    elif kind == "single":
        right = next(c for c in spec["choices"] if c.get("correct"))
        follow(_by_text(question.locator("ul.choices label"), right["text"]))
    elif kind == "multiple":
        for choice in spec["choices"]:
            if choice.get("weight", 0) > 0:
                follow(_by_text(question.locator("ul.choices label"), choice["text"]))
    elif kind == "matching":
        for pair in spec["pairs"]:
            label = _by_text(question.locator(".match label"), pair["prompt"])
            select = question.locator(f"#{label.get_attribute('for')}")
            answers = _texts(pair["answer"])
            options = select.locator("option")
            value = next(options.nth(i).get_attribute("value") for i in range(options.count())
                         if _plain(options.nth(i).inner_text()) in answers)
            select.select_option(value)
    elif kind in ("short_answer", "numeric"):
        right = next(a for a in spec["answers"] if a.get("credit", 100) == 100)
        text = right["text"]["en"] if isinstance(right["text"], dict) else right["text"]
        question.locator("input[type=text]").fill(str(text).replace("*", ""))
    else:
        raise AssertionError(f"no way to answer a {kind} question")


def pass_quiz(page: Any, slug: str, t: Text) -> None:
    """From the quiz's first page, answer every question rightly (from the package, never
    from the page), submit, and arrive at the result."""
    specs = {q["id"]: q for q in yaml.safe_load(
        topic_file(slug, ".quiz.yaml").read_text(encoding="utf-8"))["questions"]}
    while True:
        check_accessibility(page)
        questions = page.locator("fieldset.question")
        for index in range(questions.count()):
            question = questions.nth(index)
            key = re.sub(r"^q-", "", question.get_attribute("id") or "")
            _answer(question, specs[key])
        next_page = page.get_by_role("button", name=t("Save and go to the next page"))
        if not next_page.count():
            break
        follow(next_page)
    follow(page.get_by_role("button", name=t("Save and finish the attempt")))
    check_accessibility(page)
    follow(page.get_by_role("button", name=t("Submit all and finish")))
