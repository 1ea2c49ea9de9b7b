"""Labels in templates: translated once per request, escaped, and in the locale in effect."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale
from jinja2 import Template


def _page(app: Flask, source: str) -> Template:
    # Templates made from strings are autoescaped, as the platform's .html templates are.
    return app.jinja_env.from_string(source)


def test_a_forced_locale_translates_the_block_and_the_page_language_returns(app: Flask) -> None:
    """Mail in the recipient's language is rendered inside a page's request."""
    label = _page(app, "{{ _('Home') }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert label.render() == "Home"
        with force_locale("ar"):
            assert label.render() == "الصفحة الرئيسية"
        assert label.render() == "Home"


def test_the_page_language_is_used_in_macros_imported_without_context(app: Flask) -> None:
    app.jinja_env.globals["labels"] = _page(app, "{% macro home() %}{{ _('Home') }}{% endmacro %}")
    page = _page(app, "{{ labels.module.home() }}|{{ gettext('Log out') }}")
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert page.render() == "الصفحة الرئيسية|تسجيل الخروج"
    del app.jinja_env.globals["labels"]


def test_names_in_labels_are_escaped_and_the_label_is_not(app: Flask) -> None:
    page = _page(app, "{{ _('Read and complete the lesson “%(title)s”', title=title) }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = page.render(title="<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markup_goes_in_as_it_is_and_numbers_as_numbers(app: Flask) -> None:
    """Values already made safe (a name in its own direction) are not escaped twice; numbers
    take their conversions, and anything else is escaped as text."""
    page = _page(app, "{{ _('Welcome, %(name)s', name=name|bdi) }} "
                      "{{ _('%(score).1f of %(total)d (%(ok)s) %(note)s', score=2.5, total=3, "
                      "ok=true, note=none) }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = page.render(name="<b>Aya</b>")
    assert html == "Welcome, <bdi>&lt;b&gt;Aya&lt;/b&gt;</bdi> 2.5 of 3 (True) None"


def test_percent_signs_and_plurals_read_as_jinja_formats_them(app: Flask) -> None:
    page = _page(app, "{{ _('100%% sure') }} {{ _('Passed (best %(score)d%%)', score=90) }} "
                      "{{ ngettext('%(num)d item', '%(num)d items', 3) }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert page.render() == "100% sure Passed (best 90%) 3 items"


def test_a_plural_may_show_another_number_than_the_one_that_picks_the_form(app: Flask) -> None:
    """A question of 1.5 marks: the form follows 2, the text shows 1.5."""
    page = _page(app, "{{ ngettext('%(num)s mark', '%(num)s marks', 2, num='1.5') }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert page.render() == "1.5 marks"


def test_labels_render_outside_a_request(app: Flask) -> None:
    """Commands render mail with only an application context: untranslated English."""
    assert _page(app, "{{ _('Home') }}").render() == "Home"


def test_flask_renderings_bind_the_labels_to_the_locale_in_effect(app: Flask) -> None:
    """``render_template`` gives each rendering labels bound to the catalogue in effect when it
    starts: mail in the recipient's language inside an English page, then the page's own
    language again; formats and escaping as with the global functions."""
    source = ("{{ _('Home') }}|{{ ngettext('%(num)d item', '%(num)d items', 3) }}|"
              "{{ _('Passed (best %(score)d%%)', score=90) }}|"
              "{{ _('Read and complete the lesson “%(title)s”', title=title) }}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string(source, title="<b>")
        with force_locale("ar"):
            arabic = render_template_string(source, title="<b>")
        again = render_template_string(source, title="<b>")
    assert english == again == ("Home|3 items|Passed (best 90%)|"
                                "Read and complete the lesson “&lt;b&gt;”")
    assert arabic.startswith("الصفحة الرئيسية|") and "&lt;b&gt;" in arabic
    assert "<b>" not in arabic
