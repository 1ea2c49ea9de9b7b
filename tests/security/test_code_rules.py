"""Rules the source itself must keep, checked by reading it: no shell, no unsafe
deserialising, no SQL or templates built from strings, no mass assignment, bounded form fields,
and ``|safe`` only on the sanitiser's output."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from flask_wtf import FlaskForm
from wtforms.fields import StringField
from wtforms.validators import AnyOf, EqualTo, Length, Regexp

LMS = Path(__file__).parents[2] / "lms"
# The only values a template may mark safe: HTML that came out of lms.markdown's sanitiser.
SAFE_FILTER_ALLOWED = {
    ("courses/templates/courses/_lesson_body.html", "lesson.body_html|safe"),
    ("courses/authoring/templates/authoring/_macros.html", "body_html|safe"),
    # Question texts of an attempt's snapshot, rendered by lms.markdown.render_inline.
    ("quizzes/templates/quizzes/_macros.html", "text[l]|safe"),
}
BANNED_MODULES = {"pickle", "marshal", "shelve", "dill", "commands"}
BANNED_CALLS = {"eval", "exec", "system", "popen", "spawnl", "spawnv", "unsafe_load",
                "render_template_string", "from_string", "populate_obj"}
# Modules allowed to start programs, each reviewed: fixed argument lists, never a shell.
SUBPROCESS_ALLOWED = {"backup/databases.py"}  # the database's own dump and restore tools
# Functions allowed to put names into SQL text: table names from the model metadata, quoted by
# the dialect, never input.
SQL_TEXT_ALLOWED = {("backup/databases.py", "count_rows")}
# Modules allowed to wrap a non-literal in Markup, each reviewed: the templates' translation
# functions mark the catalogue's text safe, as Jinja's own do; what is put into it is escaped.
# The board's cells hold only whole numbers (through int()) and labels escaped once a page
# (tests/progress/test_board.py checks a label with markup in it). The layout keeps the page
# header drawn by its autoescaped template and puts in only the escaped token and address
# (tests/test_layout.py checks an address with markup in it); its page_part marks safe only
# what an autoescaped template drew.
MARKUP_ALLOWED = {"template_gettext.py", "progress/board_cells.py", "layout.py"}


def _python_files() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(LMS.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _relative(path: Path) -> str:
    return path.relative_to(LMS).as_posix()


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Each node with the name of the innermost function it sits in ("" outside any)."""

    def visit(node: ast.AST, function: str) -> Iterator[tuple[str, ast.AST]]:
        yield function, node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function)

    return visit(tree, "")


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _runs_a_shell(node: ast.Call, name: str) -> bool:
    """shell=True anywhere, or a subprocess call given one command string to split."""
    for keyword in node.keywords:
        if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
            return True
    owner = getattr(node.func, "value", None)
    return (name in ("run", "Popen", "check_output", "check_call", "call")
            and getattr(owner, "id", "") == "subprocess" and bool(node.args)
            and isinstance(node.args[0], ast.Constant | ast.JoinedStr))


def test_asvs_5_3_8_no_shell_or_unsafe_deserialising() -> None:
    """No subprocess or os.system with file names, no pickle, no yaml.load without the safe
    loader, no eval/exec, no template compiled from data (5.3.8, 5.3.9, 5.5.3, 5.2.5)."""
    problems = []
    for path, tree in _python_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                for name in [module or "", *names]:
                    top = name.split(".")[0]
                    if top in BANNED_MODULES or (
                            top == "subprocess" and _relative(path) not in SUBPROCESS_ALLOWED):
                        problems.append(f"{path}:{node.lineno} imports {name}")
            elif isinstance(node, ast.Call):
                name = _call_name(node)
                if name in BANNED_CALLS:
                    problems.append(f"{path}:{node.lineno} calls {name}")
                if _runs_a_shell(node, name):
                    problems.append(f"{path}:{node.lineno} runs a command line through a shell")
                if name == "load" and isinstance(node.func, ast.Attribute) and \
                        getattr(node.func.value, "id", "") == "yaml":
                    problems.append(f"{path}:{node.lineno} calls yaml.load")
    assert problems == []


def test_asvs_5_3_4_sql_only_from_literals() -> None:
    """Raw SQL appears only as literal text; everything else goes through the ORM with bound
    parameters, so no input can become SQL."""
    problems = []
    for path, tree in _python_files():
        for function, node in _functions(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if (_relative(path), function) in SQL_TEXT_ALLOWED:
                continue
            if name in ("text", "execute", "exec_driver_sql") and node.args:
                first = node.args[0]
                if isinstance(first, ast.JoinedStr | ast.BinOp) or (
                        isinstance(first, ast.Call) and _call_name(first) == "format"):
                    problems.append(f"{path}:{node.lineno} builds SQL from a string")
            if name in ("order_by", "group_by"):
                for arg in node.args:
                    if isinstance(arg, ast.Call) and _call_name(arg) in ("text", "literal_column"):
                        problems.append(f"{path}:{node.lineno} orders by text")
    assert problems == []


def test_asvs_4_1_2_no_mass_assignment() -> None:
    """No model is filled from a whole form or request: fields are copied one by one."""
    problems = []
    for path, tree in _python_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    source = ast.unparse(keyword.value) if keyword.arg is None else ""
                    if re.search(r"request\.|form\.data|\.form\b|\.args\b", source):
                        problems.append(f"{path}:{node.lineno} passes **{source}")
    assert problems == []


def test_asvs_5_3_3_safe_only_on_sanitised_html() -> None:
    """Autoescaping is on, ``|safe`` is used only on sanitiser output, and Python wraps only
    literal markup in Markup, never data."""
    found = set()
    for path in LMS.rglob("*.html"):
        for match in re.finditer(r"([\w.\[\]]+)\s*\|\s*safe\b", path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(LMS)), match.group(0).replace(" ", "")))
    assert found, "the lesson page marks its sanitised body safe"
    assert found <= SAFE_FILTER_ALLOWED, found - SAFE_FILTER_ALLOWED
    for path, tree in _python_files():
        if str(path.relative_to(LMS)) in MARKUP_ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "Markup":
                # A literal is fine: Markup's % and format() escape what goes into it.
                assert all(isinstance(arg, ast.Constant) for arg in node.args), \
                    f"{path}:{node.lineno} wraps data in Markup"
    for path in LMS.rglob("*.html"):
        assert "autoescape false" not in path.read_text(encoding="utf-8"), path


def _form_classes() -> Iterator[type[FlaskForm]]:
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("lms."):
            yield cls


def _bounded(validator: object) -> bool:
    if isinstance(validator, Length):
        return validator.max is not None and validator.max > 0
    if isinstance(validator, Regexp):
        pattern = validator.regex.pattern
        return pattern.endswith("$") and not re.search(r"(?<!\\)[*+]", pattern)
    return isinstance(validator, AnyOf | EqualTo)


def test_asvs_5_1_3_every_text_field_has_a_length_limit(app: Flask) -> None:
    """Every text field of every form has a maximum length (or is tied to a bounded one), so
    oversized input is a form error, never a crash or a huge row."""
    checked, problems = 0, []
    for form in _form_classes():
        for name in dir(form):
            field = getattr(form, name)
            field_class = getattr(field, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField):
                continue
            checked += 1
            validators = field.kwargs.get("validators") or (
                field.args[1] if len(field.args) > 1 else [])
            if not any(_bounded(v) for v in validators):
                problems.append(f"{form.__module__}.{form.__name__}.{name}")
    assert checked > 30
    assert problems == []
