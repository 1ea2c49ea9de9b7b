"""The translation functions templates call, with the catalogue found once per request.

Flask-Babel's template functions look the catalogue up again for every label: the request's
Babel state, the locale, then a cache keyed by the locale's name, all through context proxies.
The layout alone has dozens of labels and the participant's dashboard a few hundred, so that
lookup was a large share of the pages' time. These functions keep the catalogue on ``g`` next
to the locale it belongs to and otherwise behave as Jinja's own "newstyle" gettext: the result
is markup-safe where autoescaping is on, the variables are escaped into it, and the text is
always %-formatted (so ``%%`` reads as ``%`` with or without variables).

A locale forced for one block (``force_locale``, as mail in the recipient's language uses) is
another locale object, so it gets its own catalogue, and the page's comes back after the block.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

_CACHE_KEY = "_template_catalogue"
_NUMBERS = (int, float)


def locale_in_effect() -> Any:
    """Flask-Babel's locale for the request (None outside one), as ``get_locale`` answers."""
    # Flask-Babel keeps the request's locale on ``g``; reading it there saves the proxies of
    # ``get_locale``. If that ever moves, ``get_locale`` answers instead, only more slowly.
    state = g.get("_flask_babel")
    return getattr(state, "babel_locale", None) or get_locale()


def catalogue() -> Any:
    """The translations of the locale in effect, found once per request and locale."""
    locale = locale_in_effect()
    if locale is None:
        # No Babel state (outside a request, before anything is on ``g``): Flask-Babel's own
        # answer, untranslated text.
        return get_translations()
    cached = g.get(_CACHE_KEY)
    if cached is None or cached[0] is not locale:
        cached = (locale, get_translations())
        setattr(g, _CACHE_KEY, cached)
    return cached[1]


def _finish(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    # The catalogue's text is trusted as the templates are (Jinja's own gettext marks it safe
    # too); what is put into it is escaped by ``Markup``'s formatting.
    if not variables and "%" not in text:
        # What formatting would return, without its cost.
        return Markup(text) if eval_ctx.autoescape else text  # noqa: S704
    if eval_ctx.autoescape:
        # What ``Markup(text) % variables`` gives, for the conversions labels use (``%s``,
        # ``%d``, ``%f``), at a fraction of its cost: numbers go in as they are, everything
        # else escaped.
        return Markup(text % {key: value if isinstance(value, _NUMBERS) else escape(value)  # noqa: S704
                              for key, value in variables.items()})
    return text % variables


@pass_eval_context
def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    return _finish(eval_ctx, catalogue().ugettext(string), variables)


# The fixed arguments are positional only, as in Jinja's own functions, so that a template may
# pass a ``num`` (or ``context``) of its own to show in place of the count that picks the form.
@pass_eval_context
def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /,
             **variables: Any) -> str:
    variables.setdefault("num", num)
    return _finish(eval_ctx, catalogue().ungettext(singular, plural, num), variables)


@pass_eval_context
def pgettext(eval_ctx: EvalContext, context: str, string: str, /,
             **variables: Any) -> str:
    variables.setdefault("context", context)
    return _finish(eval_ctx, catalogue().upgettext(context, string), variables)


@pass_eval_context
def npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /,
              **variables: Any) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _finish(eval_ctx, catalogue().unpgettext(context, singular, plural, num), variables)


def bound_to(translations: Any) -> dict[str, Any]:
    """``_``, ``gettext`` and ``ngettext`` reading one catalogue: what a rendering uses."""
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @pass_eval_context
    def bound_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        return _finish(eval_ctx, ugettext(string), variables)

    @pass_eval_context
    def bound_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /,
                       **variables: Any) -> str:
        variables.setdefault("num", num)
        return _finish(eval_ctx, ungettext(singular, plural, num), variables)

    return {"_": bound_gettext, "gettext": bound_gettext, "ngettext": bound_ngettext}


def install_template_gettext(app: Flask) -> None:
    """Replace the functions Flask-Babel gave the templates; call after ``babel.init_app``.

    Each rendering gets the functions bound to the catalogue in effect when it starts (a page
    calls them dozens to hundreds of times); the globals, which look the catalogue up on each
    call, serve macros imported without the page's context.
    """
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext,
                                 pgettext=pgettext, npgettext=npgettext)

    @app.context_processor
    def translations_of_this_rendering() -> dict[str, Any]:
        return bound_to(catalogue())
